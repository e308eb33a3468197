"""The review window's rejected decisions, kept in the database so a review resumes
where it stopped (``Store.reject_decision``, written through the window's write path)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .. import pending as P
from ..decisions import Key


def key_text(key: Key) -> str:
    """How a decision key is stored (``rejected_decisions.decision``)."""
    return json.dumps(key, ensure_ascii=False)


class Rejections:
    """The set of rejected ``(document, decision key)`` pairs.

    ``store`` is what the window reads (pending edits included); ``write`` is the
    window's write path (``ReviewWindow.write``).
    """

    def __init__(self, store: P.ReadStore, write: Callable[[P.Edit], tuple[bool, Any]]):
        self.store = store
        self.write = write
        self._cache: dict[int, set[str]] = {}

    def _doc(self, doc_id: int) -> set[str]:
        if doc_id not in self._cache:
            self._cache[doc_id] = self.store.rejected_decisions(doc_id)
        return self._cache[doc_id]

    def __contains__(self, item: tuple[int, Key]) -> bool:
        doc_id, key = item
        return key_text(key) in self._doc(doc_id)

    def add(self, item: tuple[int, Key]) -> None:
        doc_id, key = item
        if item not in self:
            self.write(P.RejectDecision(doc_id, key_text(key), True))
            self._doc(doc_id).add(key_text(key))

    def discard(self, item: tuple[int, Key]) -> None:
        doc_id, key = item
        if item in self:
            self.write(P.RejectDecision(doc_id, key_text(key), False))
            self._doc(doc_id).discard(key_text(key))


def rejection_unsaved(pending: P.PendingEdits, doc_id: int, key: Key) -> bool:
    """Whether a rejection (or its undoing) of this decision is still waiting to be written."""
    text = key_text(key)
    return any(
        isinstance(e, P.RejectDecision) and e.decision == text and e.doc_id == doc_id
        for e in pending.edits
    )
