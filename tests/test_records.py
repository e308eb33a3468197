"""The frozen records (annotator/records.py) behave as the frozen dataclasses they replace.

Each record class is compared with a frozen dataclass made from its fields: the same
repr, equality and hash, refusal to change, and ``dataclasses`` functions."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import pytest

from annotator.colours import LabelPaint, Palette
from annotator.corpus import RawDocument, Skipped
from annotator.models import (
    DocLabel,
    Document,
    DocumentSummary,
    ImportReport,
    Progress,
    Span,
    StoredDocument,
    Tokenization,
)
from annotator.pending.edits import (
    AddGoldSpan,
    AddSpan,
    AddTime,
    DeleteGoldSpan,
    DeleteSpan,
    Edit,
    EditGoldSpan,
    RejectDecision,
    RelabelSpan,
    RestoreSpan,
    SetDocLabel,
    SetGoldLabel,
    SetMemo,
    SetSpanNote,
    SetStatus,
    SetTitle,
)
from annotator.pending.queue import FlushResult
from annotator.pending.recovery import DocInfo, Recovery
from annotator.records import FrozenRecord, MutableRecord, Record
from annotator.scheme import DocField, Scheme, SpanLabel

LABEL = SpanLabel("alarmist", "1", "#d62728", "fear")
SAMPLES: list[FrozenRecord] = [
    Tokenization((0, 4), (3, 9), frozenset({1}), (0,), (9,)),
    Document(7, "abc", "A title", "a.txt", "Some text", {"url": "http://x"}, "2026-01-01"),
    StoredDocument("abc", "T", "s", "text", {}, b"\x00", b"\x01", "sm", 3),
    DocumentSummary(1, "T", "s", 120, "done", 2, "Reuters", "2026-01-02"),
    Span(5, 7, "alice", 0, 4, "alarmist", "a note", 2, "then", "now"),
    DocLabel(7, "alice", "dominant_frame", ("a", "b"), 1, "now"),
    Progress("alice", 10, 5, 3, 2),
    ImportReport([1, 2], ["dup"], ["bad: reason"]),
    LABEL,
    DocField("frames", "multi", ("a", "b"), "which"),
    Scheme("s", 2, (LABEL,), (), "toml"),
    LabelPaint("alarmist", "#d62728", "#f0c0c0", "#a01010"),
    Palette((LabelPaint("a", "#000", "#111", "#222"),), "#333", "#444", ("w",)),
    RawDocument("Some text\r\n", "a.jsonl:3", {"url": "http://x"}),
    Skipped("a.txt", "not UTF-8"),
]


def twin(record: FrozenRecord) -> object:
    """A frozen dataclass with ``record``'s class name and fields, holding its values."""
    cls = type(record)
    names = [f.name for f in dataclasses.fields(record)]
    made = dataclasses.make_dataclass(cls.__name__, names, frozen=True)
    made.__qualname__ = cls.__qualname__
    return made(*(getattr(record, n) for n in names))


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_a_record_behaves_as_its_frozen_dataclass(record):
    cls = type(record)
    dc = twin(record)
    assert repr(record) == repr(dc)
    values = tuple(getattr(record, f.name) for f in dataclasses.fields(record))
    assert dataclasses.astuple(record) == dataclasses.astuple(dc)
    assert dataclasses.asdict(record) == dataclasses.asdict(dc)
    assert dataclasses.is_dataclass(record) and cls.__match_args__ == dc.__match_args__
    same = cls(*values)
    assert same == record and (same != record) is False and same is not record
    assert record != dc  # equal to its own class only, as a dataclass
    try:
        assert hash(same) == hash(record) == hash(dc)
    except TypeError:  # a dict or list among its fields: unhashable, as the dataclass
        with pytest.raises(TypeError):
            hash(dc)
    name = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(record, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.extra = 1  # type: ignore[attr-defined]
    changed = dataclasses.replace(record, **{name: values[0]})
    assert changed == record and type(changed) is cls
    assert pickle.loads(pickle.dumps(record)) == record
    assert copy.copy(record) == record and copy.deepcopy(record) == record


def test_a_field_changed_by_replace_makes_a_different_record():
    span = Span(5, 7, "alice", 0, 4, "alarmist")
    other = dataclasses.replace(span, label="policy")
    assert other.label == "policy" and other != span and span.label == "alarmist"
    assert other.note == "" and other.scheme_version == 1  # the defaults, as before
    with pytest.raises(TypeError):
        dataclasses.replace(span, colour="red")
    match other:
        case Span(5, 7, coder, label=label):
            assert (coder, label) == ("alice", "policy")
        case _:
            pytest.fail("not matched")


def test_defaults_made_anew_per_record():
    a, b = Document(1, "h", "t", "s", "x"), Document(2, "h", "t", "s", "x")
    assert a.meta == {} and a.meta is not b.meta
    r1, r2 = ImportReport(), ImportReport()
    r1.added.append(3)
    assert r2.added == [] and r1 == ImportReport([3])
    assert Tokenization((0,), (1,)).space_tokens == frozenset()
    raw = RawDocument("x\r\ny", "s")
    assert raw.text == "x\ny" and raw.meta == {} and len(raw.sha256) == 64  # normalised
    assert dataclasses.replace(raw, text="a\r\nb").text == "a\nb"


# The pending edits: records that can change, as ``@dataclass(eq=False)`` made them.
SHAPE = Span(-1, 7, "alice", 0, 4, "alarmist")
DELETED = DeleteSpan(7, SHAPE, SHAPE)
EDITS: list[Record] = [
    AddSpan(7, "alice", 0, 4, "alarmist", -1, "a note", SHAPE),
    DELETED,
    RestoreSpan(7, SHAPE, DELETED),
    RelabelSpan(7, SHAPE, "policy"),
    SetSpanNote(7, SHAPE, "why"),
    SetDocLabel(7, "alice", "frames", ("a", "b")),
    SetStatus(7, "alice", "done"),
    AddTime(7, "alice", 12.5),
    SetTitle(7, "A title"),
    SetMemo(7, "alice", "memo"),
    AddGoldSpan(7, (0, 4, "alarmist"), ("alice", "bob"), -2, "gold note"),
    DeleteGoldSpan(7, (0, 4, "alarmist")),
    EditGoldSpan(7, (0, 4, "alarmist"), (0, 5, "policy")),
    SetGoldLabel(7, "frames", None, ("alice",)),
    RejectDecision(7, "span:3", False),
]


def loose_twin(record: Record) -> object:
    """A ``@dataclass(eq=False)`` with ``record``'s class name and fields and values."""
    cls = type(record)
    names = [f.name for f in dataclasses.fields(record)]
    made = dataclasses.make_dataclass(cls.__name__, names, eq=False)
    made.__qualname__ = cls.__qualname__
    return made(*(getattr(record, n) for n in names))


def test_every_edit_is_a_record():
    import annotator.pending.edits as edits

    classes = [c for c in vars(edits).values() if isinstance(c, type) and issubclass(c, Edit)]
    assert sorted(c.__name__ for c in classes if c is not Edit) == sorted(
        type(e).__name__ for e in EDITS
    )
    assert all(issubclass(c, Record) and "__dataclass_params__" not in vars(c) for c in classes
               if c is not Edit)  # fmt: skip


@pytest.mark.parametrize("edit", EDITS, ids=lambda r: type(r).__name__)
def test_an_edit_behaves_as_its_dataclass(edit):
    cls = type(edit)
    dc = loose_twin(edit)
    assert repr(edit) == repr(dc)
    values = tuple(getattr(edit, f.name) for f in dataclasses.fields(edit))
    assert [f.name for f in dataclasses.fields(edit)] == [f.name for f in dataclasses.fields(dc)]
    assert dataclasses.astuple(edit) == dataclasses.astuple(dc)
    assert dataclasses.is_dataclass(edit) and cls.__match_args__ == dc.__match_args__
    same = cls(*values)
    assert same != edit and (same == same) and hash(same) != hash(edit)  # by identity
    assert edit in {edit} and same not in {edit}
    name = dataclasses.fields(edit)[0].name
    setattr(same, name, 8)  # an edit can change (a written AddSpan keeps its span)
    assert getattr(same, name) == 8 and getattr(edit, name) == 7
    changed = dataclasses.replace(edit, doc_id=9)
    assert type(changed) is cls and changed.doc_id == 9 and edit.doc_id == 7
    assert repr(pickle.loads(pickle.dumps(edit))) == repr(edit)
    assert repr(copy.copy(edit)) == repr(edit) == repr(copy.deepcopy(edit))


def test_an_edit_s_defaults_are_the_dataclass_s():
    add = AddSpan(7, "alice", 0, 4, "alarmist", -1)
    assert (add.note, add.span) == ("", None)
    assert DeleteSpan(7, SHAPE).deleted is None
    assert AddGoldSpan(7, (0, 4, "a"), (), -1).note == ""
    assert RejectDecision(7, "d").reject is True
    defaults = {f.name: f.default for f in dataclasses.fields(AddSpan)}
    assert defaults["note"] == "" and defaults["span"] is None
    assert defaults["label"] is dataclasses.MISSING
    add.span = SHAPE
    assert add.span == SHAPE


# Records that change and compare by value, as ``@dataclass`` made them.
VALUED: list[MutableRecord] = [
    DocInfo("text", "A title", "ab12"),
    Recovery(Path("r.jsonl"), 3, ["a line"], "annotator --db x import-labels r.jsonl"),
    FlushResult(2, ["dropped: why"], None),
]


@pytest.mark.parametrize("record", VALUED, ids=lambda r: type(r).__name__)
def test_a_valued_record_behaves_as_its_dataclass(record):
    cls = type(record)
    names = [f.name for f in dataclasses.fields(record)]
    made = dataclasses.make_dataclass(cls.__name__, names)
    made.__qualname__ = cls.__qualname__
    dc = made(*(getattr(record, n) for n in names))
    assert repr(record) == repr(dc)
    assert dataclasses.astuple(record) == dataclasses.astuple(dc)
    assert dataclasses.is_dataclass(record) and cls.__match_args__ == dc.__match_args__
    values = tuple(getattr(record, n) for n in names)
    same = cls(*values)
    assert same == record and (same != record) is False and same is not record
    assert record != dc  # equal to its own class only
    with pytest.raises(TypeError):
        hash(record)  # unhashable, as a dataclass with eq
    setattr(same, names[0], None)
    assert same != record
    assert dataclasses.replace(record, **{names[0]: values[0]}) == record
    assert pickle.loads(pickle.dumps(record)) == record
    assert copy.deepcopy(record) == record


def test_start_up_records_are_no_dataclasses():
    import annotator.pending.queue as queue
    import annotator.pending.recovery as recovery

    for module in (queue, recovery):
        made = [
            n
            for n, c in vars(module).items()
            if isinstance(c, type) and "__dataclass_params__" in vars(c)
        ]
        assert made == []
    assert FlushResult().dropped == [] and FlushResult().dropped is not FlushResult().dropped
    assert FlushResult() == FlushResult(0, [], None)
