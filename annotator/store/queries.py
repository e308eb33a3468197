"""The store's reports: whole-database reads for ``stats``, exports and agreement.

Plain functions over a :class:`~annotator.store.Store` (its methods of the same names
call them); one document is in memory at a time. They name the store through the
:class:`QueryStore` protocol (what they use of it), so this module does not import the
module that defines ``Store`` and imports it: no cycle, not even for type checking.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Collection, Iterator
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import NotFoundError
from ..models import DocLabel, Document, Progress, Span
from ..packing import unpack
from .names import GOLD, lookup_name
from .rows import by_document, loads, value_from_json

if TYPE_CHECKING:
    from ..scheme import Scheme


class QueryStore(Protocol):
    """What the reports read of a :class:`~annotator.store.Store`."""

    conn: sqlite3.Connection
    path: Path

    @property
    def scheme(self) -> Scheme: ...
    def coders(self) -> list[str]: ...
    def document_count(self) -> int: ...
    def progress(self, coder: str) -> Progress: ...
    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]: ...
    def doc_labels(self, doc_id: int, coder: str) -> dict[str, str | tuple[str, ...]]: ...
    def all_doc_labels(self, doc_id: int) -> list[DocLabel]: ...
    def statuses(self, doc_id: int) -> dict[str, tuple[str, float]]: ...
    def memos(self, doc_id: int) -> dict[str, str]: ...


# (document, (token starts, token ends), coder, spans, document labels)
Labelled = tuple[
    Document, tuple[tuple[int, ...], tuple[int, ...]], str | None, list[Span], list[DocLabel]
]
# (doc_id, title, length, [(coder, state)], [(coder, start, end, label, origin)],
#  [(coder, field, value, origin)])
Coding = tuple[
    int,
    str,
    int,
    list[tuple[str, str]],
    list[tuple[str, int, int, str, str]],
    list[tuple[str, str, str | tuple[str, ...], str]],
]


def stats(store: QueryStore) -> dict[str, Any]:
    """Counts for ``annotator stats``: documents, coders, spans per label, done per coder.

    ``spans`` and ``spans_per_label`` count the coders' spans; the adjudicated gold layer,
    which is not a coder, is counted on its own under ``gold``.
    """
    spans_per_label = dict.fromkeys(store.scheme.label_names, 0)
    for label, n in store.conn.execute(
        "SELECT s.label, count(*) FROM spans s JOIN annotators a ON a.id = s.annotator_id"
        " WHERE a.name != ? GROUP BY s.label ORDER BY s.label",
        (GOLD,),
    ):
        spans_per_label[label] = n
    gold_spans, gold_docs = store.conn.execute(
        "SELECT (SELECT count(*) FROM spans WHERE annotator_id = a.id),"
        " (SELECT count(*) FROM (SELECT document_id FROM spans WHERE annotator_id = a.id"
        "  UNION SELECT document_id FROM doc_labels WHERE annotator_id = a.id))"
        " FROM annotators a WHERE a.name = ?",
        (GOLD,),
    ).fetchone() or (0, 0)
    coders = {}
    for name in store.coders():
        p = store.progress(name)
        n_spans = store.conn.execute(
            "SELECT count(*) FROM spans s JOIN annotators a ON a.id = s.annotator_id"
            " WHERE a.name = ?",
            (name,),
        ).fetchone()[0]
        coders[name] = {"done": p.done, "in_progress": p.in_progress, "spans": n_spans}
    return {
        "database": str(store.path),
        "scheme": {"name": store.scheme.name, "version": store.scheme.version},
        "documents": store.document_count(),
        "annotators": store.coders(),
        "spans": sum(spans_per_label.values()),
        "spans_per_label": spans_per_label,
        "done_per_annotator": {k: v["done"] for k, v in coders.items()},
        "per_annotator": coders,
        "gold": {"documents": gold_docs, "spans": gold_spans},
    }


def iter_labelled(
    store: QueryStore, coder: str | None = None, include_unlabelled: bool = False
) -> Iterator[Labelled]:
    """Stream ``(document, (token starts, token ends), coder, spans, doc_labels)``.

    One document is in memory at a time. A coder (not the gold layer) whose status of a
    document is past 'new' is yielded even without labels (coded, no spans), and so is
    one who wrote a memo on it. With
    ``include_unlabelled`` a document nobody (or not ``coder``) labelled or started
    is yielded once with empty lists.
    """
    wanted = lookup_name(coder) if coder is not None else None
    docs = store.conn.execute(
        "SELECT id, sha256, title, source, text, meta, added_at, tokens FROM documents ORDER BY id"
    )
    for row in docs:
        doc = Document(row[0], row[1], row[2] or "", row[3] or "", row[4], loads(row[5]), row[6])
        tokens = unpack(row[7])
        spans = store.spans(doc.id, wanted) if wanted else store.spans(doc.id)
        labels = [dl for dl in store.all_doc_labels(doc.id) if wanted in (None, dl.coder)]
        started = {
            name
            for name, (state, _secs) in store.statuses(doc.id).items()
            if state != "new" and name != GOLD and wanted in (None, name)
        }
        memos = {name for name in store.memos(doc.id) if wanted in (None, name)}
        coders = sorted({s.coder for s in spans} | {dl.coder for dl in labels} | started | memos)
        if not coders and include_unlabelled:
            yield doc, tokens, wanted, [], []
            continue
        for who in coders:
            yield (
                doc,
                tokens,
                who,
                [s for s in spans if s.coder == who],
                [dl for dl in labels if dl.coder == who],
            )


def iter_coding(store: QueryStore, documents: Collection[int] | None = None) -> Iterator[Coding]:
    """Every document in id order (only those in ``documents`` when given) with what the
    coders did on it:
    ``(doc_id, title, length, [(coder, state)], [(coder, start, end, label, origin)],
    [(coder, field, value, origin)])``; spans ordered by position (as :meth:`spans`), document
    labels by coder and field (as :meth:`all_doc_labels`). Four queries read side by
    side, so memory does not grow with the database; with ``documents`` each reads only
    the rows of those documents (the ids passed as one JSON array, nothing written)."""
    c = store.conn
    ids: tuple[str, ...] = ()
    only = ""
    if documents is not None:
        import json

        ids = (json.dumps(sorted({int(d) for d in documents})),)
        only = " IN (SELECT value FROM json_each(?))"
    docs = c.execute(
        "SELECT id, title, length FROM documents"
        + (" WHERE id" + only if only else "")
        + " ORDER BY id",
        ids,
    )
    states = by_document(
        c.execute(
            "SELECT st.document_id, a.name, st.state FROM status st"
            " JOIN annotators a ON a.id = st.annotator_id"
            + (" WHERE st.document_id" + only if only else "")
            + " ORDER BY st.document_id",
            ids,
        )
    )
    spans = by_document(
        c.execute(
            "SELECT s.document_id, a.name, s.start, s.end, s.label, s.origin FROM spans s"
            " JOIN annotators a ON a.id = s.annotator_id"
            + (" WHERE s.document_id" + only if only else "")
            + " ORDER BY s.document_id, s.start, s.end, s.id",
            ids,
        )
    )
    labels = by_document(
        c.execute(
            "SELECT l.document_id, a.name, l.field, l.value, l.origin FROM doc_labels l"
            " JOIN annotators a ON a.id = l.annotator_id"
            + (" WHERE l.document_id" + only if only else "")
            + " ORDER BY l.document_id, a.name, l.field",
            ids,
        )
    )
    for doc_id, title, length in docs:
        yield (
            doc_id,
            title,
            length,
            states(doc_id),
            spans(doc_id),
            [(a, f, value_from_json(v), o) for a, f, v, o in labels(doc_id)],
        )


def span_labels(store: QueryStore) -> list[str]:
    """Every label a stored span has (any coder, any scheme version), sorted."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]


