"""``annotator import-labels``: bring annotations from JSONL files into the store.

Reads the app's canonical JSONL, Prodigy JSONL and doccano JSONL (detected per file,
or forced). Each file is all-or-nothing: every problem is reported as
``file:line: reason`` and nothing from that file is written (a label's ``origin`` that
:func:`~annotator.models.origin_problem` refuses is one; an absent origin is ``manual``,
and the gold layer's are always ``manual``); a good file is written
in one transaction. Documents are matched by the SHA-256 of their (normalised) text;
unknown ones are added with their ``meta``. Span offsets are kept as given (only
shifted where a ``\\r\\n`` in the given text becomes ``\\n``); re-importing a file
changes nothing. Nothing stored is overwritten by an older file: a coder's status and
time only move forward (as ``merge`` does), a coder's field value or memo set after the
record's ``_timestamp`` is kept (and counted), an empty or absent ``memo`` removes no
stored memo, a span or field value already stored keeps its origin, and a gold decision
is never replaced (a line that
would is a ``file:line: reason`` and the file is refused). Files are streamed in passes (see :func:`import_label_file`), so memory
does not grow with the file.

With ``replace`` (``import-labels --replace``) the files are the truth for the coders they
name: on every document a record of a coder is given for, that coder's spans and field
values become exactly those of the file's records (stored ones the file does not repeat
are deleted, whatever their time; identical ones, origin included, are kept as they
are), a record's
``memo`` becomes the coder's memo (``""`` removes it; a record without a ``memo`` key, as
Prodigy files and exports from before memos, leaves the stored memo as it is), and a
record's status and time are set as given (even backwards). Everything else (other documents,
other coders, gold, which is imported as without ``replace``) is untouched, and all the
files are written in one transaction: a refused file leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from . import jsonsafe
from .align import CHANGED, LOST
from .codebook import Renames, check_not_a_pack
from .corpus import (
    RawDocument,
    derive_title,
    normalize_with_offsets,
    other_encoding,
    text_hash,
    text_too_large,
)
from .errors import AnnotatorError
from .formats import READ_FORMATS, detect_format
from .formats.readers import READERS
from .formats.tasks import LabelTask, LineError
from .jsonsafe import shown
from .models import MANUAL
from .nlp import DEFAULT_PIPELINE, tokenize_arrays
from .paths import SQLITE_HEADER
from .scheme import Scheme, extend_scheme
from .store import GOLD, Store, check_coder_name
from .updating import OlderText

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
    # a coder's field value the file would replace, kept: set after the record's _timestamp
    doc_labels_kept: int = 0
    statuses_updated: int = 0  # a coder's status or time moved forward (never back)
    new_scheme_version: int | None = None
    # --replace: the (document, coder) pairs this file was the first to name, and what of
    # their stored labels that no record repeats was deleted
    replace: bool = False
    documents_replaced: int = 0
    spans_removed: int = 0
    doc_labels_removed: int = 0
    # the coders' memos on the documents: set (or, with --replace, changed), kept (set in
    # this database after the record's _timestamp), removed (--replace, a record's "")
    memos_set: int = 0
    memos_kept: int = 0
    memos_removed: int = 0
    # records made on an older text of a stored document (before import --update
    # corrected it): carried onto the current text; spans whose text changed (flagged)
    # or is gone (not added)
    texts_corrected: int = 0
    spans_changed: int = 0
    spans_lost: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{self.path}: refused ({len(self.errors)} problem(s)); nothing written"
        extra = f", scheme v{self.new_scheme_version} recorded" if self.new_scheme_version else ""
        skipped = f", {self.not_accepted} not accepted (skipped)" if self.not_accepted else ""
        kept = (
            f", {self.doc_labels_kept} document label(s) kept (changed in this database after"
            " the file's record was written)"
            if self.doc_labels_kept
            else ""
        )
        states = f", {self.statuses_updated} status(es) updated" if self.statuses_updated else ""
        states = self._memo_summary() + states
        if self.texts_corrected:
            states += (
                f", {self.texts_corrected} record(s) made on an older text carried onto the"
                f" current one ({self.spans_changed} span(s) changed: flagged;"
                f" {self.spans_lost} lost: not added)"
            )
        if self.replace:
            return (
                f"{self.path} ({self.format}): {self.tasks} task(s), {self.documents_added} new"
                f" document(s), labels replaced on {self.documents_replaced} document(s):"
                f" {self.spans_removed} span(s) removed, {self.spans_added} added,"
                f" {self.spans_present} unchanged, {self.doc_labels_removed} document label(s)"
                f" removed, {self.doc_labels_set} set{states}{skipped}{extra}"
            )
        return (
            f"{self.path} ({self.format}): {self.tasks} task(s), {self.documents_added} new"
            f" document(s), {self.spans_added} span(s) added, {self.spans_present} already"
            f" present, {self.doc_labels_set} document label(s) set{kept}{states}{skipped}{extra}"
        )

    def _memo_summary(self) -> str:
        """ ", 2 memo(s) set, 1 kept (...)" for what happened to memos; "" if nothing."""
        parts = [f"{self.memos_set} memo(s) set"] if self.memos_set else []
        if self.memos_removed:
            parts.append(f"{self.memos_removed} memo(s) removed")
        if self.memos_kept:
            parts.append(
                f"{self.memos_kept} memo(s) kept (changed in this database after the file's"
                " record was written)"
            )
        return "".join(f", {p}" for p in parts)


@dataclass
class _Prepared:
    line: int
    task: LabelTask
    text: str  # normalised
    coder: str | None
    spans: list[tuple[int, int, str, str, int | None]]
    doc_labels: dict[str, Any]
    # the gold layer's provenance (canonical JSONL only): per span, and per field
    span_sources: list[tuple[str, ...]] = field(default_factory=list)
    label_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the origin of each span (in the order of ``spans``; "manual" where none is given)
    span_origins: list[str] = field(default_factory=list)
    # made on an older text of a stored document: carried onto its current text
    # (``text``), with the spans whose text changed (flagged with ``reason`` when added)
    # and how many were lost
    corrected: bool = False
    flagged: frozenset[tuple[int, int, str, str]] = frozenset()
    lost: int = 0
    reason: str = ""

    def label_origin(self, fname: str) -> str:
        """The origin of the record's value of ``fname`` ("manual" where none is given)."""
        return self.task.label_origins.get(fname, MANUAL)

    @property
    def sha(self) -> str:
        return text_hash(self.text)


