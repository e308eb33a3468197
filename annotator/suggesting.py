"""Suggestions computed over the stored documents (issue 15): the codebook's cue phrases
and token patterns (source ``patterns``), and the predictions of a trained spaCy pipeline
(source: the pipeline's name). Stored as the suggestion layer, never as a coder's labels.

Both run a batch of documents at a time (:data:`BATCH_DOCS`) and store each batch in one
transaction (``Store.replace_suggestions``), so a run that is killed leaves every document
either with its new suggestions complete or as it was before the run; running again
replaces a source's suggestions on the documents it covers, never adds to them.

Cue phrases and patterns are matched on a spaCy ``Doc`` built from the document's stored
tokens with the vocabulary of the pipeline it was imported with (``documents.pipeline``,
:func:`annotator.nlp.load_pipeline`): the tokens are the stored ones by construction, so
the offsets are the stored code points. spaCy is imported only when a run starts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .corpus import text_hash
from .errors import AnnotatorError
from .models import source_problem
from .store import Store

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from .codebook import Renames

PATTERNS = "patterns"  # the source name of the codebook's cue phrases and patterns
BATCH_DOCS = 200  # documents per transaction
PIPE_BATCH = 32  # texts per nlp.pipe batch (a trained model)

Progress = Callable[[int, int], None]


@dataclass
class SuggestReport:
    """What a run stored: ``documents`` covered, ``spans`` and ``field_values`` suggested,
    per span label and per field. Unpacks as ``(documents, spans)``."""

    source: str
    documents: int = 0
    spans: int = 0
    field_values: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    by_field: Counter[str] = field(default_factory=Counter)
    # documents left out: longer than the model's max_length (a trained model only)
    skipped: list[int] = field(default_factory=list)
    # documents covered whose text the model was trained on (agreement leaves them out)
    trained_on: int = 0

    def __iter__(self) -> Iterator[int]:
        return iter((self.documents, self.spans))

    def summary(self) -> str:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.by_label.items()))
        fields = ", ".join(f"{k} {v}" for k, v in sorted(self.by_field.items()))
        skipped = (
            f"; {len(self.skipped)} document(s) skipped (longer than the model takes)"
            if self.skipped
            else ""
        )
        trained = (
            f"; {self.trained_on} of them trained on (left out of `agreement --with-source`)"
            if self.trained_on
            else ""
        )
        return (
            f"Suggestions from '{self.source}': {self.documents} document(s),"
            f" {self.spans} span(s){f' ({labels})' if labels else ''},"
            f" {self.field_values} field value(s){f' ({fields})' if fields else ''}"
            f"{skipped}{trained}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "documents": self.documents,
            "spans": self.spans,
            "field_values": self.field_values,
            "by_label": dict(sorted(self.by_label.items())),
            "by_field": dict(sorted(self.by_field.items())),
            "skipped_documents": list(self.skipped),
            "trained_on_documents": self.trained_on,
        }


def check_not_a_pack(store: Store) -> None:
    """Refuse to make suggestions in a coder's pack (``annotator pack``): the pack does not
    know which of its documents are in the reliability sample, so its window would show
    them there. They are made in the lead's database; a pack takes those outside the
    sample."""
    coder = store.pack_coder()
    if coder is not None:
        raise AnnotatorError(
            f"{store.path.name} is {coder}'s pack, which cannot tell the reliability sample:"
            " make suggestions in the lead's database (a new pack takes those outside the"
            " sample)"
        )


def _batches(ids: Sequence[int]) -> Iterator[list[int]]:
    for at in range(0, len(ids), BATCH_DOCS):
        yield list(ids[at : at + BATCH_DOCS])


def _documents(store: Store, doc_ids: Iterable[int] | None) -> list[int]:
    return store.document_ids() if doc_ids is None else list(dict.fromkeys(doc_ids))


# -- the codebook's cue phrases and patterns -----------------------------------------


class _Matchers:
    """A PhraseMatcher (cue phrases, on ``LOWER``) and a Matcher (token patterns) for one
    pipeline's vocabulary."""

    def __init__(self, store: Store, pipeline: str) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        from .nlp import load_pipeline

        nlp = load_pipeline(pipeline)
        self.vocab = nlp.vocab
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab, validate=True)
        # every pattern under its own key, to name the one spaCy refuses while matching;
        # greedy: a pattern with + or * gives its longest runs, never every run inside
        # them (a quadratic number of suggestions on a long document)
        self.pattern_of: dict[str, tuple[str, str]] = {}
        for lab in store.scheme.offered_labels:  # a retired label is not suggested
            if lab.phrases:
                self.phrases.add(lab.name, [nlp.make_doc(p) for p in lab.phrases])
            for i, (text, pattern) in enumerate(
                zip(lab.patterns, lab.token_patterns(), strict=True)
            ):
                key = f"{lab.name}\x1f{i}"
                self.pattern_of[key] = (lab.name, text)
                try:
                    self.patterns.add(key, [pattern], greedy="LONGEST")
                except Exception as e:  # noqa: BLE001 - spaCy's refusal, reported in one line
                    raise _refused(lab.name, text, e) from None

    def find(self, doc: Doc) -> set[tuple[int, int, str]]:
        """Distinct ``(start, end, label)`` character ranges of every match."""
        found: set[tuple[int, int, str]] = set()
        strings = self.vocab.strings
        for match_id, s, e in self.phrases(doc) if len(self.phrases) else ():
            found.add((doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), strings[match_id]))
        if not self.pattern_of:
            return found
        try:
            matches = self.patterns(doc)
        except Exception as err:  # noqa: BLE001 - a pattern spaCy refuses only when matching
            label, text = self._culprit(doc)
            raise _refused(label, text, err) from None
        for match_id, s, e in matches:
            label = self.pattern_of[strings[match_id]][0]
            found.add((doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label))
        return found

    def _culprit(self, doc: Doc) -> tuple[str, str]:
        """The first pattern that fails on ``doc`` alone."""
        from spacy.matcher import Matcher

        for key, (label, text) in self.pattern_of.items():
            one = Matcher(self.vocab)
            one.add(key, self.patterns.get(key)[1])
            try:
                one(doc)
            except Exception:  # noqa: BLE001 - this is the one
                return label, text
        return "?", "?"