def word_tokens(store: QueryStore, doc_id: int) -> tuple[list[int], list[int]]:
    """Starts and ends of a document's tokens that are not whitespace, in stored order
    (the units of token-level agreement)."""
    row = store.conn.execute("SELECT text, tokens FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is None:
        raise NotFoundError(f"unknown document {doc_id!r}")
    text, (starts, ends) = row[0], unpack(row[1])
    if len(starts) < 2:  # noqa: SIM108
        firsts = [text[s] for s in starts]
    else:  # C-level loops: a document has thousands of tokens
        firsts = operator.itemgetter(*starts)(text)
    words = list(map(operator.not_, map(str.isspace, firsts)))
    return list(compress(starts, words)), list(compress(ends, words))


def gold_span_sources(store: QueryStore, doc_id: int) -> dict[int, tuple[str, ...]]:
    """``{gold span id: coders it came from}`` for one document."""
    out: dict[int, list[str]] = {s.id: [] for s in store.spans(doc_id, GOLD)}
    rows = store.conn.execute(
        "SELECT g.span_id, a.name FROM gold_span_sources g"
        " JOIN spans s ON s.id = g.span_id JOIN annotators a ON a.id = g.annotator_id"
        " WHERE s.document_id = ? ORDER BY a.name",
        (doc_id,),
    )
    for span_id, name in rows:
        out.setdefault(span_id, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def gold_label_sources(store: QueryStore, doc_id: int) -> dict[str, tuple[str, ...]]:
    """``{field: coders the gold value came from}`` for one document."""
    out: dict[str, list[str]] = {f: [] for f in store.doc_labels(doc_id, GOLD)}
    rows = store.conn.execute(
        "SELECT g.field, a.name FROM gold_label_sources g"
        " JOIN annotators a ON a.id = g.annotator_id WHERE g.document_id = ? ORDER BY a.name",
        (doc_id,),
    )
    for fname, name in rows:
        out.setdefault(fname, []).append(name)
    return {k: tuple(v) for k, v in out.items()}