def import_label_files(
    store: Store,
    paths: Iterable[str | Path],
    fmt: str = "auto",
    coder: str | None = None,
    all_answers: bool = False,
    add_labels: bool = False,
    field_name: str | None = None,
    pipeline: str = DEFAULT_PIPELINE,
    progress: Callable[[int, int], None] | None = None,
    replace: bool = False,
) -> list[FileImport]:
    """Import each file on its own (one transaction per file); returns one result each.

    ``replace``: make each named coder's labels on the documents of the files exactly what
    the files say (see the module's docstring), all files in one transaction: if any file is
    refused, none is written (each result then says why).
    """
    from .paths import check_inputs

    paths = check_inputs(paths, [store])  # never the open database: opening it drops its locks
    if fmt != "auto" and fmt not in READ_FORMATS:
        raise AnnotatorError(
            f"unknown format {fmt!r} (choose from auto, {', '.join(READ_FORMATS)})"
        )
    if coder is not None:
        coder = check_coder_name(coder, store.coders())  # a known coder keeps their name
    paths = list(paths)
    if replace:
        return _replace_all(store, paths, fmt, coder, all_answers, add_labels, field_name,
                            pipeline, progress)  # fmt: skip
    results = []
    for i, p in enumerate(paths):
        results.append(
            import_label_file(
                store, Path(p), fmt, coder, all_answers, add_labels, field_name, pipeline
            )
        )
        if progress:
            progress(i + 1, len(paths))
    return results


def import_label_file(
    store: Store,
    path: Path,
    fmt: str = "auto",
    coder: str | None = None,
    all_answers: bool = False,
    add_labels: bool = False,
    field_name: str | None = None,
    pipeline: str = DEFAULT_PIPELINE,
    replacing: _Replacing | None = None,
) -> FileImport:
    """Import one file, all or nothing, in bounded memory.

    The file is streamed several times, one line in memory at a time: a first pass reads
    and checks every line (and, with ``add_labels``, learns what the file uses; a second
    checking pass then holds the lines to the extended scheme), a tokenising pass runs
    spaCy on the texts this database lacks (outside the transaction: spaCy is the slow
    part; only their packed offsets are kept), and a writing pass stores everything in one
    transaction. A file that changes between the passes is refused (its SHA-256 is compared).
    """
    result = FileImport(str(path), replace=replacing is not None)
    scan = _Scan(path, fmt, coder, all_answers, add_labels, field_name)
    scan.store = store
    scan.known = tuple(store.coders())
    scheme = store.scheme
    digest = scan.check(store, result, scheme, report_problems=not add_labels)
    if digest is None:
        return result
    if add_labels:
        try:
            scheme = _extended(store, scheme, scan.usage)
            if scheme.version != store.scheme.version:
                check_not_a_pack(store)
        except AnnotatorError as e:
            result.errors.append(f"{path}: cannot extend the scheme: {e}")
        else:
            scan.check(store, result, scheme, report_problems=True, counting=False)
    if result.errors:
        result.errors.sort(key=_line_of)
        return result
    result.format = scan.fmt
    result.tasks = scan.tasks
    try:
        packed = _tokenise_new_texts(store, scan, scheme, pipeline)
        _write(store, result, scan, scheme, packed, pipeline, digest, replacing)
    except AnnotatorError as e:  # the transaction was rolled back: nothing written
        result.errors.append(str(e) if isinstance(e, _LineRefused) else f"{path}: {e}")
        _nothing_written(result)
    return result


def _nothing_written(result: FileImport) -> None:
    result.documents_added = result.spans_added = result.spans_present = 0
    result.doc_labels_set = result.doc_labels_kept = result.statuses_updated = 0
    result.documents_replaced = result.spans_removed = result.doc_labels_removed = 0
    result.memos_set = result.memos_kept = result.memos_removed = 0
    result.texts_corrected = result.spans_changed = result.spans_lost = 0
    result.new_scheme_version = None


# (start, end, label, note, origin): under --replace a span of another origin is not the same
_SpanKey = tuple[int, int, str, str, str]


class _Replacing:
    """``--replace`` across all the files of one import: the (document, coder) pairs the
    records name, with what of each pair's stored labels the records repeat."""

    def __init__(self) -> None:
        # per pair: the file that named it first, the stored spans no record has repeated
        # yet ({key: [ids]}), the spans the records gave so far, and the fields they set
        self.first: dict[tuple[int, str], FileImport] = {}
        self.unused: dict[tuple[int, str], dict[_SpanKey, list[int]]] = {}
        self.given: dict[tuple[int, str], Counter[_SpanKey]] = {}
        self.fields: dict[tuple[int, str], set[tuple[int, str]]] = {}
        self.keep_spans: set[int] = set()
        self.status_set: set[tuple[int, str]] = set()
        self.memo_set: set[tuple[int, str]] = set()

    def reach(self, store: Store, result: FileImport, doc_id: int, coder: str) -> None:
        pair = (doc_id, coder)
        if pair in self.first:
            return
        self.first[pair] = result
        result.documents_replaced += 1
        unused: dict[_SpanKey, list[int]] = {}
        for s in store.spans(doc_id, coder):
            unused.setdefault((s.start, s.end, s.label, s.note, s.origin), []).append(s.id)
        self.unused[pair] = unused
        self.given[pair] = Counter()
        self.fields[pair] = set()

    def finish(self, store: Store) -> None:
        """Delete what of each pair's stored labels no record repeated."""
        for (doc_id, coder), result in self.first.items():
            spans, fields = store.delete_coder_labels(
                coder, [doc_id], keep_spans=self.keep_spans, keep_fields=self.fields[doc_id, coder]
            )
            result.spans_removed += spans
            result.doc_labels_removed += fields