def _refused(label: str, pattern: str, e: Exception) -> AnnotatorError:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    reason = " ".join(lines[:3])[:300] or type(e).__name__
    return AnnotatorError(f"span label '{label}': pattern {pattern} is refused by spaCy: {reason}")


def doc_from_tokens(
    vocab: Any,
    doc_id: int,
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
    sentence_starts: Sequence[int] = (),
) -> Doc:
    """A ``Doc`` of ``text`` whose tokens are exactly the stored ones (``doc.text`` is
    ``text``): spaCy's tokens are followed by one space or nothing, and whitespace
    otherwise is a token of its own, as the store holds them. With ``sentence_starts``
    (the stored sentences' start offsets) a token starting one starts a sentence, so a
    pattern's ``IS_SENT_START`` tests the stored sentences."""
    from spacy.tokens import Doc

    n = len(starts)
    words = [text[a:b] for a, b in zip(starts, ends, strict=True)]
    spaces = []
    for i in range(n):
        gap = text[ends[i] : starts[i + 1] if i + 1 < n else len(text)]
        if gap not in ("", " "):
            raise AnnotatorError(
                f"document {doc_id}: its stored tokens do not cover its text at {ends[i]};"
                " the database may be damaged (re-import the text into a new database)"
            )
        spaces.append(gap == " ")
    if (starts[0] if n else len(text)) != 0:
        raise AnnotatorError(
            f"document {doc_id}: its stored tokens do not cover its text at 0;"
            " the database may be damaged (re-import the text into a new database)"
        )
    sent_starts: list[bool | int | None] | None = None
    if sentence_starts and n:
        first = set(sentence_starts)
        sent_starts = [i == 0 or starts[i] in first for i in range(n)]
    doc = Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    assert doc.text == text, doc_id
    return doc


