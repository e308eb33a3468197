"""spaCy pipelines trained on a project's labels (issue 15): how such a pipeline is laid
out, loaded, and read back as suggestions. An engine: no database, no Qt.

A trained pipeline is a normal spaCy pipeline folder (``spacy.load`` reads it):

- ``spancat`` predicts the span labels into ``doc.spans[SPANS_KEY]`` (scores in
  ``doc.spans[SPANS_KEY].attrs["scores"]``);
- each document field has its own text classifier named :func:`textcat_name` (``textcat``
  for a single field, ``textcat_multilabel`` for a multi field) whose labels are
  :func:`cat_label` ``(field, option)``, so fields sharing option names stay apart in
  ``doc.cats``;
- ``nlp.meta[META_KEY]`` records the scheme it was trained for, where its training data
  came from, its evaluation, and under ``TRAINED_ON`` the SHA-256 of each text it was
  trained on (:func:`trained_texts`; held-out texts are not listed).

spaCy is imported only inside the functions that need it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AnnotatorError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPANS_KEY = "sc"
META_KEY = "annotator"
TRAINED_ON = "trained_on_sha256"  # in nlp.meta[META_KEY]: the training texts' SHA-256
CAT_SEPARATOR = "="
DEFAULT_THRESHOLD = 0.5


def textcat_name(field: str) -> str:
    """The pipeline component that classifies document field ``field``."""
    return f"textcat_{field}"


def cat_label(field: str, option: str) -> str:
    """The ``doc.cats`` key of ``option`` of document field ``field``."""
    return f"{field}{CAT_SEPARATOR}{option}"


@dataclass(frozen=True)
class ModelSpan:
    start: int
    end: int
    label: str
    score: float


@dataclass(frozen=True)
class ModelLabel:
    """A predicted document field value (a multi field's: the options at or above the
    threshold, possibly none) with its score (a multi field's: the lowest chosen one, or
    the highest refused one when none is chosen)."""

    field: str
    value: str | tuple[str, ...]
    score: float


def model_info(nlp: Language) -> dict[str, Any]:
    """What ``nlp.meta[META_KEY]`` says (``{}`` for a pipeline not trained here)."""
    info = nlp.meta.get(META_KEY)
    return info if isinstance(info, dict) else {}


def trained_texts(nlp: Language) -> frozenset[str]:
    """The SHA-256 (``corpus.text_hash``) of every text the pipeline was trained on, as its
    meta lists them (empty for a pipeline trained elsewhere or before they were listed)."""
    listed = model_info(nlp).get(TRAINED_ON)
    if not isinstance(listed, list):
        return frozenset()
    return frozenset(h for h in listed if isinstance(h, str))


def model_name(nlp: Language) -> str:
    """The pipeline's name (``meta.json`` ``name``), the source name of its suggestions."""
    return str(nlp.meta.get("name") or "model")


def load_model(path: str | Path) -> Language:
    """Load a pipeline folder trained by ``annotator train`` (any spaCy pipeline folder
    with a ``spancat`` or field classifiers will do); one-line AnnotatorError if it
    cannot be read."""
    import spacy

    path = Path(path)
    if not (path / "meta.json").is_file() or not (path / "config.cfg").is_file():
        raise AnnotatorError(f"{path}: not a spaCy pipeline folder (no meta.json and config.cfg)")
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError, ImportError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AnnotatorError(f"{path}: cannot load the spaCy pipeline: {first[:200]}") from None
    if not nlp.has_pipe("spancat") and not any(
        name.startswith("textcat_") for name in nlp.pipe_names
    ):
        raise AnnotatorError(
            f"{path}: the pipeline predicts no spans or document fields"
            " (no spancat, no textcat_<field>); train one with 'annotator train'"
        )
    return nlp


def fields_of(nlp: Language) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``{field: (kind, options)}`` the pipeline classifies (from its components)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    prefix = "textcat_"
    for name in nlp.pipe_names:
        if not name.startswith(prefix):
            continue
        field = name[len(prefix) :]
        labels: tuple[str, ...] = tuple(getattr(nlp.get_pipe(name), "labels", ()))
        kind = "multi" if nlp.get_pipe_meta(name).factory == "textcat_multilabel" else "single"
        head = field + CAT_SEPARATOR
        options = tuple(lab[len(head) :] for lab in labels if lab.startswith(head))
        out[field] = (kind, options)
    return out