class _Refused(Exception):
    """A file of a ``--replace`` import was refused: roll every file back."""


def _replace_all(
    store: Store,
    paths: list[Path | str],
    fmt: str,
    coder: str | None,
    all_answers: bool,
    add_labels: bool,
    field_name: str | None,
    pipeline: str,
    progress: Callable[[int, int], None] | None,
) -> list[FileImport]:
    """``--replace``: every file checked and written in one transaction, or none."""
    replacing = _Replacing()
    results: list[FileImport] = []
    try:
        with store.transaction():
            for i, p in enumerate(paths):
                results.append(
                    import_label_file(
                        store,
                        Path(p),
                        fmt,
                        coder,
                        all_answers,
                        add_labels,
                        field_name,
                        pipeline,
                        replacing,
                    )  # fmt: skip
                )
                if progress:
                    progress(i + 1, len(paths))
            if all(r.ok for r in results):
                replacing.finish(store)
            else:
                raise _Refused
    except _Refused:
        refused = ", ".join(r.path for r in results if not r.ok)
        for r in results:
            if r.ok:
                r.errors.append(
                    f"{r.path}: not written: --replace imports all files or none, and"
                    f" {refused} was refused"
                )
            _nothing_written(r)
    return results


class _Usage:
    """The labels, fields and options a file uses (for ``--add-labels``), in file order."""

    def __init__(self) -> None:
        self.labels: dict[str, None] = {}
        self.options: dict[str, dict[str, None]] = {}
        self.multi: set[str] = set()

    def add(self, item: _Prepared) -> None:
        for *_range, label, _note, _v in item.spans:
            self.labels.setdefault(label)
        for fname, value in item.doc_labels.items():
            if isinstance(value, list):
                self.multi.add(fname)
            opts = self.options.setdefault(fname, {})
            for v in value if isinstance(value, list) else [value]:
                opts.setdefault(v)


class _Digest(Protocol):
    """A running hash (``hashlib.sha256()``)."""

    def update(self, data: bytes, /) -> None: ...


