"""The suggestion layer in and out of files (issue 15): ``annotator import-suggestions``
reads outside predictions (an LLM run, another team's model) from canonical or Prodigy
JSONL, ``annotator export --suggestions`` writes the layer as canonical JSONL.

Import is all or nothing, as ``import-labels``: every line is read and checked first
(its text must be a document of the database, matched by the SHA-256 of the normalised
text; offsets inside the text; labels, fields and options of the scheme; scores numbers
from 0 to 1), every problem is one ``file:line: reason``, and nothing is stored unless
the whole file is good. Then, in one transaction, the source's suggestions on each
document the file has a record for become exactly the file's (other documents keep
theirs): importing a file twice changes nothing. A span's ``score`` and a record's
``doc_label_scores`` (``{field: score}``) are taken when present, and so is a record's
``trained_on`` (``true``: the source's model was trained on this text, as ``annotator
predict`` writes it; ``agreement --with-source`` leaves the document out); Prodigy records
answered ``reject`` or ``ignore`` are skipped.

The export writes one line per (document, source) in the shape of the canonical export
(``text``, ``meta``, ``tokens``, ``spans`` with ``token_start``/``token_end``/``text``,
``doc_labels``) with ``_annotator_id`` ``"suggest:<source>"``, a span's ``score`` when
the source gave one, ``doc_label_scores`` for the fields that have one and ``trained_on``;
reading it back with ``import-suggestions`` gives the same layer.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AnnotatorError
from .jsonsafe import shown
from .models import SuggestedLabel, Suggestion, source_problem
from .scheme import Scheme
from .store import Store

SpanRow = tuple[int, int, int, str, float | None]
LabelRow = tuple[int, str, str | tuple[str, ...], float | None]


@dataclass
class SuggestionImport:
    """What importing one file of suggestions did (or why nothing was stored)."""

    path: str
    source: str
    format: str = ""
    records: int = 0
    skipped: int = 0  # Prodigy records answered reject or ignore
    not_in_database: int = 0  # records of texts the database lacks (skip_missing)
    documents: int = 0
    spans: int = 0
    field_values: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{self.path}: refused ({len(self.errors)} problem(s)); nothing stored"
        skipped = f", {self.skipped} not accepted (skipped)" if self.skipped else ""
        if self.not_in_database:
            skipped += f"; {self.not_in_database} record(s) of texts not in the database (skipped)"
        return (
            f"{self.path} ({self.format}): {self.records} record(s); suggestions from"
            f" '{self.source}' on {self.documents} document(s): {self.spans} span(s),"
            f" {self.field_values} field value(s){skipped}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "format": self.format,
            "records": self.records,
            "skipped": self.skipped,
            "not_in_database": self.not_in_database,
            "documents": self.documents,
            "spans": self.spans,
            "field_values": self.field_values,
            "errors": list(self.errors),
        }


class _Bad(Exception):
    """One line's problem (``str()`` is the reason)."""


def import_suggestions(
    store: Store, path: str | Path, source: str, *, skip_missing: bool = False
) -> SuggestionImport:
    """Read ``path`` (canonical or Prodigy JSONL) into ``source``'s suggestions, all or
    nothing (see the module's docstring). ``skip_missing``: a record whose text is not a
    document of the database is passed over and counted (``annotator predict`` over an
    archive the database holds a sample of), instead of refusing the file."""
    from .formats import detect_format
    from .labels_import import read_json_lines
    from .paths import check_inputs

    problem = source_problem(source)
    if problem is not None:
        raise AnnotatorError(f"--source: {problem}")
    from .suggesting import check_not_a_pack

    check_not_a_pack(store)
    check_inputs([path], [store])  # never the open database
    result = SuggestionImport(str(path), source)
    errors = result.errors
    spans: dict[int, dict[tuple[int, int, str], float | None]] = {}
    labels: dict[int, dict[str, tuple[str | tuple[str, ...], float | None, int]]] = {}
    trained: set[int] = set()  # documents whose record says the source trained on them
    seen = 0
    for lineno, obj in read_json_lines(path, errors):
        seen += 1
        if not result.format:
            fmt = detect_format(obj) or ("prodigy" if isinstance(obj, dict) else None)
            if fmt not in ("jsonl", "prodigy"):
                errors.append(
                    f"{path}:{lineno}: not a canonical or Prodigy JSONL record"
                    + (" (doccano lines are not read as suggestions)" if fmt else "")
                )
                break
            result.format = fmt
        try:
            _read_line(
                store, obj, result.format, lineno, spans, labels, result, skip_missing, trained
            )
        except _Bad as e:
            errors.append(f"{path}:{lineno}: {e}")
    if not seen and not errors:
        errors.append(f"{path}: no JSON lines")
    if errors:
        return result
    docs = sorted(set(spans) | set(labels))
    span_rows = [(d, s, e, lab, sc) for d in docs for (s, e, lab), sc in spans.get(d, {}).items()]
    label_rows = [(d, f, v, sc) for d in docs for f, (v, sc, _line) in labels.get(d, {}).items()]
    result.spans, result.field_values = store.replace_suggestions(
        source, docs, span_rows, label_rows, trained
    )
    result.documents = len(docs)
    return result


