"""What reads a database (ReadStore: a Store, or an Overlay) and the span lookups over
it: the store's duplicate rule for spans that may not be stored yet, gold spans found by
(start, end, label) as the review does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from ..errors import DuplicateSpanError, NotFoundError
from ..models import DocLabel, Span
from ..scheme import Scheme
from ..store import GOLD

SpanKey = tuple[int, int, str]


class ReadStore(Protocol):
    """What reads a database: a :class:`~annotator.store.Store`, or an :class:`Overlay`
    (the store with the pending edits laid over it, what a window shows). The
    adjudication logic (``decisions.py``) and the windows' commands read through it."""

    @property
    def scheme(self) -> Scheme: ...

    def document_ids(self) -> list[int]: ...

    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]: ...

    def gold_span_sources(self, doc_id: int) -> dict[int, tuple[str, ...]]: ...

    def doc_labels(self, doc_id: int, coder: str) -> dict[str, Any]: ...

    def all_doc_labels(self, doc_id: int) -> list[DocLabel]: ...

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]: ...

    def rejected_decisions(self, doc_id: int) -> set[str]: ...

    def memo(self, doc_id: int, coder: str) -> str: ...

    def memos(self, doc_id: int) -> dict[str, str]: ...

    def snap_to_tokens(self, doc_id: int, start: int, end: int) -> tuple[int, int]: ...


def identical_span(spans: Iterable[Span], key: SpanKey) -> Span | None:
    """The first of ``spans`` (one layer's) with ``key``'s start, end and label: the
    store's duplicate rule (``Store.add_span(..., unique=True)``), for spans that may not
    be stored yet."""
    return next((s for s in spans if (s.start, s.end, s.label) == key), None)


def refuse_identical(spans: Iterable[Span], key: SpanKey, message: str) -> None:
    """DuplicateSpanError(``message``, existing=its id) if ``spans`` hold ``key``'s span
    already; ``spans`` as the user sees them (the pending edits included), so a span not
    yet written is found too (the store refuses one already written, whatever is shown)."""
    same = identical_span(spans, key)
    if same is not None:
        raise DuplicateSpanError(message, existing=same.id)


def find_gold(store: ReadStore, doc_id: int, key: SpanKey) -> Span:
    span = identical_span(store.spans(doc_id, GOLD), key)
    if span is None:
        raise NotFoundError(f"the gold span {key} is no longer there (changed elsewhere?)")
    return span


def refuse_gold_duplicate(store: ReadStore, doc_id: int, key: SpanKey) -> None:
    refuse_identical(store.spans(doc_id, GOLD), key, "gold already has that span")