class _Scan:
    """One file, read line by line as often as the import needs it."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        coder: str | None,
        all_answers: bool,
        add_labels: bool,
        field_name: str | None,
    ) -> None:
        self.path = path
        self.fmt = "" if fmt == "auto" else fmt
        self.detected = fmt == "auto"  # the format is told by the file's first line
        self.coder = coder
        self.all_answers = all_answers
        self.add_labels = add_labels
        self.field_name = field_name
        self.usage = _Usage()
        # the database the file goes into: labels made under an older scheme version
        # (a record's or span's ``scheme_version``) are read under its current names
        self.store: Store | None = None
        self.known: tuple[str, ...] = ()  # its coders: they keep a name today's rule refuses
        self._renames: dict[int, Renames | None] = {}
        self._older: dict[str, OlderText | None] = {}
        # every text's SHA-256, in file order, with where its first line is (offset, number)
        self.hashes: dict[str, tuple[int, int]] = {}
        self.tasks = 0
        # what the refusal of a CSV export says reads which files
        self.reads = "import-labels reads canonical JSONL, Prodigy or doccano"

    def lines(
        self, errors: list[str], digest: _Digest | None = None
    ) -> Iterator[tuple[int, int, Any]]:
        """``(line number, byte offset, JSON)`` of each non-blank line (strict JSON);
        unreadable lines are added to ``errors``."""
        path = self.path
        try:  # stat first: opening a named pipe blocks, and /dev/zero is one endless line
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                errors.append(f"{path}: not a regular file (a pipe or device); give a file")
                return
            fh = open(path, "rb")  # noqa: SIM115 - closed below, also when abandoned
        except OSError as e:
            errors.append(f"{path}: cannot read: {e.strerror or e}")
            return
        with fh:
            if fh.peek(16).startswith(SQLITE_HEADER):  # a coder's database given here
                errors.append(
                    f"{path}: an SQLite database (a coder's file?), not a JSONL file: bring"
                    " a coder's database in with 'annotator merge'"
                )
                return
            if fh.peek(16).removeprefix(b"\xef\xbb\xbf").startswith((b'"doc_id",', b"doc_id,")):
                errors.append(  # the CSV export (a row per span): each line "not valid JSON"
                    f"{path}: the CSV export (a row per span), not a JSONL file: {self.reads}"
                    " (export --format jsonl)"
                )
                return
            offset = 0
            for lineno, raw in enumerate(fh, 1):
                if digest is not None:
                    digest.update(raw)
                start, offset = offset, offset + len(raw)
                try:
                    obj = self._parse(raw, lineno, start, errors)
                except UnicodeDecodeError:
                    return  # reported: the rest of the file is not read
                if obj is not _BLANK:
                    yield lineno, start, obj

    def _parse(self, raw: bytes, lineno: int, offset: int, errors: list[str]) -> Any:
        data = raw[3:] if offset == 0 and raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            line = data.decode("utf-8")
        except UnicodeDecodeError as e:
            at = offset + len(raw) - len(data) + e.start
            other = other_encoding(raw) if offset == 0 else None
            errors.append(
                f"{self.path}: {other or f'not UTF-8 text (invalid byte at offset {at})'}"
            )
            raise
        line = line.removesuffix("\n").removesuffix("\r")
        if not line.strip():
            return _BLANK
        try:
            return _loads(line)
        except jsonsafe.StrictJSONError as e:
            reason = str(e)
            if reason.startswith("invalid JSON"):
                reason = "not valid JSON" + reason.removeprefix("invalid JSON")
            errors.append(f"{self.path}:{lineno}: {reason}")
            return _BLANK

    def items(
        self, errors: list[str], scheme: Scheme, digest: _Digest | None = None
    ) -> Iterator[tuple[int, int, Any, _Prepared | None, bool]]:
        """``(line, offset, object, prepared item, accepted)`` for every line; the item is
        None for a task not accepted and for a line with a problem (added to ``errors``)."""
        for lineno, offset, obj in self.lines(errors, digest):
            if not self.fmt:
                self.fmt = detect_format(obj) or ""
                if not self.fmt:
                    errors.append(
                        f"{self.path}:{lineno}: cannot tell the format; use --format"
                        f" ({', '.join(READ_FORMATS)})"
                    )
                    return
            item, accepted = self._item(lineno, obj, scheme, errors)
            yield lineno, offset, obj, item, accepted

    def _item(
        self, lineno: int, obj: Any, scheme: Scheme, errors: list[str]
    ) -> tuple[_Prepared | None, bool]:
        try:
            if self.detected:
                _check_dropped_keys(obj, self.fmt)
            task = READERS[self.fmt](obj, all_answers=self.all_answers)
            if task.skip:
                return None, False
            self._current_names(task, obj)
            item = _prepare(
                lineno, task, self.coder, scheme, self.field_name, self.add_labels,
                self.fmt, self.known,
            )  # fmt: skip
            item = self._onto_current_text(item)
        except LineError as e:
            errors.append(f"{self.path}:{lineno}: {e}")
            return None, True
        return item, True

    def _onto_current_text(self, item: _Prepared) -> _Prepared:
        """A record made on an older text of a stored document (before ``import --update``
        corrected it), carried onto the current text as ``merge`` does, so the old text
        is not added as a new document: a lost span is dropped, a changed one flagged."""
        store = self.store
        if store is None:
            return item
        sha = item.sha
        if sha not in self._older:
            older = None
            if store.document_id_by_hash(sha) is None:
                found = store.document_by_old_text(sha)
                if found is not None:
                    older = OlderText(store, found[0], found[1], item.text)
            self._older[sha] = older
        carrier = self._older[sha]
        if carrier is None:
            return item
        spans: list[tuple[int, int, str, str, int | None]] = []
        origins: list[str] = []
        sources: list[tuple[str, ...]] = []
        flagged: set[tuple[int, int, str, str]] = set()
        lost = 0
        for k, (a, b, label, note, version) in enumerate(item.spans):
            moved = carrier(a, b)
            if moved.outcome == LOST:
                lost += 1
                continue
            spans.append((moved.start, moved.end, label, note, version))
            origins.append(item.span_origins[k])
            if item.span_sources:
                sources.append(item.span_sources[k])
            if moved.outcome == CHANGED:
                flagged.add((moved.start, moved.end, label, note))
        return replace(
            item, text=carrier.current, spans=spans, span_origins=origins,
            span_sources=sources, corrected=True, flagged=frozenset(flagged), lost=lost,
            reason=carrier.reason,
        )  # fmt: skip

    def _renames_since(self, version: object) -> Renames | None:
        if self.store is None or isinstance(version, bool) or not isinstance(version, int):
            return None
        if version not in self._renames:
            self._renames[version] = Renames(self.store, version) or None
        return self._renames[version]

    def _current_names(self, task: LabelTask, obj: Any) -> None:
        """Labels the record made under an older scheme version, under today's names
        (renamed or merged since, :func:`codebook.renames_since`); a label split since
        stays as it is (its spans go on the recode worklist)."""
        record = obj.get("scheme_version") if isinstance(obj, dict) else None
        for sp in task.spans:
            renames = self._renames_since(
                sp.scheme_version if sp.scheme_version is not None else record
            )
            if renames is not None and renames.label(sp.label) != sp.label:
                sp.label, sp.scheme_version = renames.label(sp.label), None
        renames = self._renames_since(record)
        if renames is None:
            return
        task.doc_labels = {
            renames.field(f): renames.value(f, v) for f, v in task.doc_labels.items()
        }
        task.label_origins = {renames.field(f): o for f, o in task.label_origins.items()}
        task.label_sources = {renames.field(f): c for f, c in task.label_sources.items()}

    def items_at(
        self, places: list[tuple[int, int]], scheme: Scheme, errors: list[str]
    ) -> Iterator[_Prepared | None]:
        """The items of the lines at ``(byte offset, line number)``, in that order."""
        with open(self.path, "rb") as fh:
            for offset, lineno in places:
                fh.seek(offset)
                try:
                    obj = self._parse(fh.readline(), lineno, offset, errors)
                except UnicodeDecodeError:
                    obj = _BLANK
                yield None if obj is _BLANK else self._item(lineno, obj, scheme, errors)[0]

    def check(
        self,
        store: Store,
        result: FileImport,
        scheme: Scheme,
        report_problems: bool,
        counting: bool = True,
    ) -> str | None:
        """A checking pass: problems go to ``result.errors``; returns the file's SHA-256
        (None when the file cannot be imported at all, with the reason in the errors)."""
        digest = hashlib.sha256()
        # A second pass (against the extended scheme) reports only what the first could not.
        errors = result.errors if counting else []
        problems: list[str] = []
        seen = 0
        answers: Counter[str | None] = Counter()
        named = False
        for _lineno, offset, obj, item, accepted in self.items(errors, scheme, digest):
            if not counting:
                if item is not None:
                    problems.extend(
                        f"{self.path}:{item.line}: {p}" for p in _problems(item, scheme)
                    )
                continue
            seen += 1
            answer = obj.get("answer") if isinstance(obj, dict) else None
            answers[answer if isinstance(answer, str) else None] += 1
            named = named or bool(isinstance(obj, dict) and obj.get("_annotator_id"))
            if item is None:
                result.not_accepted += not accepted
                continue
            self.tasks += 1
            self.hashes.setdefault(item.sha, (offset, item.line))
            if self.add_labels:
                self.usage.add(item)
            if report_problems:
                errors.extend(f"{self.path}:{item.line}: {p}" for p in _problems(item, scheme))
            if item.coder == GOLD:
                errors.extend(f"{self.path}:{item.line}: {p}" for p in _gold_conflicts(store, item))
        if not counting:  # a line the extended scheme reads differently is reported too
            known = set(result.errors)
            result.errors.extend(e for e in errors + problems if e not in known)
            return digest.hexdigest()
        result.format = self.fmt
        if not seen:
            if not errors:
                errors.append(f"{self.path}: no JSON lines")
            return None
        unnamed = [e for e in errors if "no coder named" in e]  # lines with labels
        if self.fmt == "doccano" and self.coder is None and not named and unnamed:
            errors[:] = [e for e in errors if "no coder named" not in e]
            errors.insert(
                0,
                f"{self.path}: doccano lines do not name the coder (no _annotator_id);"
                " give --annotator NAME",
            )
            return None
        if not self.tasks and not errors:
            errors.append(_why_nothing(self.path, self.fmt, seen, answers))
        return None if errors and not self.add_labels else digest.hexdigest()


def read_json_lines(path: str | Path, errors: list[str]) -> Iterator[tuple[int, Any]]:
    """``(line number, JSON)`` of each non-blank line of ``path``, read as this import reads
    it (UTF-8, strict JSON; never a pipe or device); a problem is added to ``errors`` as
    ``file:line: reason`` (``import-suggestions`` reads its files with it)."""
    scan = _Scan(Path(path), "auto", None, False, False, None)
    scan.reads = "import-suggestions reads canonical or Prodigy JSONL"
    for lineno, _offset, obj in scan.lines(errors):
        yield lineno, obj


class _Packed:
    """Offsets already packed (what :meth:`Store.add_documents` asks a tokenisation for)."""

    def __init__(self, blobs: tuple[bytes, bytes]) -> None:
        self.blobs = blobs

    def packed(self) -> tuple[bytes, bytes]:
        return self.blobs


def _tokenise_new_texts(
    store: Store, scan: _Scan, scheme: Scheme, pipeline: str
) -> dict[str, _Packed]:
    """Tokenise, streaming, each text this database lacks; ``{sha256: packed offsets}``."""
    known = store.known_hashes(scan.hashes)
    missing = [h for h in scan.hashes if h not in known]
    if not missing:
        return {}
    errors: list[str] = []
    items = scan.items_at([scan.hashes[h] for h in missing], scheme, errors)
    changed: list[str] = []

    def texts() -> Iterator[str]:
        for item, sha in zip(items, missing, strict=True):
            if item is None or item.sha != sha:
                changed.append(sha)
                yield ""
                continue
            why = text_too_large(item.text)
            if why is not None:  # as ``import`` skips it: not a new article here either
                raise _LineRefused(
                    f"{scan.path}:{item.line}: a new article's {why} (as 'annotator"
                    " import' refuses)"
                )
            yield item.text

    packed = {}
    for sha, arrays in zip(missing, tokenize_arrays(texts(), pipeline), strict=True):
        packed[sha] = _Packed(arrays.packed())
    if errors or changed:
        raise AnnotatorError("the file changed while it was imported; nothing written")
    return packed


_BLANK = object()  # a blank or unreadable line


def _loads(line: str) -> Any:
    """One line as strict JSON (:func:`jsonsafe.loads`), faster for what import-labels reads.

    A record's ``tokens`` (Prodigy's and the canonical export's, about three quarters of
    each line) are never read: the texts are tokenised here. They are parsed but not walked
    for lone surrogates and infinities, which is most of the time the strict check takes
    on the app's own export. A line the plain parser refuses is parsed again by
    :func:`jsonsafe.loads` for its reason.
    """
    try:
        value = json.loads(line, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return jsonsafe.loads(line)  # raises StrictJSONError with the reason
    if isinstance(value, dict) and isinstance(value.get("tokens"), list):
        del value["tokens"]
    jsonsafe.check_text(value)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: jsonsafe.loads names them


def _why_nothing(path: Path, fmt: str, seen: int, answers: Counter[str | None]) -> str:
    """The one line that says why a file with tasks in it imports nothing."""
    given = ", ".join(f"{n} {a!r}" if a else f"{n} without one" for a, n in answers.items())
    accepted = "accepted" if fmt != "jsonl" else "accepted (or without an answer)"
    return (
        f"{path}: nothing to import: none of its {seen} task(s) is {accepted}"
        f" (answers: {given}); --all-answers imports them all"
    )


def _line_of(error: str) -> int:
    """Sort key: the line number in 'file:LINE: reason' (file-level messages first)."""
    head = error.split(": ", 1)[0]
    line = head.rsplit(":", 1)[-1]
    return int(line) if line.isdigit() else 0


# The _annotator_id of the suggestion layer's files: ``export --suggestions``
# ("suggest:<source>", annotator/suggestions_io.py) and ``predict`` ("model:<name>",
# annotator/predict.py). Never a coder: suggestions are a layer of their own.
SUGGESTION_IDS = ("suggest:", "model:")


def _prepare(
    lineno: int,
    task: LabelTask,
    override: str | None,
    scheme: Scheme,
    field_name: str | None,
    add_labels: bool,
    fmt: str = "jsonl",
    known: tuple[str, ...] = (),
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
    span_origins = [sp.origin or MANUAL for sp in task.spans]
    doc_labels = dict(task.doc_labels)
    if task.choices:
        _assign_choices(task.choices, doc_labels, scheme, field_name, add_labels)
    coder = override or task.coder
    if override is None and coder is not None and coder.startswith(SUGGESTION_IDS):
        raise LineError(
            f"a record of suggestions (_annotator_id {coder!r}), not a coder's labels: read"
            " it into the suggestion layer with 'annotator import-suggestions FILE --source"
            " NAME'"
        )
    started = task.status not in (None, "new") or bool(task.seconds_spent)
    if coder is None and (spans or doc_labels or started or (task.memo or "").strip()):
        raise LineError("no coder named (no _annotator_id); give --annotator NAME")
    span_sources: list[tuple[str, ...]] = []
    label_sources: dict[str, tuple[str, ...]] = {}
    try:
        if coder == GOLD and override is None:
            if fmt != "jsonl":
                raise LineError(
                    f"coder name {GOLD!r} is reserved for the adjudicated layer, which only the"
                    " canonical JSONL carries (export --format jsonl; or export the coders"
                    " alone, --annotator NAME)"
                )
            if (task.memo or "").strip():
                raise LineError("the gold layer has no memo (a memo is one coder's)")
            _gold_origins_manual(span_origins, task.label_origins)
            # The gold layer, with the coders each label came from (none: the adjudicator's).
            span_sources = [_source_names(sp.sources or (), known) for sp in task.spans]
            label_sources = {f: _source_names(v, known) for f, v in task.label_sources.items()}
        elif coder is not None:
            coder = check_coder_name(coder, known)
    except AnnotatorError as e:
        raise LineError(str(e)) from None
    return _Prepared(
        lineno, task, text, coder, spans, doc_labels, span_sources, label_sources, span_origins
    )


# What the reader of a file's format does not read and another format's reader does:
# (the other format, its name, its keys). ``label`` counts as doccano's when it is a list.
_NOT_READ: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "jsonl": (("doccano", "doccano", ("entities", "cats", "label")),),
    "prodigy": (
        ("jsonl", "canonical", ("doc_labels", "status", "seconds_spent", "memo")),
        ("doccano", "doccano", ("entities", "cats", "label")),
    ),
    "doccano": (
        ("jsonl", "canonical", ("spans", "accept", "doc_labels", "status", "seconds_spent")),
    ),
}


def _check_dropped_keys(obj: Any, fmt: str) -> None:
    """A line of a file whose format was told by its first line (a Prodigy task, say) that
    carries what only another format's record carries (a canonical ``doc_labels``,
    ``status`` ..., a doccano ``label`` list or ``cats``) would lose those labels without a
    word: refuse it, naming them."""
    if not isinstance(obj, dict):
        return
    for other, name, owned in _NOT_READ.get(fmt, ()):
        keys = [
            k
            for k in owned
            if obj.get(k) not in (None, "", {}, [], 0, "new")
            and (k != "label" or isinstance(obj[k], list))
        ]
        if keys:
            raise LineError(
                f"{', '.join(keys)}: a {name} record's, which a {fmt} file does not carry"
                f" (the file was read as {fmt} from its first line); give --format {other}"
            )


def _gold_origins_manual(span_origins: list[str], label_origins: dict[str, str]) -> None:
    """The gold layer holds the adjudicator's decisions: every origin is ``manual`` (the
    coders' origins are in their own records; ``sources`` names the coders)."""
    for i, origin in enumerate(span_origins, 1):
        if origin != MANUAL:
            raise LineError(
                f"gold span {i}: origin must be 'manual' (gold labels are the adjudicator's"
                f" decisions), got {shown(origin)}"
            )
    for fname, origin in label_origins.items():
        if origin != MANUAL:
            raise LineError(
                f"gold {fname}: origin must be 'manual' (gold labels are the adjudicator's"
                f" decisions), got {shown(origin)}"
            )


