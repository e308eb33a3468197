"""The store with the pending edits laid over it: what a window that reads the store in
many places (review mode) shows."""

from __future__ import annotations

from typing import Any, TypeVar

from ..models import Span
from ..records import replace
from ..store import GOLD, Store
from .edits import (
    AddGoldSpan,
    AddSpan,
    DeleteGoldSpan,
    Edit,
    EditGoldSpan,
    RejectDecision,
    SetGoldLabel,
    SetMemo,
    edited_memo,
)
from .queue import PendingEdits
from .reading import SpanKey

E = TypeVar("E", bound=Edit)


class Overlay:
    """A read-only view of a store with the pending edits laid over it, for windows that
    read the store in many places (review mode): spans and fields of every coder and of
    the gold layer, gold sources, rejected decisions and the coders' memos. Everything else is the store's.
    """

    def __init__(self, store: Store, q: PendingEdits) -> None:
        self._store = store
        self._q = q

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @property
    def real_store(self) -> Store:
        return self._store

    def _edits(self, doc_id: int, kinds: type[E] | tuple[type[E], ...]) -> list[E]:
        if not self._q.belongs_to(self._store):
            return []
        return [e for e in self._q.edits if e.doc_id == doc_id and isinstance(e, kinds)]

    def _gold(self, doc_id: int) -> tuple[list[Span], dict[int, tuple[str, ...]], set[int]]:
        spans = list(self._store.spans(doc_id, GOLD))
        sources = dict(self._store.gold_span_sources(doc_id))
        unsaved: set[int] = set()

        def at(key: SpanKey) -> int | None:
            return next((i for i, s in enumerate(spans) if (s.start, s.end, s.label) == key), None)

        for e in self._edits(doc_id, (AddGoldSpan, DeleteGoldSpan, EditGoldSpan)):
            if isinstance(e, AddGoldSpan):
                a, b, label = e.key
                spans.append(Span(e.handle, doc_id, GOLD, a, b, label, e.note))
                sources[e.handle] = tuple(e.sources)
                unsaved.add(e.handle)
            elif isinstance(e, DeleteGoldSpan):
                if (i := at(e.key)) is not None:
                    unsaved.discard(spans.pop(i).id)
            elif isinstance(e, EditGoldSpan) and (i := at(e.old)) is not None:
                a, b, label = e.new
                spans[i] = replace(spans[i], start=a, end=b, label=label)
                unsaved.add(spans[i].id)
        spans.sort(key=lambda s: (s.start, s.end, abs(s.id)))
        return spans, sources, unsaved

    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]:
        if coder == GOLD:
            return self._gold(doc_id)[0]
        if coder is not None:
            return self._q.spans(self._store.spans(doc_id, coder), doc_id, coder)[0]
        stored = [s for s in self._store.spans(doc_id) if s.coder != GOLD]
        coders = dict.fromkeys(s.coder for s in stored)
        for e in self._edits(doc_id, (AddSpan,)):
            coders.setdefault(e.coder)
        out: list[Span] = []
        for c in coders:
            mine = [s for s in stored if s.coder == c]
            out += self._q.spans(mine, doc_id, c)[0] if self._q.belongs_to(self._store) else mine
        out += self._gold(doc_id)[0]
        return sorted(out, key=lambda s: (s.start, s.end, abs(s.id)))

    def gold_span_sources(self, doc_id: int) -> dict[int, tuple[str, ...]]:
        return self._gold(doc_id)[1]

    def unsaved_gold_spans(self, doc_id: int) -> set[int]:
        return self._gold(doc_id)[2]

    def doc_labels(self, doc_id: int, coder: str) -> dict[str, Any]:
        stored = self._store.doc_labels(doc_id, coder)
        if coder != GOLD:
            if not self._q.belongs_to(self._store):
                return stored
            return self._q.fields(stored, doc_id, coder)[0]
        for e in self._edits(doc_id, (SetGoldLabel,)):
            if e.value is None:
                stored.pop(e.field, None)
            else:
                stored[e.field] = tuple(e.value) if isinstance(e.value, list) else e.value
        return stored

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]:
        sources = dict(self._store.gold_label_sources(doc_id))
        for e in self._edits(doc_id, (SetGoldLabel,)):
            if e.value is None:
                sources.pop(e.field, None)
            else:
                sources[e.field] = tuple(e.sources)
        return sources

    def unsaved_gold_fields(self, doc_id: int) -> set[str]:
        return {e.field for e in self._edits(doc_id, (SetGoldLabel,))}

    def rejected_decisions(self, doc_id: int) -> set[str]:
        rejected = set(self._store.rejected_decisions(doc_id))
        for e in self._edits(doc_id, (RejectDecision,)):
            if e.reject:
                rejected.add(e.decision)
            else:
                rejected.discard(e.decision)
        return rejected

    def memo(self, doc_id: int, coder: str) -> str:
        return edited_memo(self._edits(doc_id, (SetMemo,)), self._store.memo(doc_id, coder),
                           doc_id, coder)  # fmt: skip

    def memos(self, doc_id: int) -> dict[str, str]:
        memos = dict(self._store.memos(doc_id))
        for e in self._edits(doc_id, (SetMemo,)):
            if e.text.strip():
                memos[e.coder] = e.text
            else:
                memos.pop(e.coder, None)
        return dict(sorted(memos.items()))

    def unsaved_memos(self, doc_id: int) -> set[str]:
        """The coders whose memo on the document is not saved as shown."""
        return {e.coder for e in self._edits(doc_id, (SetMemo,))}
