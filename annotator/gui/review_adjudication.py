"""What the review window's keys do to gold: accept, reject, edit, relabel, accept all
agreed, and take a field value from the fields panel.

Each function works on the current decision of a :class:`ReviewEditor` (the review
window) and pushes one undoable command of ``review_commands`` (or one macro of them);
rejecting a decision that is not in gold only records the rejection (``RejectDecision``,
undoable too). A function that changed something then moves the selection by the one
rule (``ReviewEditor.advance``: the next undecided decision); with no decision selected
it does nothing but say so.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoStack

from ..decisions import ACCEPTED, EDITED, UNANIMOUS, Decision, Key, Review, excerpt, field_sources
from ..errors import AnnotatorError
from ..models import Document
from .commands import Editor, StoreCommand
from .review_commands import AddGoldSpan, DeleteGoldSpan, EditGoldSpan, SetGoldField
from .review_fields import value_text
from .review_rejections import Rejections
from .review_view import ReviewView


class ReviewEditor(Editor, Protocol):
    """What adjudication needs from the review window."""

    doc: Document | None
    review: Review | None
    rejected: Rejections
    undo_stack: QUndoStack
    view: ReviewView

    def current_decision(self) -> Decision | None: ...

    def has_decision(self, key: Key) -> bool: ...

    def push(self, command: StoreCommand) -> bool: ...

    def refresh(self, select: Key | None = None, select_first: bool = False) -> None: ...

    def shown_keys(self) -> list[Key]: ...

    def advance(self, after: Key, order: list[Key]) -> None: ...

    def status(self, message: str, ms: int) -> None: ...


def _selected(w: ReviewEditor) -> Decision | None:
    """The decision shown selected, or None (said in the status bar): a key never acts
    on a decision the adjudicator did not see selected."""
    d = w.current_decision()
    if d is None and w.doc is not None:
        w.status("No decision selected: J or a click selects one, then A or R.", 5000)
    return d


def accept(w: ReviewEditor) -> None:
    d = _selected(w)
    if d is None or w.doc is None:
        return
    doc = w.doc.id
    order = w.shown_keys()
    if d.kind == "field":
        if d.gold:
            w.status("That value is already the gold value.", 3000)
            return
        if not set_field(w, d.label, d.value, d.coders, focus=d.key, taken=d.key):
            return
        w.status(f"Gold {d.label} = {value_text(d.value)} (from {', '.join(d.coders)}).", 4000)
    elif d.gold == ACCEPTED:
        w.status("Already in gold.", 3000)
        return
    elif d.gold == EDITED and d.gold_span is not None:
        g = d.gold_span
        edit = EditGoldSpan(w, doc, (g.start, g.end, g.label), (d.start, d.end, d.label), d.key)
        if not w.push(taking(w, edit, d.key)):
            return
    else:
        add = AddGoldSpan(w, doc, (d.start, d.end, d.label), d.coders, d.key)
        if not w.push(taking(w, add, d.key)):
            return
    w.advance(d.key, order)


def reject(w: ReviewEditor) -> None:
    d = _selected(w)
    if d is None or w.doc is None:
        return
    doc = w.doc.id
    order = w.shown_keys()
    if d.kind == "field" and d.gold:
        old = (w.review.gold_fields.get(d.label), d.gold_sources)  # type: ignore[union-attr]
        if not w.push(SetGoldField(w, doc, d.label, old, (None, ()), d.key)):
            return
        w.status(f"Gold {d.label} cleared.", 3000)
    elif d.kind != "field" and d.gold_span is not None:
        focus = d.key if d.kind != "gold" else None
        if not w.push(DeleteGoldSpan(w, doc, d.gold_span, d.gold_sources, focus)):
            return
        w.status("Removed from gold.", 3000)
    elif not w.push(RejectDecision(w, doc, d.key)):
        return
    w.advance(d.key, order)


class ClearsRejection(StoreCommand):
    """``inner`` (which takes a rejected decision into gold) with the decision's rejection
    cleared after it: one undo step, whose undo brings the rejection back too. A refused
    ``inner`` leaves the rejection as it was."""

    def __init__(self, editor: ReviewEditor, inner: StoreCommand, key: Key):
        super().__init__(editor, inner.doc_id, inner.text())
        self.inner, self.key, self.rejections = inner, key, editor.rejected

    def apply(self):
        select = self.inner.apply()
        self.rejections.discard((self.doc_id, self.key))
        return select

    def revert(self):
        select = self.inner.revert()
        self.rejections.add((self.doc_id, self.key))
        return select


def taking(w: ReviewEditor, command: StoreCommand, key: Key) -> StoreCommand:
    """``command``, which takes decision ``key`` into gold: wrapped to clear the decision's
    rejection with it when it has one."""
    if w.doc is not None and (w.doc.id, key) in w.rejected:
        return ClearsRejection(w, command, key)
    return command


class RejectDecision(StoreCommand):
    """Record that a decision not in gold was passed over (undoable, like every key)."""

    def __init__(self, editor: ReviewEditor, doc_id: int, key: Key):
        super().__init__(editor, doc_id, "Reject decision")
        self.rejections, self.key = editor.rejected, key

    def apply(self):
        self.rejections.add((self.doc_id, self.key))
        return self.key

    def revert(self):
        self.rejections.discard((self.doc_id, self.key))
        return self.key


def edit(w: ReviewEditor, label: str | None = None) -> None:
    """Accept the current span decision with the text selection as its boundaries
    and/or ``label`` (edits the gold span already made from it)."""
    d = _selected(w)
    if d is None or w.doc is None:
        return
    order = w.shown_keys()
    if d.kind == "field":
        w.status("Fields: accept a value with A, or pick the gold value in the panel.", 4000)
        return
    doc = w.doc.id
    g = d.gold_span
    base = (g.start, g.end, g.label) if g is not None else (d.start, d.end, d.label)
    sel = w.view.selection_cp()
    if sel is not None and sel[1] > sel[0]:
        try:  # whole tokens, unless the selection was dragged with Alt held
            exact = sel == w.view.exact_selection
            start, end = sel if exact else w.store.snap_to_tokens(doc, *sel)
        except AnnotatorError as e:
            w.report_error(str(e))
            return
        if end <= start:
            start, end = sel
    elif label is None:
        w.status(
            "Select the gold boundaries in the text first, then press E"
            " (or press a label key to relabel).",
            5000,
        )
        return
    else:
        start, end = base[0], base[1]
    new = (start, end, label or base[2])
    if g is not None:
        if new == base:
            w.status("Gold already has exactly that.", 3000)
            return
        focus = d.key if d.kind != "gold" else ("gold", *new)
        ok = w.push(taking(w, EditGoldSpan(w, doc, base, new, focus), d.key))
    else:
        ok = w.push(taking(w, AddGoldSpan(w, doc, new, d.coders, d.key), d.key))
    if ok:
        w.view.clear_selection()
        what = f"{new[2]} “{excerpt(w.doc.text, new[0], new[1], 50)}”"
        w.status(f"Gold: {what} (from {', '.join(d.coders) or '—'}).", 4000)
        w.advance(d.key, order)


def set_gold_field(w: ReviewEditor, field: str, value) -> None:
    """From the fields panel: a coder's value or the gold editor."""
    if w.review is None:
        return
    sources = field_sources(w.review.coder_fields, field, value)
    d = w.current_decision()
    focus = d.key if d is not None else None
    key = ("field", field, value)
    if w.has_decision(key):
        focus = key
    set_field(w, field, value, sources, focus)


