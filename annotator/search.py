"""Finding passages across the corpus: full-text search, keyword-in-context, coding every hit.

:func:`find` streams the hits of a query, each with exact code-point offsets into the
stored text (end exclusive: ``text[hit.start:hit.end] == hit.text``) and up to
:data:`CONTEXT` characters of context on the same line. A query is FTS5's syntax (words,
``"phrases"``, ``prefix*``, ``AND``/``OR``/``NOT``, ``NEAR(a b, 5)``), matched by the
store's full-text index (migration m007: case and Latin diacritics ignored, words are runs
of letters and digits); which characters matched is read from the index's own
``highlight()`` marks in the stored text, so a phrase across a line break, after an emoji,
in right-to-left text or with combining marks has the offsets the index saw. Two matches
that touch or overlap are one hit (FTS5 joins them), and a ``NEAR`` group's words are hits
one by one. Titles are searched too, but hits are in the text only: a document that
matches by its title alone has none.

With ``regex=True`` the query is a Python regular expression run over the texts one
document at a time (``(?i)`` for case-insensitive); empty matches are skipped.

:func:`apply_label` codes hits for a coder in one transaction (snapped to tokens, as the
window snaps a selection, unless ``snap="exact"``); a hit already covered by a span of
that coder with that label is skipped, so applying twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from .errors import SearchQueryError, ValidationError
from .records import FrozenRecord
from .store import Store

CONTEXT = 60  # characters of context on each side of a hit
# What ends a line for the context (str.splitlines' boundaries).
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Up to the last line break of a stretch, and the characters before the first one: one
# regular-expression match each, linear in the context's width.
_TO_LAST_BREAK = re.compile(f"(?s:.*)[{_LINE_BREAKS}]")
_NO_BREAKS = re.compile(f"[^{_LINE_BREAKS}]*")


class Hit(FrozenRecord):
    """One hit: ``text[start:end]`` of document ``doc_id`` with its context (a frozen
    record: as a frozen dataclass, made in a third of the time; a first screen makes a
    dozen of them while the coder waits)."""

    doc_id: int
    title: str
    start: int  # code-point offset into the stored text
    end: int  # exclusive
    text: str  # the stored text's characters start..end
    left: str  # up to CONTEXT characters before the hit, on its line
    right: str  # up to CONTEXT characters after the hit, on its line

    def __init__(
        self, doc_id: int, title: str, start: int, end: int, text: str, left: str, right: str
    ) -> None:
        d = self.__dict__
        d["doc_id"] = doc_id
        d["title"] = title
        d["start"] = start
        d["end"] = end
        d["text"] = text
        d["left"] = left
        d["right"] = right

    def to_dict(self) -> dict[str, Any]:
        """The ``search --json`` object of this hit."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "left": self.left,
            "right": self.right,
        }


@dataclass(frozen=True)
class Applied:
    added: int
    skipped: int  # already covered by a span of the coder with the label
    documents: int  # documents that gained a span


def context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    """Up to ``width`` characters before ``start`` and after ``end``, each cut at the first
    line break (the hit's own line)."""
    lo = start - width if start > width else 0
    left = text[lo:start]
    # Every line break is unprintable (a test checks it): a printable stretch has none,
    # and is the context as it is, without a regular expression.
    if not left.isprintable():
        last = _TO_LAST_BREAK.match(text, lo, start)
        if last:
            left = text[last.end() : start]
    right = text[end : end + width]
    if not right.isprintable():
        m = _NO_BREAKS.match(text, end, end + width)
        assert m is not None  # it matches the empty string
        right = m.group()
    return left, right


def marked_ranges(marked: str, open_: str, close: str) -> Iterator[tuple[int, int]]:
    """The ``(start, end)`` code-point ranges between the markers of ``marked`` (a text
    with ``open_`` and ``close`` inserted around each hit), as offsets into the text
    without the markers."""
    removed = 0
    i = 0
    while True:
        a = marked.find(open_, i)
        if a < 0:
            return
        b = marked.find(close, a + 1)
        if b < 0:
            return
        start = a - removed
        end = b - removed - 1
        removed += 2
        i = b + 1
        if end > start:
            yield start, end


def _hit(doc_id: int, title: str, text: str, start: int, end: int) -> Hit:
    left, right = context(text, start, end)
    return Hit(doc_id, title, start, end, text[start:end], left, right)


def find(
    store: Store, query: str, *, regex: bool = False, limit: int | None = None
) -> Iterator[Hit]:
    """The hits of ``query`` in document order (and by position within a document),
    streamed; at most ``limit``. SearchQueryError (one line) for a query that cannot be
    read: raised when the first hit is asked for."""
    if not isinstance(query, str) or not query.strip():
        raise SearchQueryError("search query is empty")
    if limit is not None and limit < 0:
        raise ValidationError(f"--limit must be 0 or more, got {limit}")
    hits = _regex_hits(store, query) if regex else _index_hits(store, query)
    if limit is None:
        yield from hits
        return
    for n, hit in enumerate(hits):
        if n >= limit:
            return
        yield hit


# The most words a full-text query may have: FTS5's highlight() takes time growing with
# the square of the query's terms (1,000 terms: a quarter of a second per document).
MAX_QUERY_WORDS = 200


def _index_hits(store: Store, query: str) -> Iterator[Hit]:
    if "\x00" in query:
        raise SearchQueryError("search query contains a NUL character")
    words = len(re.findall(r"\w+", query))
    if words > MAX_QUERY_WORDS:
        raise SearchQueryError(
            f"search query has {words} words; at most {MAX_QUERY_WORDS} (search for a shorter"
            " passage, or use --regex)"
        )
    for doc_id, title, text, marked, open_, close in store.search_rows(query):
        for start, end in marked_ranges(marked, open_, close):
            yield _hit(doc_id, title, text, start, end)


def _regex_hits(store: Store, pattern: str) -> Iterator[Hit]:
    try:
        rx = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as e:
        where = f" at position {e.pos}" if isinstance(e, re.error) and e.pos is not None else ""
        msg = e.msg if isinstance(e, re.error) else type(e).__name__
        raise SearchQueryError(f"regular expression {pattern[:80]!r}: {msg}{where}") from None
    for doc_id, title, text in store.document_texts():
        for m in rx.finditer(text):
            if m.end() > m.start():
                yield _hit(doc_id, title, text, m.start(), m.end())


def apply_label(
    store: Store,
    hits: Iterable[Hit],
    coder: str,
    label: str,
    snap: Literal["tokens", "exact"] = "tokens",
) -> Applied:
    """Label every hit for ``coder`` in one transaction (all or nothing): what
    :func:`annotator.search_filters.plan_labels` plans (every hit read before writing)."""
    from .search_filters import plan_labels

    plan = plan_labels(store, list(hits), coder, label, snap)
    with store.transaction():
        for doc_id, start, end in plan.add:
            store.add_span(doc_id, coder, start, end, label)
    return Applied(len(plan.add), plan.skipped, len({doc for doc, _, _ in plan.add}))


def kwic_lines(hits: Iterable[Hit], width: int = 40, title_width: int = 24) -> Iterator[str]:
    """Keyword-in-context lines aligned on the hit: document id, title, the left context
    right-aligned in ``width`` characters, the hit in brackets, the right context."""
    for h in hits:
        title = h.title if len(h.title) <= title_width else h.title[: title_width - 1] + "…"
        left = h.left[-width:].rjust(width)
        shown = " ".join(h.text.split()) if any(c in h.text for c in _LINE_BREAKS) else h.text
        yield f"{h.doc_id:>5}  {title:<{title_width}}  {left}[{shown}]{h.right[:width]}"