def _source_names(names: Iterable[str], known: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A gold label's coders, checked, sorted, once each."""
    return tuple(sorted({check_coder_name(n, known) for n in names}))


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


def _extended(store: Store, scheme: Scheme, usage: _Usage) -> Scheme:
    """The scheme with every label, field and option the file uses (same if none new)."""
    labels = [lab for lab in usage.labels if scheme.label(lab) is None]
    options: dict[str, list[str]] = {}
    for fname, used in usage.options.items():
        spec = scheme.field(fname)
        new = [v for v in used if spec is None or v not in spec.options]
        if new or spec is None:
            options.setdefault(fname, []).extend(new)
    if not labels and not options:
        return scheme
    version = max(store.scheme_versions()) + 1
    return extend_scheme(scheme, version, labels, options, usage.multi)


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
                out.append(f"field {fname!r} takes one option, got {shown(value)}")
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
    scan: _Scan,
    scheme: Scheme,
    packed: dict[str, _Packed],
    pipeline: str,
    digest: str,
    replacing: _Replacing | None = None,
) -> None:
    """The writing pass: one transaction, one line in memory at a time."""
    versions = set(store.scheme_versions())
    errors: list[str] = []
    check = hashlib.sha256()
    with store.transaction():
        if scheme.version not in versions:
            store.record_scheme(scheme)
            result.new_scheme_version = scheme.version
            versions.add(scheme.version)
        for _line, _offset, _obj, item, _accepted in scan.items(errors, scheme, check):
            if item is None:
                continue
            if _problems(item, scheme):  # also normalises the values (as when checked)
                raise AnnotatorError(f"line {item.line} changed while it was imported")
            tok = packed.pop(item.sha, None)
            if tok is not None and store.document_id_by_hash(item.sha) is None:
                # the first line with a new text adds it (unless another process added
                # the same text since the checking pass: then it is not counted as new)
                # Store.add_documents takes any models.PackedOffsets (see its docstring),
                # but is annotated with Tokenization: store.py is being rewritten (issue 11)
                new = [_new_document(item, tok, scan.path)]
                store.add_documents(new, pipeline)  # type: ignore[arg-type]
                result.documents_added += 1
            elif store.document_id_by_hash(item.sha) is None:
                raise AnnotatorError("the file changed while it was imported; nothing written")
            if item.corrected:
                result.texts_corrected += 1
                result.spans_changed += len(item.flagged)
                result.spans_lost += item.lost
            if item.coder == GOLD:
                _write_gold(store, result, item, versions)
            elif item.coder is not None:
                _write_labels(store, result, item, versions, replacing)
        if errors or check.hexdigest() != digest or packed:
            raise AnnotatorError("the file changed while it was imported; nothing written")