def set_field(
    w: ReviewEditor, field: str, value, sources: tuple[str, ...], focus, taken: Key | None = None
) -> bool:
    """Set a gold field; ``taken``: the decision this takes into gold (its rejection, if
    any, is cleared with it)."""
    assert w.review is not None and w.doc is not None
    old_value = w.review.gold_fields.get(field)
    old = (old_value, w.review.gold_field_sources.get(field, ()))
    if old_value == value and (value is None or tuple(old[1]) == tuple(sources)):
        return False
    command: StoreCommand = SetGoldField(w, w.doc.id, field, old, (value, sources), focus)
    return w.push(taking(w, command, taken) if taken is not None else command)


def auto_accept(w: ReviewEditor) -> None:
    """Accept what every coder of this document agrees on exactly (one undo step)."""
    rv = w.review
    if rv is None or w.doc is None:
        return
    if len(rv.coders) < 2:
        w.status("Fewer than two coders: nothing agreed to accept.", 4000)
        return
    doc = w.doc.id
    todo = [d for d in rv.decisions if d.agreement == UNANIMOUS and not d.in_gold]
    todo = [d for d in todo if d.kind == "span" or d.label not in rv.gold_fields]
    if not todo:
        w.status("Everything the coders agree on is in gold.", 4000)
        return
    w.undo_stack.beginMacro(f"Accept {len(todo)} agreed label(s)")
    try:
        for d in todo:
            c: StoreCommand
            if d.kind == "span":
                c = AddGoldSpan(w, doc, (d.start, d.end, d.label), d.coders, d.key)
            else:
                c = SetGoldField(w, doc, d.label, (None, ()), (d.value, d.coders), d.key)
            if not w.push(c):
                break
    finally:
        w.undo_stack.endMacro()
    w.status(f"Accepted {len(todo)} agreed label(s) into gold.", 5000)
