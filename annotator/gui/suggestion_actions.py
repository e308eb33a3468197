"""What the coder does with suggestions (issue 15), as undoable commands: accept the one
under the cursor (it becomes the coder's span, origin ``suggestion:<source>``), reject it
(recorded, so the same source does not bring it back), accept every one in the sentence
(one undo step), go to the next or previous one, accept the suggested document fields.

The pending edits here are those of ``annotator/pending`` with the origin added: an
accepted span is a :class:`~annotator.pending.AddSpan` (shown, queued and recovered as
one), an accepted field value a :class:`~annotator.pending.SetDocLabel`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from .. import pending as P
from ..errors import ValidationError
from ..models import Document, Span, SuggestedLabel, Suggestion, accepted_origin
from ..records import Record
from ..store import Store
from . import commands as cmd
from .suggestion_layer import SuggestionLayer

if TYPE_CHECKING:
    from ..codebook import Renames

# -- pending edits with an origin -------------------------------------------------------


class AcceptSpanEdit(P.AddSpan):
    """A span accepted from a suggestion: stored with its origin."""

    origin: str

    sha256: str  # of the text the suggestion was shown on ("": not checked)

    def __init__(
        self, doc_id: int, coder: str, start: int, end: int, label: str, handle: int,
        origin: str = "manual", sha256: str = "",
    ) -> None:  # fmt: skip
        super().__init__(doc_id, coder, start, end, label, handle)
        self.origin = origin
        self.sha256 = sha256

    def apply(self, store: Store, q: P.SpanHandles) -> Any:
        if self.sha256 and store.document_id_by_hash(self.sha256) != self.doc_id:
            raise ValidationError(
                f"document {self.doc_id}: its text was corrected since it was opened"
                " (import --update), so the suggestion no longer fits it; open the article"
                " again"
            )
        self.span = store.add_span(
            self.doc_id, self.coder, self.start, self.end, self.label, self.note,
            unique=True, origin=self.origin,
        )  # fmt: skip
        q.ids[self.handle] = self.span.id
        return self.span

    def shape(self) -> Span:  # as shown while pending, and in a recovery file
        return replace(super().shape(), origin=self.origin)

    def describe(self) -> str:
        return f"accept suggested {self.label} span [{self.start}, {self.end}) in document {self.doc_id}"


class AcceptFieldEdit(P.SetDocLabel):
    """A document field value accepted from a suggestion, with its origin."""

    origin: str

    def __init__(self, doc_id: int, coder: str, field: str, value: Any, origin: str = "manual"):
        super().__init__(doc_id, coder, field, value)
        self.origin = origin

    def apply(self, store: Store, q: P.SpanHandles) -> Any:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return store.set_doc_label(self.doc_id, self.coder, self.field, value, origin=self.origin)


class RejectEdit(P.Edit, Record):
    """Record (or, ``reject`` False, take back) a coder's rejection of a suggestion."""

    doc_id: int
    coder: str
    source: str
    target: str
    reject: bool

    def __init__(self, doc_id: int, coder: str, source: str, target: str, reject: bool = True):
        self.doc_id = doc_id
        self.coder = coder
        self.source = source
        self.target = target
        self.reject = reject

    def apply(self, store: Store, q: P.SpanHandles) -> None:
        if self.reject:
            store.reject_suggestion(self.doc_id, self.coder, self.source, self.target)
        else:
            store.unreject_suggestion(self.doc_id, self.coder, self.source, self.target)

    def describe(self) -> str:
        verb = "reject" if self.reject else "take back the rejection of"
        return f"{verb} a suggestion of {self.source} in document {self.doc_id}"


def replay_pending(layer: SuggestionLayer, pending: P.PendingEdits, coder: str) -> None:
    """The layer's rejections as the coder made them: those still waiting for the
    database (kept pending) too, so switching documents does not bring one back."""
    for e in pending.edits:
        if isinstance(e, RejectEdit) and e.doc_id == layer.doc_id and e.coder == coder:
            (layer.rejected.add if e.reject else layer.rejected.discard)((e.source, e.target))


# -- undo commands ----------------------------------------------------------------------


class _AcceptOne(cmd.AddSpan):
    def __init__(
        self, editor: cmd.Editor, doc_id: int, coder: str, s: Suggestion, sha256: str = ""
    ):
        super().__init__(editor, doc_id, coder, s.start, s.end, s.label)
        self.origin = accepted_origin(s.source)
        self.sha256 = sha256

    def _new_span(self, handle: int) -> P.Edit:
        # written as AddSpan writes its span (the article's "new" remembered for the undo),
        # with the suggestion's origin; redo restores the same span, id and origin
        doc_id, coder, start, end, label = self.args
        return AcceptSpanEdit(doc_id, coder, start, end, label, handle, self.origin, self.sha256)


class AcceptSuggestions(cmd.StoreCommand):
    """One or more suggestions become the coder's spans: one undo step. If one is
    refused, those written before it are taken back and nothing is recorded."""

    def __init__(
        self,
        editor: cmd.Editor,
        doc_id: int,
        coder: str,
        chosen: list[Suggestion],
        sha256: str = "",  # of the text they were shown on: refused if it changed since
    ):
        text = (
            f"Accept suggested {chosen[0].label} span"
            if len(chosen) == 1
            else f"Accept {len(chosen)} suggestions"
        )
        super().__init__(editor, doc_id, text)
        self.parts = [_AcceptOne(editor, doc_id, coder, s, sha256) for s in chosen]

    def apply(self) -> int | None:
        cmd.apply_all(self.parts)
        return self.parts[0].handle if len(self.parts) == 1 else None

    def rename(self, renames: Renames) -> bool:
        return any([p.rename(renames) for p in self.parts])

    def revert(self) -> None:
        for part in reversed(self.parts):
            part.revert()


