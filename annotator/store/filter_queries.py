"""The documents that pass the article list's filters, in one query.

A function over an open connection; :meth:`~annotator.store.Store.filter_documents`
reaches it and :mod:`annotator.doc_filters` says what the filters mean. Each condition is
one ``EXISTS`` (or ``NOT EXISTS``) over an indexed table, joined with AND in a single
``SELECT`` over the documents: the number of queries does not grow with the corpus.

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
# document field value or a memo, or a status past "new".
_CODED = (
    "(EXISTS (SELECT 1 FROM status st WHERE st.document_id = d.id AND st.annotator_id = ?"
    " AND st.state != 'new')"
    " OR EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id AND s.annotator_id = ?)"
    " OR EXISTS (SELECT 1 FROM doc_labels l WHERE l.document_id = d.id AND l.annotator_id = ?)"
    " OR EXISTS (SELECT 1 FROM memos m WHERE m.document_id = d.id AND m.annotator_id = ?))"
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

    ``gold`` is the gold layer's coder id (-1 if none), left out of "any coder"."""
    where: list[str] = []
    params: list[object] = []
    if status is not None:
        aid, state = status
        where.append(
            "coalesce((SELECT st.state FROM status st WHERE st.document_id = d.id"
            " AND st.annotator_id = ?), 'new') = ?"
        )
        params += [aid, state]
    if label is not None:
        aid_l, name, has = label
        who, who_params = _who("s", aid_l, gold)
        where.append(
            ("" if has else "NOT ")
            + f"EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id AND {who}"
            " AND s.label = ?)"
        )
        params += [*who_params, name]
    if field is not None:
        aid_f, fname, value = field
        who, who_params = _who("l", aid_f, gold)
        base = f"SELECT 1 FROM doc_labels l WHERE l.document_id = d.id AND {who} AND l.field = ?"
        if value is None:
            where.append(f"NOT EXISTS ({base})")
            params += [*who_params, fname]
        else:
            where.append(f"EXISTS ({base} AND {_FIELD_HAS_VALUE})")
            params += [*who_params, fname, _json_string(value), value]
    if coded_by is not None:
        where.append(_CODED)
        params += [coded_by] * 4
    sql = "SELECT d.id FROM documents d"
    if where:
        sql += " WHERE " + " AND ".join(where)
    ids = [int(r[0]) for r in conn.execute(sql + " ORDER BY d.id", params)]
    if among is None:
        return ids
    wanted = set(among)
    return [i for i in ids if i in wanted]


def _json_string(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
