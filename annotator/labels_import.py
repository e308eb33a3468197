"""``annotator import-labels``: bring annotations from JSONL files into the store.

Reads the app's canonical JSONL, Prodigy JSONL and doccano JSONL (detected per file,
or forced). Each file is all-or-nothing: every problem is reported as
``file:line: reason`` and nothing from that file is written; a good file is written
in one transaction. Documents are matched by the SHA-256 of their (normalised) text;
unknown ones are added with their ``meta``. Span offsets are kept as given (only
shifted where a ``\\r\\n`` in the given text becomes ``\\n``); re-importing a file
changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import jsonsafe
from .corpus import RawDocument, derive_title, normalize_with_offsets, text_hash
from .errors import AnnotatorError
from .formats import READ_FORMATS, detect_format
from .formats.readers import READERS
from .formats.tasks import LabelTask, LineError
from .nlp import DEFAULT_PIPELINE, tokenize_arrays
from .scheme import Scheme, extend_scheme
from .store import GOLD, Store, check_coder_name

MAX_ERRORS_SHOWN = 20
# Keys of the canonical export's meta that describe the database, not the text.
_OWN_META = ("doc_id", "title", "source", "sha256")


@dataclass
class FileImport:
    """What importing one file did (or why nothing was written)."""

    path: str
    format: str = ""
    errors: list[str] = field(default_factory=list)
    tasks: int = 0
    not_accepted: int = 0
    documents_added: int = 0
    spans_added: int = 0
    spans_present: int = 0
    doc_labels_set: int = 0
    new_scheme_version: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{self.path}: refused ({len(self.errors)} problem(s)); nothing written"
        extra = f", scheme v{self.new_scheme_version} recorded" if self.new_scheme_version else ""
        skipped = f", {self.not_accepted} not accepted (skipped)" if self.not_accepted else ""
        return (
            f"{self.path} ({self.format}): {self.tasks} task(s), {self.documents_added} new"
            f" document(s), {self.spans_added} span(s) added, {self.spans_present} already"
            f" present, {self.doc_labels_set} document label(s) set{skipped}{extra}"
        )


@dataclass
class _Prepared:
    line: int
    task: LabelTask
    text: str  # normalised
    annotator: str | None
    spans: list[tuple[int, int, str, str, int | None]]
    doc_labels: dict[str, Any]
    # the gold layer's provenance (canonical JSONL only): per span, and per field
    span_sources: list[tuple[str, ...]] = field(default_factory=list)
    label_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def sha(self) -> str:
        return text_hash(self.text)


def import_label_files(
    store: Store,
    paths: Iterable[str | Path],
    fmt: str = "auto",
    annotator: str | None = None,
    all_answers: bool = False,
    add_labels: bool = False,
    field_name: str | None = None,
    pipeline: str = DEFAULT_PIPELINE,
    progress: Callable[[int, int], None] | None = None,
) -> list[FileImport]:
    """Import each file on its own (one transaction per file); returns one result each."""
    if fmt != "auto" and fmt not in READ_FORMATS:
        raise AnnotatorError(
            f"unknown format {fmt!r} (choose from auto, {', '.join(READ_FORMATS)})"
        )
    if annotator is not None:
        annotator = check_coder_name(annotator)
    paths = list(paths)
    results = []
    for i, p in enumerate(paths):
        results.append(
            import_label_file(
                store, Path(p), fmt, annotator, all_answers, add_labels, field_name, pipeline
            )
        )
        if progress:
            progress(i + 1, len(paths))
    return results


def import_label_file(
    store: Store,
    path: Path,
    fmt: str = "auto",
    annotator: str | None = None,
    all_answers: bool = False,
    add_labels: bool = False,
    field_name: str | None = None,
    pipeline: str = DEFAULT_PIPELINE,
) -> FileImport:
    result = FileImport(str(path))
    objects = _read_lines(path, result)
    if not objects:
        if not result.errors:
            result.errors.append(f"{path}: no JSON lines")
        return result
    if fmt == "auto":
        fmt = detect_format(objects[0][1]) or ""
        if not fmt:
            result.errors.append(
                f"{path}:{objects[0][0]}: cannot tell the format; use --format"
                f" ({', '.join(READ_FORMATS)})"
            )
            return result
    result.format = fmt
    named = any(isinstance(o, dict) and o.get("_annotator_id") for _, o in objects)
    if fmt == "doccano" and annotator is None and not named:
        result.errors.append(
            f"{path}: doccano lines do not name the coder (no _annotator_id); give --annotator NAME"
        )
        return result
    reader = READERS[fmt]
    tasks: list[tuple[int, LabelTask]] = []
    for lineno, obj in objects:
        try:
            tasks.append((lineno, reader(obj, all_answers=all_answers)))
        except LineError as e:
            result.errors.append(f"{path}:{lineno}: {e}")

    scheme = store.scheme
    prepared = []
    for lineno, task in tasks:
        if task.skip:
            result.not_accepted += 1
            continue
        try:
            prepared.append(_prepare(lineno, task, annotator, scheme, field_name, add_labels, fmt))
        except LineError as e:
            result.errors.append(f"{path}:{lineno}: {e}")
    if not prepared and not result.errors:
        result.errors.append(_why_nothing(path, fmt, objects))
        return result
    if add_labels:
        try:
            scheme = _extended(store, scheme, prepared)
        except AnnotatorError as e:
            result.errors.append(f"{path}: cannot extend the scheme: {e}")
    for item in prepared:
        for problem in _problems(item, scheme):
            result.errors.append(f"{path}:{item.line}: {problem}")
    if result.errors:
        result.errors.sort(key=_line_of)
        return result
    result.tasks = len(prepared)
    try:
        _write(store, result, prepared, scheme, path, pipeline)
    except AnnotatorError as e:  # the transaction was rolled back: nothing written
        result.errors.append(f"{path}: {e}")
        result.documents_added = result.spans_added = result.spans_present = 0
        result.doc_labels_set = 0
        result.new_scheme_version = None
    return result


def _why_nothing(path: Path, fmt: str, objects: list[tuple[int, Any]]) -> str:
    """The one line that says why a file with tasks in it imports nothing."""
    answers = Counter(obj.get("answer") if isinstance(obj, dict) else None for _, obj in objects)
    given = ", ".join(f"{n} {a!r}" if a else f"{n} without one" for a, n in answers.items())
    accepted = "accepted" if fmt != "jsonl" else "accepted (or without an answer)"
    return (
        f"{path}: nothing to import: none of its {len(objects)} task(s) is {accepted}"
        f" (answers: {given}); --all-answers imports them all"
    )


def _line_of(error: str) -> int:
    """Sort key: the line number in 'file:LINE: reason' (file-level messages first)."""
    head = error.split(": ", 1)[0]
    line = head.rsplit(":", 1)[-1]
    return int(line) if line.isdigit() else 0


def _read_lines(path: Path, result: FileImport) -> list[tuple[int, Any]]:
    try:
        data = path.read_bytes()
    except OSError as e:
        result.errors.append(f"{path}: cannot read: {e.strerror or e}")
        return []
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        result.errors.append(f"{path}: not UTF-8 text (invalid byte at offset {e.start})")
        return []
    objects = []
    for lineno, line in enumerate(content.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            objects.append((lineno, jsonsafe.loads(line)))
        except jsonsafe.StrictJSONError as e:
            reason = str(e)
            if reason.startswith("invalid JSON"):
                reason = "not valid JSON" + reason.removeprefix("invalid JSON")
            result.errors.append(f"{path}:{lineno}: {reason}")
    return objects


def _prepare(
    lineno: int,
    task: LabelTask,
    override: str | None,
    scheme: Scheme,
    field_name: str | None,
    add_labels: bool,
    fmt: str = "jsonl",
) -> _Prepared:
    text, remap = normalize_with_offsets(task.text)
    if not text.strip():
        raise LineError("empty or whitespace-only text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LineError("text contains an unpaired surrogate") from None
    n = len(task.text)
    spans = []
    for i, sp in enumerate(task.spans, 1):
        if not (0 <= sp.start < sp.end <= n):
            if sp.start >= sp.end:
                raise LineError(
                    f"span {i} ({sp.label}): start {sp.start} is not before end {sp.end}"
                )
            raise LineError(
                f"span {i} ({sp.label}): [{sp.start}, {sp.end}) is outside the text (length {n})"
            )
        a, b = remap(sp.start), remap(sp.end)
        if a >= b:
            raise LineError(f"span {i} ({sp.label}) covers only the \\r of a \\r\\n line break")
        spans.append((a, b, sp.label, sp.note, sp.scheme_version))
    doc_labels = dict(task.doc_labels)
    if task.choices:
        _assign_choices(task.choices, doc_labels, scheme, field_name, add_labels)
    coder = override or task.annotator
    if coder is None and (spans or doc_labels):
        raise LineError("no coder named (no _annotator_id); give --annotator NAME")
    span_sources: list[tuple[str, ...]] = []
    label_sources: dict[str, tuple[str, ...]] = {}
    try:
        if coder == GOLD and override is None:
            if fmt != "jsonl":
                raise LineError(
                    f"coder name {GOLD!r} is reserved for the adjudicated layer, which only the"
                    " canonical JSONL carries"
                )
            # The gold layer, with the coders each label came from (none: the adjudicator's).
            span_sources = [_source_names(sp.sources or ()) for sp in task.spans]
            label_sources = {f: _source_names(v) for f, v in task.label_sources.items()}
        elif coder is not None:
            coder = check_coder_name(coder)
    except AnnotatorError as e:
        raise LineError(str(e)) from None
    return _Prepared(lineno, task, text, coder, spans, doc_labels, span_sources, label_sources)


def _source_names(names: Iterable[str]) -> tuple[str, ...]:
    """A gold label's coders, checked, sorted, once each."""
    return tuple(sorted({check_coder_name(n) for n in names}))