def _new_document(item: _Prepared, tok: _Packed, path: Path) -> tuple[RawDocument, _Packed, str]:
    meta = {k: v for k, v in item.task.meta.items() if k not in _OWN_META}
    source = item.task.meta.get("source")
    raw = RawDocument(item.text, source if isinstance(source, str) else f"{path}:{item.line}", meta)
    given = item.task.meta.get("title")
    title = " ".join(given.split()) if isinstance(given, str) else ""
    return raw, tok, title or derive_title(raw.text)


def _write_labels(
    store: Store,
    result: FileImport,
    item: _Prepared,
    versions: set[int],
    replacing: _Replacing | None = None,
) -> None:
    """One coder's labels for one text: the spans they lack and the values that differ."""
    doc_id = store.document_id_by_hash(item.sha)
    assert doc_id is not None and item.coder is not None
    if replacing is not None:
        _replace_labels(store, result, item, versions, replacing, doc_id, item.coder)
        return
    # A multiset: a coder may hold the same range and label twice (other notes).
    # A span already stored keeps its origin (as a field value that is the same).
    have = Counter((s.start, s.end, s.label, s.note) for s in store.spans(doc_id, item.coder))
    for (start, end, label, note, version), origin in zip(
        item.spans, item.span_origins, strict=True
    ):
        key = (start, end, label, note)
        if have[key] > 0:
            have[key] -= 1
            result.spans_present += 1
            continue
        added = store.add_span(
            doc_id, item.coder, start, end, label, note,
            scheme_version=version if version in versions else None, origin=origin,
        )  # fmt: skip
        if key in item.flagged:
            store.flag_span(added.id, item.reason)
        result.spans_added += 1
    current = {dl.field: dl for dl in store.all_doc_labels(doc_id) if dl.coder == item.coder}
    stamp = item.task.timestamp
    for fname, value in item.doc_labels.items():
        new = _stored_form(store, fname, value)
        have_label = current.get(fname)
        if have_label is not None and have_label.value == new:
            continue
        if have_label is not None and (stamp is None or _seconds(have_label.updated_at) > stamp):
            # set in this database after the file's record was written (or the record does
            # not say when it was): the coder's newer value is kept
            result.doc_labels_kept += 1
            continue
        store.set_doc_label(doc_id, item.coder, fname, value, origin=item.label_origin(fname))
        result.doc_labels_set += 1
    memo = item.task.memo
    if memo is not None and memo.strip():  # an empty or absent memo removes nothing here
        stored = store.memo_rows(doc_id).get(item.coder)
        if stored is None:
            store.set_memo(doc_id, item.coder, memo)
            result.memos_set += 1
        elif stored[0] != memo:
            if stamp is None or _seconds(stored[1]) > stamp:
                result.memos_kept += 1  # written in this database after the record: kept
            else:
                store.set_memo(doc_id, item.coder, memo)
                result.memos_set += 1
    if item.task.status is not None:
        before = store.statuses(doc_id).get(item.coder)
        store.merge_status(doc_id, item.coder, item.task.status, item.task.seconds_spent or 0.0)
        if store.statuses(doc_id).get(item.coder) != before:
            result.statuses_updated += 1


