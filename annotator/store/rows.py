"""How rows are written and read back: timestamps, JSON columns, notes, and reading
several sorted queries side by side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from ..errors import ValidationError

# The columns of a span, as :class:`~annotator.models.Span` takes them.
SPAN_SQL = (
    "SELECT s.id, s.document_id, a.name, s.start, s.end, s.label, coalesce(s.note, ''),"
    " s.scheme_version, s.created_at, s.updated_at"
    " FROM spans s JOIN annotators a ON a.id = s.annotator_id"
)


def now() -> str:
    """UTC timestamp, ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def by_document(rows: Iterator[tuple]):
    """For rows sorted by their first column (a document id): a function returning the
    rest of each row of one document, called with increasing ids."""
    it = iter(rows)
    head = next(it, None)

    def take(doc_id: int) -> list[tuple]:
        nonlocal head
        while head is not None and head[0] < doc_id:  # rows of no document: skipped
            head = next(it, None)
        out = []
        while head is not None and head[0] == doc_id:
            out.append(head[1:])
            head = next(it, None)
        return out

    return take


def loads(value: str | None) -> dict[str, Any]:
    return json.loads(value) if value else {}


def value_json(value: str | tuple[str, ...]) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def value_from_json(value: str) -> str | tuple[str, ...]:
    v = json.loads(value)
    return tuple(v) if isinstance(v, list) else v


def check_note(note: str | None) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationError(f"note must be text, got {note!r}")
    return note