def _assign_choices(
    choices: list[str],
    doc_labels: dict[str, Any],
    scheme: Scheme,
    field_name: str | None,
    add_labels: bool,
) -> None:
    """Put classification / choice labels into document fields.

    ``field:option`` names the field; a bare option goes to ``--field`` or to the only
    field that has it.
    """
    grouped: dict[str, list[str]] = {}
    for choice in choices:
        fname, sep, option = choice.partition(":")
        if sep and (scheme.field(fname) is not None or add_labels):
            grouped.setdefault(fname, []).append(option)
            continue
        if field_name:
            grouped.setdefault(field_name, []).append(choice)
            continue
        owners = [f.name for f in scheme.doc_fields if choice in f.options]
        if len(owners) == 1:
            grouped.setdefault(owners[0], []).append(choice)
        elif not owners:
            raise LineError(
                f"category {choice!r} is not an option of any document field"
                " (write it as 'field:option', or give --field)"
            )
        else:
            raise LineError(
                f"category {choice!r} is an option of several fields ({', '.join(owners)});"
                " write it as 'field:option' or give --field"
            )
    for fname, options in grouped.items():
        spec = scheme.field(fname)
        if spec is not None and spec.kind == "single":
            if len(set(options)) > 1:
                raise LineError(f"single-choice field {fname!r} got several options {options}")
            doc_labels[fname] = options[0]
        else:
            doc_labels[fname] = list(dict.fromkeys(options))