def suggest_patterns(
    store: Store, doc_ids: Iterable[int] | None = None, progress: Progress | None = None
) -> SuggestReport:
    """Store the scheme's cue phrases (case-insensitive, on whole tokens) and token
    patterns, as found in each document (all, or ``doc_ids``), as source ``patterns``;
    replaces what that source suggested on those documents. ``progress(done, total)``
    after each batch. A pattern spaCy refuses is an AnnotatorError naming its label."""
    check_not_a_pack(store)
    if not any(lab.phrases or lab.patterns for lab in store.scheme.offered_labels):
        raise AnnotatorError(
            f"scheme '{store.scheme.name}' gives no cue phrases or patterns (a span label's"
            " phrases = [...] or patterns = [...]); nothing to suggest"
        )
    ids = _documents(store, doc_ids)
    report = SuggestReport(PATTERNS)
    matchers: dict[str, _Matchers] = {}
    for batch in _batches(ids):
        rows: list[tuple[int, int, int, str, float | None]] = []
        for doc_id, text, pipeline, starts, ends, sents in store.documents_to_suggest(batch):
            m = matchers.get(pipeline)
            if m is None:
                m = matchers[pipeline] = _Matchers(store, pipeline or "blank:en")
            doc = doc_from_tokens(m.vocab, doc_id, text, starts, ends, sents)
            for start, end, label in sorted(m.find(doc)):
                rows.append((doc_id, start, end, label, None))
        store.replace_suggestions(PATTERNS, batch, rows)
        _count(report, batch, rows, [])
        if progress:
            progress(report.documents, len(ids))
    return report


def _count(
    report: SuggestReport,
    batch: list[int],
    spans: list[tuple[int, int, int, str, float | None]],
    labels: list[tuple[int, str, str | tuple[str, ...], float | None]],
) -> None:
    report.documents += len(batch)
    report.spans += len(spans)
    report.field_values += len(labels)
    report.by_label.update(s[3] for s in spans)
    report.by_field.update(lab[1] for lab in labels)


# -- a trained pipeline ----------------------------------------------------------------


def model_renames(store: Store, nlp: Language) -> Renames:
    """The codebook's renames and merges since the scheme version a pipeline was trained on
    (``annotator train`` records it in the model's meta), to read its predictions under
    the current names; none for a pipeline that does not say, or was trained on another
    scheme."""
    from . import learn
    from .codebook import Renames

    version = store.scheme.version  # since the current version: nothing to rename
    made = learn.model_info(nlp).get("scheme")
    if isinstance(made, dict) and made.get("name") == store.scheme.name:
        trained = made.get("version")
        if type(trained) is int and 0 < trained < store.scheme.version:  # not a bool
            version = trained
    return Renames(store, version)


def check_model_scheme(store: Store, nlp: Language, renames: Renames | None = None) -> None:
    """Refuse (one line naming them) a pipeline whose span labels, fields or field options
    the database's scheme lacks, under their current names (``renames``): its
    suggestions could never be accepted."""
    from . import learn

    scheme = store.scheme
    problems = []
    if nlp.has_pipe("spancat"):
        labels = tuple(getattr(nlp.get_pipe("spancat"), "labels", ()))
        unknown = [lab for lab in labels if scheme.label(_label(renames, lab)) is None]
        if unknown:
            problems.append(f"span label(s) {', '.join(map(repr, unknown))}")
    for fname, (kind, options) in learn.fields_of(nlp).items():
        spec = scheme.field(renames.field(fname) if renames else fname)
        if spec is None:
            problems.append(f"field {fname!r}")
            continue
        if spec.kind != kind:
            problems.append(f"field {fname!r} as a {kind} field (the scheme's is {spec.kind})")
        unknown = [
            o for o in options if (renames.option(fname, o) if renames else o) not in spec.options
        ]
        if unknown:
            problems.append(f"option(s) {', '.join(map(repr, unknown))} of field {fname!r}")
    if problems:
        raise AnnotatorError(
            f"the model predicts {'; '.join(problems)}, which scheme '{scheme.name}'"
            f" v{scheme.version} does not have; train it on this database's scheme"
        )


