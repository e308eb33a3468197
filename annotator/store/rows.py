"""How rows are written and read back: timestamps, JSON columns, notes, and reading
several sorted queries side by side."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from ..errors import ValidationError
from ..scheme import Scheme

# The columns of a span, as :class:`~annotator.models.Span` takes them.
SPAN_SQL = (
    "SELECT s.id, s.document_id, a.name, s.start, s.end, s.label, coalesce(s.note, ''),"
    " s.scheme_version, s.created_at, s.updated_at, s.origin"
    " FROM spans s JOIN annotators a ON a.id = s.annotator_id"
)


# Values bound at most in one ``IN (...)`` list: under SQLite's limit on a statement's
# parameters (999 before 3.32).
IN_CHUNK = 500


def rows_in(
    conn: sqlite3.Connection, sql: str, values: Iterable[Any], chunk: int = IN_CHUNK
) -> Iterator[Any]:
    """The rows of ``sql`` (one ``{}`` where the ``IN`` list's marks go) for every value of
    ``values``, asked ``chunk`` values at a time (each value once: duplicates dropped)."""
    wanted = list(dict.fromkeys(values))
    for at in range(0, len(wanted), chunk):
        part = wanted[at : at + chunk]
        yield from conn.execute(sql.format(",".join("?" * len(part))), part)


def now() -> str:
    """UTC timestamp, ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def stamp_or_now(value: object) -> str:
    """``value`` as :func:`now` writes a time, if it is one (ISO 8601 text with a time
    zone: a timestamp copied from a coder's file, which keeps when they coded); anything
    else (not text, no zone, not a time) gives :func:`now`."""
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value)
            if stamp.tzinfo is not None and stamp.utcoffset() is not None:
                return stamp.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        except (ValueError, OverflowError):  # not a time; a year 1 moved to UTC
            return now()
    return now()


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The rowid of the row the INSERT just run on ``cur`` made (typed ``int | None``: it
    is None only on a cursor that has run no INSERT)."""
    rowid = cur.lastrowid
    assert rowid is not None, "a cursor that has run an INSERT"
    return rowid


def by_document(rows: Iterator[tuple[Any, ...]]) -> Callable[[int], list[tuple[Any, ...]]]:
    """For rows sorted by their first column (a document id): a function returning the
    rest of each row of one document, called with increasing ids."""
    it = iter(rows)
    head = next(it, None)

    def take(doc_id: int) -> list[tuple[Any, ...]]:
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
    if not value or value == "{}":  # no meta, as stored: without loading json
        return {}
    import json

    return json.loads(value)  # type: ignore[no-any-return]


def value_json(value: str | tuple[str, ...]) -> str:
    import json

    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def value_from_json(value: str) -> str | tuple[str, ...]:
    import json

    v = json.loads(value)
    return tuple(v) if isinstance(v, list) else v


def check_note(note: str | None, what: str = "note") -> str:
    """A span note or a document memo as stored (``None``: ""), or ValidationError."""
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationError(f"{what} must be text, got {note!r}")
    try:
        note.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: SQLite cannot store it
        raise ValidationError(
            f"{what} has a character that is not valid Unicode at position {e.start}"
        ) from None
    return note


def field_value(
    scheme: Scheme, field: str, value: str | Iterable[str] | None
) -> str | tuple[str, ...] | None:
    """A document field's value as stored (``None``: cleared), or ValidationError: a
    ``single`` field takes one of its options, a ``multi`` field any subset of them (kept
    in scheme order; an empty list records "none of them")."""
    spec = scheme.field(field)
    if spec is None:
        raise ValidationError(
            f"field {field!r} is not in scheme '{scheme.name}' v{scheme.version}"
            f" (fields: {', '.join(scheme.field_names)})"
        )
    if value is None:
        return None
    if spec.kind == "single":
        if not isinstance(value, str) or value not in spec.options:
            raise ValidationError(
                f"{value!r} is not an option of field {field!r} ({', '.join(spec.options)})"
            )
        return value
    if isinstance(value, str):
        raise ValidationError(f"field {field!r} takes a list of options, got {value!r}")
    chosen = set(value)
    bad = sorted(str(v) for v in chosen if v not in spec.options)
    if bad:
        raise ValidationError(
            f"{bad[0]!r} is not an option of field {field!r} ({', '.join(spec.options)})"
        )
    return tuple(o for o in spec.options if o in chosen)