def _extended(store: Store, scheme: Scheme, prepared: list[_Prepared]) -> Scheme:
    """The scheme with every label, field and option the file uses (same if none new)."""
    labels = [lab for item in prepared for *_, lab, _n, _v in item.spans]
    labels = [lab for lab in dict.fromkeys(labels) if scheme.label(lab) is None]
    options: dict[str, list[str]] = {}
    multi: set[str] = set()
    for item in prepared:
        for fname, value in item.doc_labels.items():
            values = value if isinstance(value, list) else [value]
            if isinstance(value, list):
                multi.add(fname)
            spec = scheme.field(fname)
            new = [v for v in values if spec is None or v not in spec.options]
            if new or spec is None:
                options.setdefault(fname, []).extend(new)
    if not labels and not options:
        return scheme
    version = max(store.scheme_versions()) + 1
    return extend_scheme(scheme, version, labels, options, multi)


def _problems(item: _Prepared, scheme: Scheme) -> list[str]:
    out = []
    for *_range, label, _note, _v in item.spans:
        if scheme.label(label) is None:
            out.append(
                f"label {label!r} is not in the scheme ({', '.join(scheme.label_names)});"
                " use --add-labels to extend it"
            )
    for fname, value in item.doc_labels.items():
        spec = scheme.field(fname)
        if spec is None:
            out.append(f"document field {fname!r} is not in the scheme; use --add-labels")
            continue
        if spec.kind == "multi" and isinstance(value, str):
            value = item.doc_labels[fname] = [value]  # one option of a multi field
        values = value if isinstance(value, list) else [value]
        if spec.kind == "single" and isinstance(value, list):
            if len(value) != 1:
                out.append(f"field {fname!r} takes one option, got {value!r}")
                continue
            item.doc_labels[fname] = value[0]
        for v in values:
            if v not in spec.options:
                out.append(
                    f"{v!r} is not an option of field {fname!r} ({', '.join(spec.options)});"
                    " use --add-labels to extend it"
                )
    return list(dict.fromkeys(out))