def _replace_labels(
    store: Store,
    result: FileImport,
    item: _Prepared,
    versions: set[int],
    replacing: _Replacing,
    doc_id: int,
    coder: str,
) -> None:
    """One record under ``--replace``: its spans and values are written (or kept when
    stored); what no record of the pair repeats is deleted at the end
    (:meth:`_Replacing.finish`). Several records of one coder and text add up, as without
    ``--replace``."""
    replacing.reach(store, result, doc_id, coder)
    pair = (doc_id, coder)
    unused, given = replacing.unused[pair], replacing.given[pair]
    earlier = Counter(given)  # what the pair's earlier records gave
    for (start, end, label, note, version), origin in zip(
        item.spans, item.span_origins, strict=True
    ):
        key = (start, end, label, note, origin)
        if earlier[key] > 0:
            earlier[key] -= 1
            result.spans_present += 1
            continue
        given[key] += 1
        ids = unused.get(key)
        if ids:
            replacing.keep_spans.add(ids.pop(0))
            result.spans_present += 1
            continue
        span = store.add_span(
            doc_id, coder, start, end, label, note,
            scheme_version=version if version in versions else None, origin=origin,
        )  # fmt: skip
        replacing.keep_spans.add(span.id)
        if key[:4] in item.flagged:
            store.flag_span(span.id, item.reason)
        result.spans_added += 1
    current = {dl.field: (dl.value, dl.origin) for dl in store.all_doc_labels(doc_id)
               if dl.coder == coder}  # fmt: skip
    for fname, value in item.doc_labels.items():
        replacing.fields[pair].add((doc_id, fname))
        origin = item.label_origin(fname)
        if current.get(fname) == (_stored_form(store, fname, value), origin):
            continue
        store.set_doc_label(doc_id, coder, fname, value, origin=origin)
        result.doc_labels_set += 1
    task = item.task
    memo = task.memo
    # a record without a memo key says nothing of the memo (Prodigy, an older export): kept;
    # a later record of the same pair adds up (its "" removes nothing the first one gave)
    if memo is not None and (memo.strip() or pair not in replacing.memo_set):
        replacing.memo_set.add(pair)
        stored = store.memo(doc_id, coder)
        if stored != memo and (stored or memo.strip()):
            store.set_memo(doc_id, coder, memo)
            if memo.strip():
                result.memos_set += 1
            else:
                result.memos_removed += 1
    if task.status is not None:
        before = store.statuses(doc_id).get(coder)
        if pair in replacing.status_set:  # a second record of the pair: as merge does
            store.merge_status(doc_id, coder, task.status, task.seconds_spent or 0.0)
        else:
            replacing.status_set.add(pair)
            if before != (task.status, task.seconds_spent or 0.0):
                store.replace_status(doc_id, coder, task.status, task.seconds_spent or 0.0)
        if store.statuses(doc_id).get(coder) != before:
            result.statuses_updated += 1