def _read_line(
    store: Store,
    obj: Any,
    fmt: str,
    lineno: int,
    spans: dict[int, dict[tuple[int, int, str], float | None]],
    labels: dict[int, dict[str, tuple[str | tuple[str, ...], float | None, int]]],
    result: SuggestionImport,
    skip_missing: bool = False,
    trained: set[int] | None = None,
) -> None:
    """Check one record and add its suggestions to ``spans`` and ``labels`` (and its
    document to ``trained`` when the record says the source was trained on it)."""
    from .corpus import normalize_with_offsets, text_hash
    from .formats.readers import READERS
    from .formats.tasks import LineError
    from .labels_import import _assign_choices

    scheme = store.scheme
    try:
        task = READERS[fmt](obj, all_answers=True)
        if obj.get("answer") in ("reject", "ignore"):
            result.skipped += 1
            return
        doc_labels = dict(task.doc_labels)
        if task.choices:
            _assign_choices(task.choices, doc_labels, scheme, None, False)
    except LineError as e:
        raise _Bad(str(e)) from None
    result.records += 1
    text, remap = normalize_with_offsets(task.text)
    doc_id = store.document_id_by_hash(text_hash(text))
    if doc_id is None:
        if skip_missing:
            result.not_in_database += 1
            return
        raise _Bad(
            "its text is not a document of this database (suggestions are stored only for"
            " imported documents; import the text first, or give --skip-missing)"
        )
    learned = obj.get("trained_on", False)
    if not isinstance(learned, bool):
        raise _Bad(f'"trained_on" must be true or false, not {shown(learned)}')
    if learned and trained is not None:
        trained.add(doc_id)
    n = len(task.text)
    raw_spans = obj.get("spans") or []
    got = spans.setdefault(doc_id, {})
    for i, (sp, raw) in enumerate(zip(task.spans, raw_spans, strict=True), 1):
        if not 0 <= sp.start < sp.end <= n:
            if sp.start >= sp.end:
                raise _Bad(f"span {i} ({sp.label}): start {sp.start} is not before end {sp.end}")
            raise _Bad(
                f"span {i} ({sp.label}): [{sp.start}, {sp.end}) is outside the text (length {n})"
            )
        known = scheme.label(sp.label)
        if known is None:
            raise _Bad(
                f"span {i}: label {sp.label!r} is not in the scheme"
                f" ({', '.join(scheme.label_names)})"
            )
        if known.retired:
            raise _Bad(f"span {i}: label {sp.label!r} is retired (no longer offered to coders)")
        a, b = remap(sp.start), remap(sp.end)
        if a >= b:
            raise _Bad(f"span {i} ({sp.label}) covers only the \\r of a \\r\\n line break")
        score = _score(raw.get("score"), f"span {i} score")
        key = (a, b, sp.label)
        had = got.get(key)
        if key not in got or (score is not None and (had is None or had < score)):
            got[key] = score  # the same span twice: once, with its best score
    scores = obj.get("doc_label_scores")
    if scores is not None and not isinstance(scores, dict):
        raise _Bad('"doc_label_scores" must be an object {field: score}')
    for fname in scores or {}:
        if fname not in doc_labels:
            raise _Bad(
                f'"doc_label_scores" names field {fname!r}, which has no value in the record'
            )
    values = labels.setdefault(doc_id, {})
    for fname, value in doc_labels.items():
        stored = _field_value(scheme, fname, value)
        score = _score((scores or {}).get(fname), f'doc_label_scores["{fname}"]')
        earlier = values.get(fname)
        if earlier is not None and earlier[0] != stored:
            raise _Bad(
                f"field {fname!r} is {_shown(stored)} here but {_shown(earlier[0])} in the"
                f" record of the same text on line {earlier[2]}"
            )
        values[fname] = (stored, score, lineno)


