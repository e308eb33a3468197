"""The canonical JSONL export (Prodigy's span format plus document labels).

One line per (document, coder) with any label, a memo or a status past 'new' (with the
coder's memo, status and time spent); see :func:`records`. Writing is
streaming (one document in memory at a time) and atomic: the lines go to a
temporary file beside the target, which is renamed over it only when complete.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .atomic import atomic_folder, atomic_output
from .errors import AnnotatorError
from .formats.registry import WriteOptions, export_format
from .formats.writers import write_lines
from .models import DocLabel, Document, Span
from .store import GOLD, Store


def hash32(*parts: str) -> int:
    """A stable signed 32-bit hash (Prodigy's ``_input_hash`` / ``_task_hash`` are int32)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def token_records(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[dict[str, Any]]:
    """Prodigy-style tokens: ``text``, ``start``, ``end``, ``id``, ``ws``."""
    n = len(starts)
    nexts = [*starts[1:], len(text)] if n else []
    return [
        {"text": text[a:b], "start": a, "end": b, "id": i, "ws": nxt > b}
        for i, (a, b, nxt) in enumerate(zip(starts, ends, nexts, strict=True))
    ]


def _token_index(
    starts: Sequence[int], ends: Sequence[int], start: int, end: int
) -> tuple[int | None, int | None]:
    """Inclusive indices of the first and last token overlapping ``[start, end)``."""
    first = bisect_right(ends, start)
    last = bisect_left(starts, end) - 1
    if first > last:
        return None, None
    return first, last


def _timestamp(spans: list[Span], labels: list[DocLabel], memo_at: str = "") -> int | None:
    stamps = [s.updated_at for s in spans] + [dl.updated_at for dl in labels] + [memo_at]
    stamps = [s for s in stamps if s]
    if not stamps:
        return None
    return int(datetime.fromisoformat(max(stamps)).timestamp())


def record(
    doc: Document,
    tokens: tuple[Sequence[int], Sequence[int]],
    coder: str | None,
    spans: list[Span],
    labels: list[DocLabel],
    scheme_name: str,
    scheme_version: int,
    token_recs: list[dict[str, Any]] | None = None,
    status: tuple[str, float] | None = None,
    memo: tuple[str, str] = ("", ""),
) -> dict[str, Any]:
    """One canonical JSONL object (``token_recs``: this document's, if already built;
    ``status``: the coder's ``(state, seconds spent)``, written as ``status`` and
    ``seconds_spent``, null for the gold layer and for a record without a coder;
    ``memo``: the coder's memo on the document and when it was written, ``("", "")``:
    none; written as ``memo``, "" when there is none). Every span carries its ``origin``
    and ``doc_label_origins`` the origin of each field value (``manual``,
    ``suggestion:<source>``, ``edited:<source>``; the gold layer's are ``manual``: the
    adjudicator's decisions); neither is part of ``_task_hash``."""
    text = doc.text
    span_recs = []
    for s in spans:
        t0, t1 = _token_index(*tokens, s.start, s.end)
        span_recs.append(
            {
                "start": s.start,
                "end": s.end,
                "token_start": t0,
                "token_end": t1,
                "label": s.label,
                "text": text[s.start : s.end],
                "note": s.note,
                "scheme_version": s.scheme_version,
                "origin": s.origin,
            }
        )
    doc_labels = {
        dl.field: list(dl.value) if isinstance(dl.value, tuple) else dl.value for dl in labels
    }
    doc_label_origins = {dl.field: dl.origin for dl in labels}
    input_hash = hash32(doc.sha256)
    task_hash = hash32(
        str(input_hash),
        json.dumps([[s["start"], s["end"], s["label"]] for s in span_recs]),
        json.dumps(doc_labels, sort_keys=True),
    )
    versions = [s.scheme_version for s in spans] + [dl.scheme_version for dl in labels]
    meta = strict_meta(doc.meta)[0]
    meta.update({"doc_id": doc.id, "title": doc.title, "source": doc.source, "sha256": doc.sha256})
    return {
        "text": text,
        "meta": meta,
        "tokens": token_recs if token_recs is not None else token_records(text, *tokens),
        "spans": span_recs,
        "doc_labels": doc_labels,
        "doc_label_origins": doc_label_origins,
        "memo": memo[0],
        "status": status[0] if status else None,
        "seconds_spent": status[1] if status else None,
        "answer": "accept",
        "_annotator_id": coder,
        "_session_id": f"{scheme_name}-{coder}" if coder else None,
        "_input_hash": input_hash,
        "_task_hash": task_hash,
        "_timestamp": _timestamp(spans, labels, memo[1]),
        "scheme_version": max(versions) if versions else scheme_version,
    }


def records(
    store: Store,
    coder: str | None = None,
    include_unlabelled: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Canonical records, one per (document, coder) with any label, a memo or a status
    past 'new' (see :meth:`Store.iter_labelled`), in document order.

    ``warn`` gets one line per document whose stored ``meta`` JSON cannot hold (see
    :func:`strict_meta`; default: standard error).
    """
    warn = warn or _warn_stderr
    scheme = store.scheme
    last: tuple[int, list[dict[str, Any]]] | None = None  # one document's tokens, shared
    states: dict[str, tuple[str, float]] = {}
    memos: dict[str, tuple[str, str]] = {}
    for doc, tokens, who, spans, labels in store.iter_labelled(coder, include_unlabelled):
        if last is None or last[0] != doc.id:
            last = (doc.id, token_records(doc.text, *tokens))
            states = store.statuses(doc.id)
            memos = store.memo_rows(doc.id)
            problems = strict_meta(doc.meta)[1]
            if problems:
                warn(f"document {doc.id}: {'; '.join(problems)}")
        status = None
        if who is not None and who != GOLD:
            status = states.get(who, ("new", 0.0))
        memo = memos.get(who, ("", "")) if who is not None else ("", "")
        rec = record(
            doc, tokens, who, spans, labels, scheme.name, scheme.version, last[1], status, memo
        )
        if who == GOLD:
            _add_gold_sources(store, rec, doc.id, spans)
        yield rec


def _add_gold_sources(store: Store, rec: dict[str, Any], doc_id: int, spans: list[Span]) -> None:
    """The gold layer's provenance, so that ``import-labels`` restores it: the coders each
    gold span (``sources``) and each gold field value (``doc_label_sources``) came from."""
    span_sources = store.gold_span_sources(doc_id)
    for span, span_rec in zip(spans, rec["spans"], strict=True):
        span_rec["sources"] = list(span_sources.get(span.id, ()))
    rec["doc_label_sources"] = {f: list(v) for f, v in store.gold_label_sources(doc_id).items()}


def _warn_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def strict_meta(meta: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``meta`` as strict JSON can hold it, and what was changed (one phrase each).

    Versions before strict import stored ``NaN`` and ``Infinity`` (and a database written
    by another tool may hold an escaped lone surrogate): these are written as ``null``
    (and U+FFFD), so that every export is JSON that any reader parses.
    """
    problems: list[str] = []

    def fix(value: Any, path: str) -> Any:
        if isinstance(value, float):
            if value != value or value in (_INF, -_INF):
                name = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
                problems.append(f"{path} was {name}, written as null")
                return None
        elif isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                problems.append(f"{path} had a lone surrogate, written as U+FFFD")
                return _SURROGATE.sub("\ufffd", value)
        elif isinstance(value, dict):
            return {
                fix(k, f"{path} (a key)"): fix(v, f"{path}.{_shown(k)}") for k, v in value.items()
            }
        elif isinstance(value, list):
            return [fix(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    fixed = fix(meta, "meta")
    return fixed, problems


_INF = float("inf")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(key: Any) -> str:
    return _SURROGATE.sub("\ufffd", str(key))


def write_jsonl(
    recs: Iterable[dict[str, Any]],
    target: str | Path,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write records as JSON lines, atomically; returns the number of lines."""
    with atomic_output(target) as fh:
        return write_lines(recs, fh, progress)


def export_jsonl(
    store: Store,
    target: str | Path,
    coder: str | None = None,
    include_unlabelled: bool = False,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> int:
    """``annotator export``: canonical JSONL of the whole store to ``target``."""
    return write_jsonl(records(store, coder, include_unlabelled, warn), target, progress)


def export(
    store: Store,
    target: str | Path,
    fmt: str = "jsonl",
    coder: str | None = None,
    include_unlabelled: bool = False,
    progress: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    csv_raw: bool = False,
) -> int:
    """Export in any format of :mod:`annotator.formats.registry`; returns what the format
    counts (lines, rows, documents or file pairs written).

    ``doccano`` and ``brat`` write a folder (one file or subfolder per coder), ``spacy`` a
    folder of DocBin shards. ``warn`` gets a line per document whose old ``meta`` was made
    strict JSON (see :func:`records`). CSV cells that start like a spreadsheet formula get a
    leading ``'`` unless ``csv_raw``.
    """
    from .paths import prepare_output

    spec = export_format(fmt)
    if spec.folder and str(target) == "-":
        raise AnnotatorError(f"{fmt} export writes a folder; give -o FOLDER")
    prepare_output(target, folder=spec.folder, databases=[store])  # never over an input
    recs: Iterable[dict[str, Any]] = records(store, coder, include_unlabelled, warn)
    if progress:
        recs = _counting(recs, progress)
    options = WriteOptions(doc_fields=store.scheme.doc_fields, csv_raw=csv_raw)
    if spec.folder:
        with atomic_folder(target) as folder:
            return spec.write(recs, folder, options)
    with atomic_output(target) as fh:
        return spec.write(recs, fh, options)


def _counting(
    recs: Iterable[dict[str, Any]], progress: Callable[[int], None]
) -> Iterator[dict[str, Any]]:
    for n, rec in enumerate(recs, 1):
        yield rec
        progress(n)
