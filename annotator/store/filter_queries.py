"""The documents that pass the article list's filters, in one query.

A function over an open connection; :meth:`~annotator.store.Store.filter_documents`
reaches it and :mod:`annotator.doc_filters` says what the filters mean. Each condition is
one ``IN`` (or ``NOT IN``) over one table, joined with AND in a single ``SELECT`` over the
documents: one query whatever the size of the corpus.

A coder id of ``None`` in a condition means *any coder* (the gold layer is not a coder
and never counts); a coder id this file does not know (``-1``) has no rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

# A document field's stored value is JSON: a string (single) or an array (multi).
_FIELD_HAS_VALUE = (
    "(l.value = ? OR (json_valid(l.value) AND json_type(l.value) = 'array'"
    " AND EXISTS (SELECT 1 FROM json_each(l.value) j WHERE j.value = ?)))"
)

# What counts as having coded a document (as progress and agreement count it): a span, a
# document field value, or a status past "new" (a memo alone is not coding).
_CODED = (
    "d.id IN (SELECT document_id FROM status WHERE annotator_id = ? AND state != 'new'"
    " UNION SELECT document_id FROM spans WHERE annotator_id = ?"
    " UNION SELECT document_id FROM doc_labels WHERE annotator_id = ?)"
)


def _who(alias: str, aid: int | None, gold: int) -> tuple[str, list[object]]:
    """The coder part of a condition: one coder, or anyone but the gold layer."""
    if aid is None:
        return f"{alias}.annotator_id != ?", [gold]
    return f"{alias}.annotator_id = ?", [aid]


def filter_documents(
    conn: sqlite3.Connection,
    *,
    gold: int,
    status: tuple[int, str] | None = None,
    label: tuple[int | None, str, bool] | None = None,
    field: tuple[int | None, str, str | None] | None = None,
    coded_by: int | None = None,
    among: Iterable[int] | None = None,
) -> list[int]:
    """Ids (sorted) of the documents that pass every condition given:

    - ``status``: ``(coder, state)``, the coder's state of the document (no row: "new");
    - ``label``: ``(coder or None, label, has)``, a span with that label (``has``) or none;
    - ``field``: ``(coder or None, field, value)``, the field holds ``value`` (a multi
      field: among its options), or, with ``value`` None, nobody (that coder) set it;
    - ``coded_by``: the coder coded the document;
    - ``among``: only these document ids (e.g. those a full-text query matched).

    ``gold`` is the gold layer's coder id (-1 if none), left out of "any coder".

    Each condition is an ``IN`` (or ``NOT IN``) over one table's rows, which SQLite
    evaluates once; the documents are read through their hash index (the table's rows
    hold the texts) and sorted here, so no row of text is read."""
    where: list[str] = []
    params: list[object] = []
    if status is not None:
        aid, state = status
        if state == "new":
            where.append(
                "d.id NOT IN (SELECT document_id FROM status"
                " WHERE annotator_id = ? AND state != 'new')"
            )
            params.append(aid)
        else:
            where.append(
                "d.id IN (SELECT document_id FROM status WHERE annotator_id = ? AND state = ?)"
            )
            params += [aid, state]
    if label is not None:
        aid_l, name, has = label
        who, who_params = _who("s", aid_l, gold)
        where.append(
            ("d.id IN" if has else "d.id NOT IN")
            + f" (SELECT s.document_id FROM spans s WHERE {who} AND s.label = ?)"
        )
        params += [*who_params, name]
    if field is not None:
        aid_f, fname, value = field
        who, who_params = _who("l", aid_f, gold)
        base = f"SELECT l.document_id FROM doc_labels l WHERE {who} AND l.field = ?"
        if value is None:
            where.append(f"d.id NOT IN ({base})")
            params += [*who_params, fname]
        else:
            where.append(f"d.id IN ({base} AND {_FIELD_HAS_VALUE})")
            params += [*who_params, fname, _json_string(value), value]
    if coded_by is not None:
        where.append(_CODED)
        params += [coded_by] * 3
    sql = "SELECT d.id FROM documents d"  # no ORDER BY: the covering index is read
    if where:
        sql += " WHERE " + " AND ".join(where)
    ids = sorted(int(r[0]) for r in conn.execute(sql, params))
    if among is None:
        return ids
    wanted = set(among)
    return [i for i in ids if i in wanted]


def _json_string(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