def _score(value: Any, what: str) -> float | None:
    if value is None:
        return None
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    if not ok or not (math.isfinite(value) and 0 <= value <= 1):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise _Bad(f"{what} must be a number from 0 to 1, got {shown}")
    return float(value)


def _field_value(scheme: Scheme, fname: str, value: Any) -> str | tuple[str, ...]:
    """A record's field value as stored: one option, or a multi field's options in scheme
    order (a single field's one-option list, a multi field's one option, are accepted)."""
    spec = scheme.field(fname)
    if spec is None:
        raise _Bad(
            f"document field {fname!r} is not in the scheme"
            f" ({', '.join(f.name for f in scheme.doc_fields) or 'none'})"
        )
    given = value if isinstance(value, list) else [value]
    for v in given:
        if v not in spec.options:
            raise _Bad(f"{v!r} is not an option of field {fname!r} ({', '.join(spec.options)})")
    if spec.kind == "single":
        if len(given) != 1:
            raise _Bad(f"field {fname!r} takes one option, got {value!r}")
        return str(given[0])
    return tuple(o for o in spec.options if o in given)


def _shown(value: str | tuple[str, ...]) -> str:
    return repr(list(value)) if isinstance(value, tuple) else repr(value)


# -- export -------------------------------------------------------------------------


def suggestion_record(
    store: Store,
    doc_id: int,
    source: str,
    spans: list[Suggestion],
    labels: list[SuggestedLabel],
    trained: bool = False,
) -> dict[str, Any]:
    """One canonical JSONL object of ``source``'s suggestions on a document (``trained``:
    the source's model was trained on it)."""
    import json

    from .export import hash32, strict_meta, token_records

    doc = store.document(doc_id)
    text = doc.text
    tok = store.tokenization(doc_id)
    starts, ends = tok.token_starts, tok.token_ends
    span_recs = []
    for s in spans:
        first, last = bisect_right(ends, s.start), bisect_left(starts, s.end) - 1
        rec: dict[str, Any] = {
            "start": s.start,
            "end": s.end,
            "token_start": first if first <= last else None,
            "token_end": last if first <= last else None,
            "label": s.label,
            "text": text[s.start : s.end],
        }
        if s.score is not None:
            rec["score"] = s.score
        span_recs.append(rec)
    doc_labels = {
        dl.field: list(dl.value) if isinstance(dl.value, tuple) else dl.value for dl in labels
    }
    scores = {dl.field: dl.score for dl in labels if dl.score is not None}
    meta = strict_meta(doc.meta)[0]
    meta.update({"doc_id": doc.id, "title": doc.title, "source": doc.source, "sha256": doc.sha256})
    input_hash = hash32(doc.sha256)
    coder = f"suggest:{source}"
    return {
        "text": text,
        "meta": meta,
        "tokens": token_records(text, starts, ends),
        "spans": span_recs,
        "doc_labels": doc_labels,
        "doc_label_scores": scores,
        "trained_on": trained,
        "_annotator_id": coder,
        "_input_hash": input_hash,
        "_task_hash": hash32(
            str(input_hash),
            coder,
            json.dumps([[s["start"], s["end"], s["label"]] for s in span_recs]),
            json.dumps(doc_labels, sort_keys=True),
        ),
    }


def suggestion_records(store: Store, source: str | None = None) -> Iterator[dict[str, Any]]:
    """Records of the layer (one source's, or every source's): by document, then source."""
    # a document a source's model was trained on has a record even when the model
    # suggested nothing there: reading the file back keeps it out of sample
    trained = store.training(source)
    for doc_id, spans, labels in store.iter_suggestions(source):
        names = sorted(
            {s.source for s in spans}
            | {lab.source for lab in labels}
            | {name for name, docs in trained.items() if doc_id in docs}
        )
        for name in names:
            yield suggestion_record(
                store,
                doc_id,
                name,
                [s for s in spans if s.source == name],
                [lab for lab in labels if lab.source == name],
                doc_id in trained.get(name, ()),
            )


def export_suggestions(
    store: Store,
    out: str | Path,
    source: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the suggestion layer (one source's, or all) to ``out`` as canonical JSONL,
    atomically (never over the database); returns the number of lines."""
    from .export import write_jsonl
    from .paths import prepare_output

    if source is not None and source not in {s for s, _n, _m in store.suggestion_sources()}:
        known = ", ".join(s for s, _n, _m in store.suggestion_sources()) or "none"
        raise AnnotatorError(f"no suggestions from source {source!r} (sources: {known})")
    prepare_output(out, databases=[store])
    return write_jsonl(suggestion_records(store, source), out, progress)