def _write(
    store: Store,
    result: FileImport,
    prepared: list[_Prepared],
    scheme: Scheme,
    path: Path,
    pipeline: str,
) -> None:
    # Tokenise unknown texts before the transaction (spaCy is the slow part).
    by_hash: dict[str, _Prepared] = {}
    for item in prepared:
        by_hash.setdefault(item.sha, item)
    known = store.known_hashes(by_hash)
    missing = [by_hash[h] for h in by_hash if h not in known]
    new_docs = []
    toks = tokenize_arrays((item.text for item in missing), pipeline) if missing else iter(())
    for item, tok in zip(missing, toks, strict=True):
        meta = {k: v for k, v in item.task.meta.items() if k not in _OWN_META}
        source = item.task.meta.get("source")
        raw = RawDocument(
            item.text, source if isinstance(source, str) else f"{path}:{item.line}", meta
        )
        given = item.task.meta.get("title")
        title = " ".join(given.split()) if isinstance(given, str) else ""
        new_docs.append((raw, tok, title or derive_title(raw.text)))
    versions = set(store.scheme_versions())
    with store.transaction():
        if scheme.version not in versions:
            store.record_scheme(scheme)
            result.new_scheme_version = scheme.version
            versions.add(scheme.version)
        if new_docs:
            store.add_documents(new_docs, pipeline)
            result.documents_added = len(new_docs)
        for item in prepared:
            if item.annotator == GOLD:
                continue  # after every coder: gold names its coders as sources
            doc = store.document_by_hash(item.sha)
            assert doc is not None
            if item.annotator is None:
                continue
            # A multiset: a coder may hold the same range and label twice (other notes).
            have = Counter(
                (s.start, s.end, s.label, s.note) for s in store.spans(doc.id, item.annotator)
            )
            for start, end, label, note, version in item.spans:
                key = (start, end, label, note)
                if have[key] > 0:
                    have[key] -= 1
                    result.spans_present += 1
                    continue
                store.add_span(
                    doc.id, item.annotator, start, end, label, note,
                    scheme_version=version if version in versions else None,
                )  # fmt: skip
                result.spans_added += 1
            current = store.doc_labels(doc.id, item.annotator)
            for fname, value in item.doc_labels.items():
                new = tuple(value) if isinstance(value, list) else value
                spec = store.scheme.field(fname)
                if isinstance(new, tuple) and spec is not None:
                    new = tuple(o for o in spec.options if o in new)
                if current.get(fname) != new:
                    store.set_doc_label(doc.id, item.annotator, fname, value)
                    result.doc_labels_set += 1
        for item in prepared:
            if item.annotator == GOLD:
                _write_gold(store, result, item, versions)


def _write_gold(store: Store, result: FileImport, item: _Prepared, versions: set[int]) -> None:
    """One gold record: the spans it lacks and the field values that differ (in value or in
    the coders they came from), through the store's gold methods, provenance included."""
    doc = store.document_by_hash(item.sha)
    assert doc is not None
    for name in {n for names in (*item.span_sources, *item.label_sources.values()) for n in names}:
        store.add_annotator(name)  # a source coder with no labels in this database yet
    have = Counter((s.start, s.end, s.label, s.note) for s in store.spans(doc.id, GOLD))
    for (start, end, label, note, version), sources in zip(
        item.spans, item.span_sources, strict=True
    ):
        key = (start, end, label, note)
        if have[key] > 0:
            have[key] -= 1
            result.spans_present += 1
            continue
        store.add_gold_span(
            doc.id, start, end, label, sources, note,
            scheme_version=version if version in versions else None,
        )  # fmt: skip
        result.spans_added += 1
    current = store.doc_labels(doc.id, GOLD)
    current_sources = store.gold_label_sources(doc.id)
    for fname, value in item.doc_labels.items():
        new = tuple(value) if isinstance(value, list) else value
        spec = store.scheme.field(fname)
        if isinstance(new, tuple) and spec is not None:
            new = tuple(o for o in spec.options if o in new)
        sources = item.label_sources.get(fname, ())
        if current.get(fname) != new or current_sources.get(fname, ()) != sources:
            store.set_gold_label(doc.id, fname, value, sources)
            result.doc_labels_set += 1