def use_threshold(nlp: Language, threshold: float) -> None:
    """Let the pipeline's ``spancat`` keep every span scoring at least ``threshold``: it
    drops the spans under its own configured threshold (0.5, as :func:`build_pipeline`
    sets it) before :func:`predict_doc` sees them, so a lower threshold found no more."""
    if nlp.has_pipe("spancat"):
        cfg = getattr(nlp.get_pipe("spancat"), "cfg", None)
        if isinstance(cfg, dict):
            cfg["threshold"] = threshold


def predict_doc(
    doc: Doc,
    threshold: float = DEFAULT_THRESHOLD,
    fields: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
) -> tuple[list[ModelSpan], list[ModelLabel]]:
    """What a processed ``doc`` predicts: spans scoring at least ``threshold`` (character
    offsets into ``doc.text``, code points) and one value per field (``fields`` as
    :func:`fields_of` gives it; a single field's best option when it reaches the
    threshold)."""
    spans: list[ModelSpan] = []
    group = doc.spans.get(SPANS_KEY) if SPANS_KEY in doc.spans else None
    if group is not None:
        scores = group.attrs.get("scores")
        for i, span in enumerate(group):
            score = float(scores[i]) if scores is not None else 1.0
            if score >= threshold:
                spans.append(ModelSpan(span.start_char, span.end_char, span.label_, score))
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    labels: list[ModelLabel] = []
    for field, (kind, options) in (fields or {}).items():
        scored = [(float(doc.cats.get(cat_label(field, o), 0.0)), o) for o in options]
        if not scored:
            continue
        if kind == "single":
            best, option = max(scored)
            if best >= threshold:
                labels.append(ModelLabel(field, option, best))
        else:
            chosen = [(s, o) for s, o in scored if s >= threshold]
            if chosen:
                value = tuple(o for o in options if any(o == c for _, c in chosen))
                labels.append(ModelLabel(field, value, min(s for s, _ in chosen)))
            else:
                labels.append(ModelLabel(field, (), max(s for s, _ in scored)))
    return spans, labels


# -- training (issue 15, ``annotator train``) ---------------------------------------------

# The suggester proposes every run of MIN..MAX tokens as a candidate span. Framing spans
# run from a phrase to a sentence or two, so the range comes from the training spans'
# own token lengths (shortest to longest); a span longer than SPAN_TOKENS_CAP tokens can
# never be proposed, which keeps the candidates per document (tokens x range) bounded on
# long articles. Training spans longer than the cap are counted as uncoverable.
SPAN_TOKENS_CAP = 60
# The longest text a blank pipeline takes (spaCy's default ``nlp.max_length``, which the
# trained pipeline keeps): a longer document is left out of training and evaluation.
MAX_TRAIN_CHARS = 1_000_000
DEFAULT_EPOCHS = 10
DROPOUT = 0.1


@dataclass(frozen=True)
class TrainDoc:
    """One document of training or evaluation data: its text, its spans
    ``(start, end, label)`` in code points, and the document field values known for it
    (a field absent from ``fields`` is unknown, not "none": it trains nothing)."""

    doc_id: int
    text: str
    spans: tuple[tuple[int, int, str], ...]
    fields: Mapping[str, str | tuple[str, ...]]


@dataclass(frozen=True)
class Trained:
    """What :func:`train_pipeline` gives back: the pipeline, the evaluation on the
    held-out documents, the loss per epoch and how the data had to be aligned."""

    nlp: Any
    evaluation: dict[str, Any]
    losses: tuple[float, ...]
    alignment: dict[str, int]
    suggester: tuple[int, int]


def build_pipeline(
    lang: str,
    span_labels: tuple[str, ...],
    doc_fields: Mapping[str, tuple[str, tuple[str, ...]]],
    suggester: tuple[int, int],
) -> Language:
    """A blank ``lang`` pipeline with ``spancat`` (when there are span labels) and one
    text classifier per document field, laid out as this module's header says. Only
    spaCy's own registered functions are used, so a plain ``spacy.load`` reads it."""
    import spacy

    nlp = spacy.blank(lang)
    if span_labels:
        lo, hi = suggester
        spancat = nlp.add_pipe(
            "spancat",
            config={
                "spans_key": SPANS_KEY,
                "threshold": DEFAULT_THRESHOLD,
                "suggester": {
                    "@misc": "spacy.ngram_range_suggester.v1",
                    "min_size": lo,
                    "max_size": hi,
                },
            },
        )
        for label in span_labels:
            spancat.add_label(label)  # type: ignore[attr-defined]
    for field, (kind, options) in doc_fields.items():
        # Bag of words and bigrams: fast on a CPU and sound with a few hundred articles,
        # where a document's frame shows in its words.
        model = {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": kind == "single",
            "ngram_size": 2,
            "no_output_layer": False,
            "length": 262144,
        }
        factory = "textcat" if kind == "single" else "textcat_multilabel"
        textcat = nlp.add_pipe(factory, name=textcat_name(field), config={"model": model})
        for option in options:
            textcat.add_label(cat_label(field, option))  # type: ignore[attr-defined]
    return nlp


