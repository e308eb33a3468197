"""Undoable gold-layer edits for the review window (the pattern of ``commands.py``).

Each store call goes through ``editor.write`` (the pending-edit queue of
``annotator/pending/``: a write the database refuses for now is kept, shown as unsaved
and retried in order); the checks read ``editor.store``, which shows the pending edits.
Gold spans are found again by (start, end, label) when a command runs, never by a
remembered id: undoing a deletion has to re-add the span with
``Store.add_gold_span`` (which gives it a new id) because ``restore_span`` would not
bring back its sources. Each command passes the key of the decision it touched to
``after_edit`` so the window can select it again.
"""

from __future__ import annotations

from .. import pending as P
from ..models import Span
from .commands import Editor, StoreCommand

SpanKey = tuple[int, int, str]


def find_gold(editor: Editor, doc_id: int, key: SpanKey) -> Span:
    return P.find_gold(editor.store, doc_id, key)


def _refuse_duplicate(editor: Editor, doc_id: int, key: SpanKey) -> None:
    P.refuse_gold_duplicate(editor.store, doc_id, key)


class AddGoldSpan(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, key: SpanKey, sources: tuple[str, ...], focus):
        super().__init__(editor, doc_id, f"Accept {key[2]} span into gold")
        self.key, self.sources, self.focus = key, sources, focus

    def apply(self):
        _refuse_duplicate(self.editor, self.doc_id, self.key)
        handle = self.editor.pending.new_handle()
        self.editor.write(P.AddGoldSpan(self.doc_id, self.key, tuple(self.sources), handle))
        return self.focus

    def revert(self):
        find_gold(self.editor, self.doc_id, self.key)
        self.editor.write(P.DeleteGoldSpan(self.doc_id, self.key))
        return self.focus


class DeleteGoldSpan(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, span: Span, sources: tuple[str, ...], focus):
        super().__init__(editor, doc_id, f"Reject {span.label} span from gold")
        self.key: SpanKey = (span.start, span.end, span.label)
        self.note, self.sources, self.focus = span.note, sources, focus

    def apply(self):
        find_gold(self.editor, self.doc_id, self.key)
        self.editor.write(P.DeleteGoldSpan(self.doc_id, self.key))
        return self.focus

    def revert(self):
        _refuse_duplicate(self.editor, self.doc_id, self.key)
        handle = self.editor.pending.new_handle()
        self.editor.write(
            P.AddGoldSpan(self.doc_id, self.key, tuple(self.sources), handle, self.note)
        )
        return self.focus


class EditGoldSpan(StoreCommand):
    """Move and/or relabel a gold span (same id, same sources), in one transaction."""

    def __init__(self, editor: Editor, doc_id: int, old: SpanKey, new: SpanKey, focus):
        super().__init__(editor, doc_id, "Edit gold span")
        self.old, self.new, self.focus = old, new, focus

    def _change(self, a: SpanKey, b: SpanKey):
        find_gold(self.editor, self.doc_id, a)
        _refuse_duplicate(self.editor, self.doc_id, b)
        self.editor.write(P.EditGoldSpan(self.doc_id, a, b))
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
        self.editor.write(P.SetGoldLabel(self.doc_id, self.field, value, tuple(sources)))
        return self.focus

    def apply(self):
        return self._set(*self.new)

    def revert(self):
        return self._set(*self.old)
