"""Undoable gold-layer edits for the review window (the pattern of ``commands.py``).

Gold spans are found again by (start, end, label) when a command runs, never by a
remembered id: undoing a deletion has to re-add the span with
``Store.add_gold_span`` (which gives it a new id) because ``restore_span`` would not
bring back its sources. Each command passes the key of the decision it touched to
``after_edit`` so the window can select it again.
"""

from __future__ import annotations

from ..errors import NotFoundError, ValidationError
from ..models import Span
from ..store import GOLD
from .commands import Editor, StoreCommand

SpanKey = tuple[int, int, str]


def find_gold(editor: Editor, doc_id: int, key: SpanKey) -> Span:
    for s in editor.store.spans(doc_id, GOLD):
        if (s.start, s.end, s.label) == key:
            return s
    raise NotFoundError(f"the gold span {key} is no longer there (changed elsewhere?)")


def _refuse_duplicate(editor: Editor, doc_id: int, key: SpanKey) -> None:
    if any((s.start, s.end, s.label) == key for s in editor.store.spans(doc_id, GOLD)):
        raise ValidationError("gold already has that span")


class AddGoldSpan(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, key: SpanKey, sources: tuple[str, ...], focus):
        super().__init__(editor, doc_id, f"Accept {key[2]} span into gold")
        self.key, self.sources, self.focus = key, sources, focus

    def apply(self):
        _refuse_duplicate(self.editor, self.doc_id, self.key)
        self.editor.store.add_gold_span(self.doc_id, *self.key, self.sources)
        return self.focus

    def revert(self):
        span = find_gold(self.editor, self.doc_id, self.key)
        self.editor.store.delete_span(span.id)
        return self.focus


class DeleteGoldSpan(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, span: Span, sources: tuple[str, ...], focus):
        super().__init__(editor, doc_id, f"Reject {span.label} span from gold")
        self.key: SpanKey = (span.start, span.end, span.label)
        self.note, self.sources, self.focus = span.note, sources, focus

    def apply(self):
        span = find_gold(self.editor, self.doc_id, self.key)
        self.editor.store.delete_span(span.id)
        return self.focus

    def revert(self):
        _refuse_duplicate(self.editor, self.doc_id, self.key)
        self.editor.store.add_gold_span(self.doc_id, *self.key, self.sources, self.note)
        return self.focus


class EditGoldSpan(StoreCommand):
    """Move and/or relabel a gold span (same id, same sources), in one transaction."""

    def __init__(self, editor: Editor, doc_id: int, old: SpanKey, new: SpanKey, focus):
        super().__init__(editor, doc_id, "Edit gold span")
        self.old, self.new, self.focus = old, new, focus

    def _change(self, a: SpanKey, b: SpanKey):
        store = self.editor.store
        span = find_gold(self.editor, self.doc_id, a)
        _refuse_duplicate(self.editor, self.doc_id, b)
        with store.transaction():
            if (a[0], a[1]) != (b[0], b[1]):
                store.move_span(span.id, b[0], b[1])
            if a[2] != b[2]:
                store.relabel_span(span.id, b[2])
        return self.focus

    def apply(self):
        return self._change(self.old, self.new)

    def revert(self):
        return self._change(self.new, self.old)


class SetGoldField(StoreCommand):
    def __init__(
        self,
        editor: Editor,
        doc_id: int,
        field: str,
        old: tuple,  # (value, sources)
        new: tuple,
        focus,
    ):
        verb = "Clear" if new[0] is None else "Set"
        super().__init__(editor, doc_id, f"{verb} gold {field}")
        self.field, self.old, self.new, self.focus = field, old, new, focus

    def _set(self, value, sources):
        if isinstance(value, tuple):
            value = list(value)
        self.editor.store.set_gold_label(self.doc_id, self.field, value, sources)
        return self.focus

    def apply(self):
        return self._set(*self.new)

    def revert(self):
        return self._set(*self.old)