def suggester_range(lengths: list[int]) -> tuple[int, int]:
    """The suggester's ``(min_size, max_size)`` in tokens for training spans of these
    token lengths: shortest to longest, the longest capped at :data:`SPAN_TOKENS_CAP`."""
    if not lengths:
        return (1, 1)
    lo = max(1, min(min(lengths), SPAN_TOKENS_CAP))
    return (lo, max(lo, min(max(lengths), SPAN_TOKENS_CAP)))


def _reference(
    nlp: Language,
    item: TrainDoc,
    span_labels: tuple[str, ...],
    doc_fields: Mapping[str, tuple[str, tuple[str, ...]]],
    counts: dict[str, int],
) -> tuple[Doc, dict[str, dict[str, float]]]:
    """``item`` as a reference Doc with its spans aligned to the pipeline's tokens
    (strict, else widened to whole tokens: ``spans_expanded``; no token or only
    whitespace: ``spans_dropped``), and ``{field: doc.cats}`` for the fields whose value
    is known."""
    doc = nlp.make_doc(item.text)
    spans = []
    for start, end, label in item.spans:
        if label not in span_labels:
            counts["spans_unknown_label"] += 1
            continue
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        expanded = span is None
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or not span.text.strip():  # no token, or only whitespace
            counts["spans_dropped"] += 1
            continue
        counts["spans_expanded"] += expanded
        spans.append(span)
    doc.spans[SPANS_KEY] = spans
    cats: dict[str, dict[str, float]] = {}
    for field, value in item.fields.items():
        if field not in doc_fields:
            continue
        _kind, options = doc_fields[field]
        chosen = {value} if isinstance(value, str) else set(value)
        if not chosen <= set(options):
            counts["values_unknown_option"] += 1
            continue
        cats[field] = {cat_label(field, o): float(o in chosen) for o in options}
    return doc, cats


def train_pipeline(
    train: list[TrainDoc],
    held_out: list[TrainDoc],
    *,
    lang: str,
    span_labels: tuple[str, ...],
    doc_fields: Mapping[str, tuple[str, tuple[str, ...]]],
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    progress: Callable[[int, float], None] | None = None,
) -> Trained:
    """Train a pipeline on ``train`` and evaluate it on ``held_out``, on the CPU.

    Deterministic for a seed (``spacy.util.fix_random_seed``, and the order of the
    documents in each epoch drawn from the seed). ``spancat`` learns from every training
    document (one without spans teaches that nothing is there); a field's classifier
    learns only from the documents whose value of that field is known, each classifier
    from its own examples (spaCy's ``textcat`` refuses a document whose ``cats`` hold
    another field's options too). ``progress(epoch, loss)`` is called after each epoch
    with the summed training loss."""
    import random

    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import compounding

    counts = dict.fromkeys(
        ("spans_expanded", "spans_dropped", "spans_unknown_label", "values_unknown_option",
         "spans_too_long"), 0,
    )  # fmt: skip
    blank = spacy.blank(lang)
    refs = [_reference(blank, item, span_labels, doc_fields, counts) for item in train]
    lengths = [len(s) for ref, _cats in refs for s in ref.spans[SPANS_KEY]]
    suggester = suggester_range(lengths)
    counts["spans_too_long"] = sum(n > suggester[1] for n in lengths)
    held = [_reference(blank, item, span_labels, doc_fields, counts) for item in held_out]
    fix_random_seed(seed)
    nlp = build_pipeline(lang, span_labels, doc_fields, suggester)
    span_examples = [Example(nlp.make_doc(ref.text), ref) for ref, _cats in refs]
    # {component: [example or None per training document]}: a field's examples carry
    # only that field's cats, and exist only where its value is known
    field_examples: dict[str, list[Example | None]] = {}
    for field in doc_fields:
        row: list[Example | None] = []
        for ref, cats in refs:
            if field in cats:
                gold = blank.make_doc(ref.text)
                gold.cats = cats[field]
                row.append(Example(nlp.make_doc(ref.text), gold))
            else:
                row.append(None)
        field_examples[textcat_name(field)] = row
    optimizer = nlp.initialize(lambda: span_examples)
    textcats = list(field_examples)
    rng = random.Random(seed)
    order = list(range(len(refs)))
    history: list[float] = []
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=compounding(4.0, 16.0, 1.001)):  # type: ignore[no-untyped-call]
            if span_labels:
                nlp.update(
                    [span_examples[i] for i in batch], sgd=optimizer, drop=DROPOUT,
                    losses=losses, exclude=textcats,
                )  # fmt: skip
            for name, row in field_examples.items():
                some = [eg for eg in (row[i] for i in batch) if eg is not None]
                if some:
                    nlp.update(
                        some, sgd=optimizer, drop=DROPOUT, losses=losses,
                        exclude=[n for n in nlp.pipe_names if n != name],
                    )  # fmt: skip
        total = float(sum(losses.values()))
        history.append(total)
        if progress is not None:
            progress(epoch, total)
    evaluation = evaluate(nlp, held, span_labels, doc_fields)
    return Trained(nlp, evaluation, tuple(history), counts, suggester)


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int | None]:
    """Precision (None when nothing was predicted), recall (None when there was nothing to
    find) and F1 = 2 TP / (gold + predicted), None only when both are empty: a model that
    predicts nothing where there is something to find has F1 0, not an undefined one."""
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    f = 2 * tp / (n_gold + n_pred) if n_gold + n_pred else None
    return {
        "precision": _rounded(p), "recall": _rounded(r), "f1": _rounded(f),
        "n_gold": n_gold, "n_predicted": n_pred,
    }  # fmt: skip


