"""The pending edits: one store call each, kept until it is written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from ..errors import ValidationError
from ..models import Span
from ..records import Record
from ..store import GOLD, Store
from .reading import SpanKey, find_gold, refuse_gold_duplicate

# -- the edits ----------------------------------------------------------------------


class SpanHandles(Protocol):
    """What an edit needs of its queue (a :class:`~annotator.pending.PendingEdits`): the
    handles of spans added while edits were pending, mapped to their database ids."""

    ids: dict[int, int]  # span handle -> real id

    def resolve(self, span_id: int) -> int: ...


class Edit:
    """One store call, kept until it is written. ``doc_id`` is the document it changes."""

    doc_id: int

    def apply(self, store: Store, q: SpanHandles) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class AddSpan(Edit, Record):
    doc_id: int
    coder: str
    start: int
    end: int
    label: str
    handle: int  # negative until written; then PendingEdits maps it to the real id
    note: str
    span: Span | None  # the stored span, once written

    def __init__(
        self, doc_id: int, coder: str, start: int, end: int, label: str, handle: int,
        note: str = "", span: Span | None = None,
    ) -> None:  # fmt: skip
        self.doc_id = doc_id
        self.coder = coder
        self.start = start
        self.end = end
        self.label = label
        self.handle = handle
        self.note = note
        self.span = span

    def apply(self, store: Store, q: SpanHandles) -> Span:
        self.span = store.add_span(
            self.doc_id, self.coder, self.start, self.end, self.label, self.note,
            unique=True,
        )  # fmt: skip
        q.ids[self.handle] = self.span.id
        return self.span

    def shape(self) -> Span:
        return Span(
            self.handle, self.doc_id, self.coder, self.start, self.end, self.label, self.note
        )

    def describe(self) -> str:
        return f"add {self.label} span [{self.start}, {self.end}) in document {self.doc_id}"


class DeleteSpan(Edit, Record):
    doc_id: int
    shape: Span  # the span as the window showed it (its id may be a handle)
    deleted: Span | None  # the stored span, once deleted (for a later restore)

    def __init__(self, doc_id: int, shape: Span, deleted: Span | None = None) -> None:
        self.doc_id = doc_id
        self.shape = shape
        self.deleted = deleted

    def apply(self, store: Store, q: SpanHandles) -> Span:
        self.deleted = store.delete_span(q.resolve(self.shape.id))
        return self.deleted

    def describe(self) -> str:
        s = self.shape
        return f"delete {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


class RestoreSpan(Edit, Record):
    """Bring back the span an earlier :class:`DeleteSpan` removed (same id: undo)."""

    doc_id: int
    shape: Span
    source: DeleteSpan

    def __init__(self, doc_id: int, shape: Span, source: DeleteSpan) -> None:
        self.doc_id = doc_id
        self.shape = shape
        self.source = source

    def apply(self, store: Store, q: SpanHandles) -> Span:
        if self.source.deleted is None:
            raise ValidationError("the deletion this undoes was never written")
        return store.restore_span(self.source.deleted)

    def describe(self) -> str:
        s = self.shape
        return f"restore {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


class RelabelSpan(Edit, Record):
    doc_id: int
    shape: Span  # before the change
    label: str

    def __init__(self, doc_id: int, shape: Span, label: str) -> None:
        self.doc_id = doc_id
        self.shape = shape
        self.label = label

    def apply(self, store: Store, q: SpanHandles) -> Span:
        return store.relabel_span(q.resolve(self.shape.id), self.label)

    def describe(self) -> str:
        s = self.shape
        return (
            f"relabel span [{s.start}, {s.end}) in document {self.doc_id}"
            f" from {s.label} to {self.label}"
        )


class SetSpanNote(Edit, Record):
    doc_id: int
    shape: Span
    note: str

    def __init__(self, doc_id: int, shape: Span, note: str) -> None:
        self.doc_id = doc_id
        self.shape = shape
        self.note = note

    def apply(self, store: Store, q: SpanHandles) -> Span:
        return store.set_span_note(q.resolve(self.shape.id), self.note)

    def describe(self) -> str:
        s = self.shape
        return f"note of {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


class SetDocLabel(Edit, Record):
    doc_id: int
    coder: str
    field: str
    value: Any  # an option, a tuple/list of options, or None (clear)

    def __init__(self, doc_id: int, coder: str, field: str, value: Any) -> None:
        self.doc_id = doc_id
        self.coder = coder
        self.field = field
        self.value = value

    def apply(self, store: Store, q: SpanHandles) -> Any:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return store.set_doc_label(self.doc_id, self.coder, self.field, value)

    def describe(self) -> str:
        what = "clear" if self.value is None else "set"
        return f"{what} {self.field} of document {self.doc_id}"


class SetStatus(Edit, Record):
    doc_id: int
    coder: str
    state: str

    def __init__(self, doc_id: int, coder: str, state: str) -> None:
        self.doc_id = doc_id
        self.coder = coder
        self.state = state

    def apply(self, store: Store, q: SpanHandles) -> None:
        store.set_status(self.doc_id, self.coder, self.state)

    def describe(self) -> str:
        return f"mark document {self.doc_id} {self.state.replace('_', ' ')}"


class AddTime(Edit, Record):
    doc_id: int
    coder: str
    seconds: float

    def __init__(self, doc_id: int, coder: str, seconds: float) -> None:
        self.doc_id = doc_id
        self.coder = coder
        self.seconds = seconds

    def apply(self, store: Store, q: SpanHandles) -> None:
        store.add_time(self.doc_id, self.coder, self.seconds)

    def describe(self) -> str:
        return f"{self.seconds:.0f} s of coding time on document {self.doc_id}"


class SetTitle(Edit, Record):
    doc_id: int
    title: str

    def __init__(self, doc_id: int, title: str) -> None:
        self.doc_id = doc_id
        self.title = title

    def apply(self, store: Store, q: SpanHandles) -> str:
        return store.set_title(self.doc_id, self.title)

    def describe(self) -> str:
        return f"title of document {self.doc_id}"


class SetMemo(Edit, Record):
    """Set (``""``: remove) one coder's memo on a whole document."""

    doc_id: int
    coder: str
    text: str

    def __init__(self, doc_id: int, coder: str, text: str) -> None:
        self.doc_id = doc_id
        self.coder = coder
        self.text = text

    def apply(self, store: Store, q: SpanHandles) -> None:
        store.set_memo(self.doc_id, self.coder, self.text)

    def describe(self) -> str:
        what = "memo" if self.text.strip() else "removal of the memo"
        return f"{what} on document {self.doc_id}"