class RejectSuggestion(cmd.StoreCommand):
    """The coder rejects a suggestion (undo takes the rejection back)."""

    def __init__(
        self, editor: cmd.Editor, layer: SuggestionLayer, doc_id: int, coder: str, s: Suggestion
    ):
        super().__init__(editor, doc_id, f"Reject suggested {s.label} span")
        self.layer = layer
        self.key = (s.source, s.target)
        self.coder = coder

    def _set(self, reject: bool) -> None:
        self.editor.write(RejectEdit(self.doc_id, self.coder, *self.key, reject=reject))
        if self.layer.doc_id == self.doc_id:
            (self.layer.rejected.add if reject else self.layer.rejected.discard)(self.key)

    def apply(self) -> None:
        self._set(True)

    def revert(self) -> None:
        self._set(False)


class AcceptFields(cmd.StoreCommand):
    """The suggested values of the fields the coder has not set: one undo step."""

    def __init__(self, editor: cmd.Editor, doc_id: int, coder: str, chosen: list[SuggestedLabel]):
        super().__init__(editor, doc_id, f"Accept {len(chosen)} suggested field(s)")
        self.coder = coder
        self.chosen = chosen

    def apply(self) -> None:
        with_origin = [
            AcceptFieldEdit(self.doc_id, self.coder, c.field, c.value, accepted_origin(c.source))
            for c in self.chosen
        ]
        for edit in with_origin:
            self.editor.write(edit)

    def revert(self) -> None:
        for c in reversed(self.chosen):
            self.editor.write(P.SetDocLabel(self.doc_id, self.coder, c.field, None))


# -- the window's slots -----------------------------------------------------------------


class SuggestionHost(cmd.Editor, Protocol):
    """What the suggestion keys need of the main window."""

    coder: str
    doc: Document | None

    def current_document_id(self) -> int | None: ...

    def push_command(self, command: cmd.StoreCommand) -> bool: ...

    def statusBar(self) -> Any: ...


def _shown_text(w: SuggestionHost) -> str:
    """The sha256 of the article's text as the window shows it."""
    return w.doc.sha256 if w.doc is not None else ""


def _say(w: SuggestionHost, message: str) -> None:
    w.statusBar().showMessage(message, 3000)


def accept(w: SuggestionHost, layer: SuggestionLayer) -> None:
    doc_id = w.current_document_id()
    s = layer.under_cursor() if doc_id is not None else None
    if doc_id is None or s is None:
        _say(w, "No suggestion at the cursor (Alt+Right goes to the next one).")
        return
    if w.push_command(AcceptSuggestions(w, doc_id, w.coder, [s], _shown_text(w))):
        _say(w, f"Accepted the suggested {s.label.replace('_', ' ')} span.")


def reject(w: SuggestionHost, layer: SuggestionLayer) -> None:
    doc_id = w.current_document_id()
    s = layer.under_cursor() if doc_id is not None else None
    if doc_id is None or s is None:
        _say(w, "No suggestion at the cursor (Alt+Right goes to the next one).")
        return
    if w.push_command(RejectSuggestion(w, layer, doc_id, w.coder, s)):
        _say(w, f"Rejected the suggested {s.label.replace('_', ' ')} span.")


def accept_sentence(w: SuggestionHost, layer: SuggestionLayer) -> None:
    doc_id = w.current_document_id()
    view = layer.w.view
    tok = view.tokenization() if doc_id is not None else None
    if doc_id is None or tok is None:
        return
    sel = view.selection_cp()
    a, b = sel if sel is not None else (view.cursor_cp(),) * 2
    start, end = tok.snap_to_sentences(a, b)
    chosen = layer.in_range(start, end)
    if not chosen:
        _say(w, "No suggestion in this sentence.")
        return
    if w.push_command(AcceptSuggestions(w, doc_id, w.coder, chosen, _shown_text(w))):
        _say(w, f"Accepted {len(chosen)} suggestion(s) in the sentence.")


def go(w: SuggestionHost, layer: SuggestionLayer, delta: int) -> None:
    s = layer.step(delta)
    if s is None:
        _say(w, "No suggestions shown on this article.")
        return
    view = layer.w.view
    view.select_span(None)
    view.select_cp(s.start, s.end)
    view.centerCursor()
    score = "" if s.score is None else f", {s.score:.2f}"
    name = s.label.replace("_", " ").capitalize()
    _say(w, f"Suggested {name} ({s.source}{score}) — Alt+Enter accepts, Alt+Backspace rejects.")


def accept_fields(w: SuggestionHost, layer: SuggestionLayer) -> None:
    doc_id = w.current_document_id()
    chosen = list(layer.shown_fields.values())
    if doc_id is None or not chosen:
        _say(w, "No suggested document field to accept.")
        return
    if w.push_command(AcceptFields(w, doc_id, w.coder, chosen)):
        _say(w, f"Accepted {len(chosen)} suggested field(s).")