def _rounded(x: float | None) -> float | None:
    """Six decimals: what a report needs, and what ``meta.json`` keeps exactly (spaCy
    writes its floats with ten)."""
    return None if x is None else round(x, 6)


def _macro_f1(
    pairs: list[tuple[frozenset[str], frozenset[str]]], options: tuple[str, ...]
) -> float | None:
    """Mean F1 over the options that occur in the gold values or the predictions (an
    option in neither has no defined F1 and is left out, as scikit-learn's ``labels``
    present in the data); None when no option occurs."""
    scores = []
    for o in options:
        tp = sum(o in g and o in p for g, p in pairs)
        n_gold = sum(o in g for g, _ in pairs)
        n_pred = sum(o in p for _, p in pairs)
        if n_gold == 0 and n_pred == 0:
            continue
        scores.append(2 * tp / (n_gold + n_pred))
    return sum(scores) / len(scores) if scores else None


def evaluate(
    nlp: Language,
    refs: list[tuple[Doc, dict[str, dict[str, float]]]],
    span_labels: tuple[str, ...],
    doc_fields: Mapping[str, tuple[str, tuple[str, ...]]],
) -> dict[str, Any]:
    """Score ``nlp`` on reference docs (as :func:`_reference` makes them).

    Spans: exact match of (start, end, label) against the reference spans (aligned to
    tokens), at the pipeline's threshold; precision, recall and F1 overall and per label
    (None where undefined; F1 as :func:`_prf`). Fields, over the documents whose value is known: a single
    field's best option against the value (accuracy, macro-F1 over options); a multi
    field's options at or above the threshold against the set (accuracy: the same set;
    macro-F1 over options)."""
    gold_spans: set[tuple[int, int, int, str]] = set()
    pred_spans: set[tuple[int, int, int, str]] = set()
    pairs: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {f: [] for f in doc_fields}
    docs = nlp.pipe([ref.text for ref, _cats in refs])
    for i, ((ref, ref_cats), doc) in enumerate(zip(refs, docs, strict=True)):
        for s in ref.spans[SPANS_KEY]:
            gold_spans.add((i, s.start_char, s.end_char, s.label_))
        if SPANS_KEY in doc.spans:
            for s in doc.spans[SPANS_KEY]:
                pred_spans.add((i, s.start_char, s.end_char, s.label_))
        for field, (kind, options) in doc_fields.items():
            if field not in ref_cats:
                continue
            keys = {cat_label(field, o): o for o in options}
            gold = frozenset(o for k, o in keys.items() if ref_cats[field][k] >= 0.5)
            scores = [(float(doc.cats.get(k, 0.0)), o) for k, o in keys.items()]
            if kind == "single":
                pred = frozenset([max(scores)[1]]) if scores else frozenset()
            else:
                pred = frozenset(o for s, o in scores if s >= DEFAULT_THRESHOLD)
            pairs[field].append((gold, pred))
    tp = len(gold_spans & pred_spans)
    spans: dict[str, Any] = _prf(tp, len(pred_spans), len(gold_spans))
    by_label = {}
    for label in span_labels:
        g = {s for s in gold_spans if s[3] == label}
        p = {s for s in pred_spans if s[3] == label}
        by_label[label] = _prf(len(g & p), len(p), len(g))
    spans["by_label"] = by_label
    fields: dict[str, Any] = {}
    for field, (_kind, options) in doc_fields.items():
        got = pairs[field]
        fields[field] = {
            "accuracy": _rounded(sum(g == p for g, p in got) / len(got)) if got else None,
            "macro_f1": _rounded(_macro_f1(got, options)),
            "n_eval": len(got),
        }
    return {"spans": spans, "doc_fields": fields}