def edited_memo(edits: Iterable[Edit], stored: str, doc_id: int, coder: str) -> str:
    """``stored``, one coder's memo on a document, with ``edits``' memo edits applied
    (whitespace-only text: no memo, as the store keeps it)."""
    for e in edits:
        if isinstance(e, SetMemo) and (e.doc_id, e.coder) == (doc_id, coder):
            stored = e.text if e.text.strip() else ""
    return stored


# -- review mode: the gold layer (spans found by (start, end, label), as the review does)


class AddGoldSpan(Edit, Record):
    doc_id: int
    key: SpanKey
    sources: tuple[str, ...]
    handle: int  # the id the review shows until it is written
    note: str

    def __init__(
        self, doc_id: int, key: SpanKey, sources: tuple[str, ...], handle: int, note: str = ""
    ) -> None:
        self.doc_id = doc_id
        self.key = key
        self.sources = sources
        self.handle = handle
        self.note = note

    def apply(self, store: Store, q: SpanHandles) -> Span:
        span = store.add_gold_span(self.doc_id, *self.key, self.sources, self.note, unique=True)
        q.ids[self.handle] = span.id
        return span

    def describe(self) -> str:
        a, b, label = self.key
        return f"accept {label} span [{a}, {b}) into gold in document {self.doc_id}"


class DeleteGoldSpan(Edit, Record):
    doc_id: int
    key: SpanKey

    def __init__(self, doc_id: int, key: SpanKey) -> None:
        self.doc_id = doc_id
        self.key = key

    def apply(self, store: Store, q: SpanHandles) -> Span:
        return store.delete_span(find_gold(store, self.doc_id, self.key).id)

    def describe(self) -> str:
        a, b, label = self.key
        return f"remove {label} span [{a}, {b}) from gold in document {self.doc_id}"


class EditGoldSpan(Edit, Record):
    """Move and/or relabel a gold span (same id, same sources), in one transaction."""

    doc_id: int
    old: SpanKey
    new: SpanKey

    def __init__(self, doc_id: int, old: SpanKey, new: SpanKey) -> None:
        self.doc_id = doc_id
        self.old = old
        self.new = new

    def apply(self, store: Store, q: SpanHandles) -> None:
        span = find_gold(store, self.doc_id, self.old)
        refuse_gold_duplicate(store, self.doc_id, self.new)
        with store.transaction():
            if self.old[:2] != self.new[:2]:
                store.move_span(span.id, self.new[0], self.new[1])
            if self.old[2] != self.new[2]:
                store.relabel_span(span.id, self.new[2])

    def describe(self) -> str:
        return f"edit gold span {self.old} to {self.new} in document {self.doc_id}"


class SetGoldLabel(Edit, Record):
    doc_id: int
    field: str
    value: Any
    sources: tuple[str, ...]

    def __init__(self, doc_id: int, field: str, value: Any, sources: tuple[str, ...]) -> None:
        self.doc_id = doc_id
        self.field = field
        self.value = value
        self.sources = sources

    def apply(self, store: Store, q: SpanHandles) -> Any:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return store.set_gold_label(self.doc_id, self.field, value, self.sources)

    def describe(self) -> str:
        what = "clear" if self.value is None else "set"
        return f"{what} gold {self.field} of document {self.doc_id}"


class RejectDecision(Edit, Record):
    doc_id: int
    decision: str
    reject: bool  # False: take a rejection back

    def __init__(self, doc_id: int, decision: str, reject: bool = True) -> None:
        self.doc_id = doc_id
        self.decision = decision
        self.reject = reject

    def apply(self, store: Store, q: SpanHandles) -> None:
        if self.reject:
            store.reject_decision(self.doc_id, self.decision)
        else:
            store.unreject_decision(self.doc_id, self.decision)

    def describe(self) -> str:
        verb = "reject" if self.reject else "take back the rejection of"
        return f"{verb} a decision in document {self.doc_id} (review)"


GOLD_EDITS = (AddGoldSpan, DeleteGoldSpan, EditGoldSpan, SetGoldLabel, RejectDecision)


def coder_of(e: Edit) -> str | None:
    if isinstance(e, GOLD_EDITS):
        return GOLD
    if isinstance(e, (AddSpan, SetDocLabel, SetStatus, AddTime, SetMemo)):
        return e.coder
    if isinstance(e, (DeleteSpan, RestoreSpan, RelabelSpan, SetSpanNote)):
        return e.shape.coder
    return None


def edited_title(edits: Iterable[Edit], stored: str, doc_id: int) -> str:
    """``stored``, the title of a document, with ``edits``' title edits of it applied."""
    for e in edits:
        if isinstance(e, SetTitle) and e.doc_id == doc_id:
            stored = " ".join(e.title.split())
    return stored