def _stored_form(store: Store, fname: str, value: Any) -> Any:
    """A field value as the store holds it: one option, or a tuple in scheme order."""
    new = tuple(value) if isinstance(value, list) else value
    spec = store.scheme.field(fname)
    if isinstance(new, tuple) and spec is not None:
        if spec.kind == "single" and len(new) == 1:
            return new[0]
        new = tuple(o for o in spec.options if o in new)
    return new


def _seconds(stamp: str) -> int:
    """A stored ISO timestamp in whole seconds since 1970 (as an export's ``_timestamp``)."""
    try:
        return int(datetime.fromisoformat(stamp).timestamp())
    except (TypeError, ValueError):
        return 0  # no usable time: older than any record


class _LineRefused(AnnotatorError):
    """A line the writing stage refuses; the message is ``file:line: reason``."""


class _Conflict(_LineRefused):
    """A line that would overwrite a gold decision."""


def _gold_conflicts(store: Store, item: _Prepared) -> list[str]:
    """Why a gold record would overwrite an adjudicated decision of this database: a field
    value that differs from the stored gold value, or a span that overlaps a stored gold
    span of the same label without being that span (other range or note)."""
    doc_id = store.document_id_by_hash(item.sha)
    if doc_id is None:
        return []
    out = []
    current = store.doc_labels(doc_id, GOLD)
    for fname, value in item.doc_labels.items():
        stored = current.get(fname)
        if stored is not None and stored != _stored_form(store, fname, value):
            out.append(
                f"gold {fname} is {_shown(stored)} in this database; the file's {_shown(value)}"
                " would overwrite an adjudicated decision (change it in review mode)"
            )
    gold = store.spans(doc_id, GOLD)
    for i, (start, end, label, note, _v) in enumerate(item.spans, 1):
        for g in gold:
            if g.label != label or g.start >= end or start >= g.end:
                continue
            if (g.start, g.end, g.note) != (start, end, note):
                out.append(
                    f"gold span {i} ({label} [{start}, {end})) overlaps the adjudicated"
                    f" {label} span [{g.start}, {g.end}) of this database"
                    f"{'' if (g.start, g.end) != (start, end) else ' (another note)'};"
                    " an import never overwrites a gold decision (change it in review mode)"
                )
                break
    return out


def _shown(value: Any) -> str:
    return repr(list(value)) if isinstance(value, tuple | list) else repr(value)


def _write_gold(store: Store, result: FileImport, item: _Prepared, versions: set[int]) -> None:
    """One gold record: the spans it lacks and the field values that differ (in value or in
    the coders they came from), through the store's gold methods, provenance included."""
    doc_id = store.document_id_by_hash(item.sha)
    assert doc_id is not None
    conflicts = _gold_conflicts(store, item)  # also with this file's earlier lines
    if conflicts:
        raise _Conflict(f"{result.path}:{item.line}: {conflicts[0]}")
    for name in {n for names in (*item.span_sources, *item.label_sources.values()) for n in names}:
        store.add_coder(name)  # a source coder with no labels in this database yet
    have = Counter((s.start, s.end, s.label, s.note) for s in store.spans(doc_id, GOLD))
    for (start, end, label, note, version), sources in zip(
        item.spans, item.span_sources, strict=True
    ):
        key = (start, end, label, note)
        if have[key] > 0:
            have[key] -= 1
            result.spans_present += 1
            continue
        store.add_gold_span(
            doc_id, start, end, label, sources, note,
            scheme_version=version if version in versions else None,
        )  # fmt: skip
        result.spans_added += 1
    current = store.doc_labels(doc_id, GOLD)
    for fname, value in item.doc_labels.items():
        if fname in current:  # the same value (a different one is refused above)
            continue
        store.set_gold_label(doc_id, fname, value, item.label_sources.get(fname, ()))
        result.doc_labels_set += 1