# -- the model folder ------------------------------------------------------------------


def check_model_dir(path: str | Path) -> Path:
    """Refuse an output that exists and is not an empty folder, or whose parent folder
    does not exist (one line); nothing is created here."""
    p = Path(path)
    if p.exists() or p.is_symlink():
        if not p.is_dir():
            raise AnnotatorError(f"{path}: exists and is not a folder; choose a new model folder")
        try:
            first = next(iter(sorted(os.listdir(p))), None)
        except OSError as e:
            raise AnnotatorError(f"{path}: cannot read the folder ({e.strerror or e})") from None
        if first is not None:
            raise AnnotatorError(
                f"{path}: the folder is not empty (it holds {first}); a model is written to a"
                " new or empty folder, never over other files"
            )
    parent = Path(os.path.abspath(p)).parent
    if not parent.is_dir():
        raise AnnotatorError(f"{path}: cannot write: the folder {parent} does not exist")
    return p


def name_from_folder(path: str | Path) -> str:
    """A valid source name (:func:`annotator.models.source_problem`) made from the model
    folder's name: other characters become ``_``, a leading ``_``, ``.`` or ``-`` is
    dropped, at most ``SOURCE_MAX`` characters; ``model`` when nothing is left."""
    from .models import SOURCE_MAX

    raw = Path(os.path.abspath(path)).name
    name = "".join(c if c.isascii() and (c.isalnum() or c in "_.-") else "_" for c in raw)
    name = name.lstrip("_.-")[:SOURCE_MAX]
    return name or "model"


def lang_of_pipeline(name: str) -> str:
    """The language code of a stored document's pipeline name (``blank:xx`` -> ``xx``;
    an installed package: its meta's ``lang``); ``en`` when it cannot be told."""
    if not name:
        return "en"
    if name.startswith("blank:"):
        return name.split(":", 1)[1] or "en"
    try:
        from spacy.util import get_model_meta, get_package_path

        return str(get_model_meta(get_package_path(name)).get("lang") or "en")
    except (OSError, ImportError, ValueError, KeyError, TypeError, AttributeError):
        head = name.split("_", 1)[0]
        return head if head.isalpha() and 2 <= len(head) <= 3 else "en"


def save_pipeline(nlp: Language, out_dir: str | Path) -> Path:
    """Write ``nlp`` to ``out_dir`` atomically: into a ``.NAME.*.part`` folder beside it,
    renamed to ``out_dir`` when complete (an existing empty folder is replaced; a
    non-empty one is refused, see :func:`check_model_dir`). On any error the part folder
    is removed and nothing else has been written."""
    import shutil
    import tempfile

    from .atomic import mode_of

    target = check_model_dir(out_dir)
    absolute = Path(os.path.abspath(target))
    try:
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{absolute.name}.", suffix=".part", dir=absolute.parent)
        )
    except OSError as e:
        raise AnnotatorError(f"{out_dir}: cannot write ({e.strerror or e})") from None
    try:
        nlp.to_disk(tmp)
        os.chmod(tmp, mode_of(absolute, 0o777))  # the empty folder's, else the umask's
        os.replace(tmp, absolute)  # onto an empty folder too (POSIX rename)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise AnnotatorError(f"{out_dir}: cannot write ({e.strerror or e})") from None
        raise
    return target