def _label(renames: Renames | None, name: str) -> str:
    return renames.label(name) if renames else name


def suggest_model(
    store: Store,
    model_dir: str | Path,
    threshold: float = 0.5,
    doc_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
    source: str | None = None,
) -> SuggestReport:
    """Store what the spaCy pipeline at ``model_dir`` predicts (spans and field values
    scoring at least ``threshold``) on each document (all, or ``doc_ids``), as source
    ``source`` or the pipeline's name; replaces what that source suggested on those
    documents. A pipeline predicting a label, field or option the scheme lacks is refused
    (:func:`check_model_scheme`). Documents longer than the pipeline's ``max_length`` are
    left out (counted in ``skipped``)."""
    from . import learn

    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not math.isfinite(threshold)
        or not 0.0 <= threshold <= 1.0
    ):
        raise AnnotatorError(f"threshold must be a number from 0 to 1, got {threshold!r}")
    check_not_a_pack(store)
    if source is not None and source_problem(source) is not None:
        raise AnnotatorError(f"--source: {source_problem(source)}")
    nlp = learn.load_model(model_dir)
    learn.use_threshold(nlp, threshold)
    name = source or learn.model_name(nlp)
    problem = source_problem(name)
    if problem is not None:
        raise AnnotatorError(
            f"{model_dir}: the pipeline's name cannot name a source ({problem}); give --source"
        )
    renames = model_renames(store, nlp)
    check_model_scheme(store, nlp, renames)
    fields = learn.fields_of(nlp)
    retired = {lab.name for lab in store.scheme.span_labels if lab.retired}
    learned = learn.trained_texts(nlp)  # its training texts: out of its agreement
    ids = _documents(store, doc_ids)
    report = SuggestReport(name)
    for batch in _batches(ids):
        spans: list[tuple[int, int, int, str, float | None]] = []
        labels: list[tuple[int, str, str | tuple[str, ...], float | None]] = []
        rows = store.documents_to_suggest(batch)
        fits = [r for r in rows if len(r[1]) <= nlp.max_length]
        report.skipped.extend(r[0] for r in rows if len(r[1]) > nlp.max_length)
        texts = ((r[1], r[0]) for r in fits)
        for doc, doc_id in nlp.pipe(texts, batch_size=PIPE_BATCH, as_tuples=True):
            n = len(doc.text)
            found, values = learn.predict_doc(doc, threshold, fields)
            best: dict[tuple[int, int, str], float] = {}  # labels merged since: once, best
            for s in found:
                if not 0 <= s.start < s.end <= n:
                    raise AnnotatorError(
                        f"document {doc_id}: the model predicted {s.label!r} at"
                        f" [{s.start}, {s.end}), outside the text (length {n})"
                    )
                key = (s.start, s.end, renames.label(s.label))
                if key[2] in retired:
                    continue  # no longer offered: never suggested
                best[key] = max(s.score, best.get(key, s.score))
            spans.extend((doc_id, a, b, label, score) for (a, b, label), score in best.items())
            for v in values:
                if v.value == ():
                    continue  # a multi field with no option chosen: nothing to suggest
                value = (
                    renames.option(v.field, v.value)
                    if isinstance(v.value, str)
                    else tuple(dict.fromkeys(renames.option(v.field, o) for o in v.value))
                )
                labels.append((doc_id, renames.field(v.field), value, v.score))
        # trained on its text, or on an earlier text of it (a corrected article is the
        # article it learned from)
        trained: list[int] = []
        if learned:
            earlier = store.earlier_text_hashes(r[0] for r in fits)
            trained = [
                r[0]
                for r in fits
                if text_hash(r[1]) in learned or not learned.isdisjoint(earlier.get(r[0], ()))
            ]
        report.trained_on += len(trained)
        store.replace_suggestions(name, [r[0] for r in fits], spans, labels, trained)
        _count(report, [r[0] for r in fits], spans, labels)
        if progress:
            progress(report.documents + len(report.skipped), len(ids))
    return report
