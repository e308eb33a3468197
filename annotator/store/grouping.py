"""Which group each document falls in for agreement across time (``agreement --by``):
its round, the scheme version it was coded under, or the week it was coded in.

Functions over an open connection; :meth:`Store.document_groups` reaches them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import datetime, timezone

GROUPINGS = ("round", "scheme-version", "week")


def _coder_filter(coder_ids: Collection[int] | None, column: str) -> tuple[str, list[int]]:
    if coder_ids is None:
        return "", []
    ids = sorted(coder_ids)
    return f" AND {column} IN ({','.join('?' * len(ids))})", ids


def by_round(conn: sqlite3.Connection) -> dict[int, str]:
    """``{document: round}``: the first round (in creation order) the document is
    assigned in."""
    out: dict[int, str] = {}
    rows = conn.execute(
        "SELECT a.document_id, r.name FROM assignments a JOIN rounds r ON r.id = a.round_id"
        " ORDER BY r.id, a.document_id"
    )
    for doc_id, name in rows:
        out.setdefault(doc_id, name)
    return out


def by_scheme_version(
    conn: sqlite3.Connection, coder_ids: Collection[int] | None
) -> dict[int, int]:
    """``{document: version}``: the newest scheme version among the document's spans and
    field values (of the given coders). A document coded without any label (moved past
    "new" with nothing to mark: the coders agree on it) takes the version in force when it
    was last marked — the newest recorded at or before then (the oldest if none was)."""
    where_s, ids = _coder_filter(coder_ids, "annotator_id")
    rows = conn.execute(
        "SELECT document_id, max(v) FROM ("
        " SELECT document_id, scheme_version AS v FROM spans WHERE 1=1" + where_s + " UNION ALL"
        " SELECT document_id, scheme_version FROM doc_labels WHERE 1=1" + where_s + ")"
        " WHERE v IS NOT NULL GROUP BY document_id",
        ids * 2,
    )
    out = {d: int(v) for d, v in rows}
    history = [(v, _instant(at)) for v, at in scheme_changes(conn)]
    if not history:
        return out
    marked = conn.execute(
        "SELECT document_id, max(updated_at) FROM status WHERE state <> 'new'"
        + where_s
        + " GROUP BY document_id",
        ids,
    )
    for doc_id, stamp in marked:
        if doc_id in out:
            continue
        when = _instant(stamp)
        version = history[0][0]
        for v, at in history:
            if when is not None and at is not None and at <= when:
                version = max(version, v)
        out[doc_id] = version
    return out


def _instant(stamp: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no zone), or None."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def by_week(conn: sqlite3.Connection, coder_ids: Collection[int] | None) -> dict[int, str]:
    """``{document: "YYYY-Www"}``: the ISO week of the latest coding of the document (the
    newest status change, span or field value of the given coders)."""
    where, ids = _coder_filter(coder_ids, "annotator_id")
    rows = conn.execute(
        "SELECT document_id, max(t) FROM ("
        " SELECT document_id, updated_at AS t FROM status WHERE state <> 'new'"
        + where
        + " UNION ALL"
        " SELECT document_id, updated_at FROM spans WHERE 1=1" + where + " UNION ALL"
        " SELECT document_id, updated_at FROM doc_labels WHERE 1=1" + where + ")"
        " WHERE t IS NOT NULL AND t <> '' GROUP BY document_id",
        ids * 3,
    )
    out: dict[int, str] = {}
    for doc_id, stamp in rows:
        week = iso_week(stamp)
        if week is not None:
            out[doc_id] = week
    return out


def iso_week(stamp: str) -> str | None:
    """``"YYYY-Www"`` of an ISO 8601 timestamp (None if it is not one)."""
    try:
        year, week, _ = datetime.fromisoformat(stamp).isocalendar()
    except (ValueError, TypeError):
        return None
    return f"{year}-W{week:02d}"


def round_order(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM rounds ORDER BY id")]


def scheme_changes(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """``(version, recorded at)`` of every scheme version, oldest first."""
    return [
        (int(v), str(at or ""))
        for v, at in conn.execute("SELECT version, created_at FROM schemes ORDER BY version")
    ]
