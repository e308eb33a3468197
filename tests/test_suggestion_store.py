"""The suggestion layer and the origin of labels in the store (migration m008, issue 15)."""

from __future__ import annotations

import sqlite3

import pytest

from annotator.errors import SchemeError, ValidationError
from annotator.models import (
    accepted_origin,
    edited_origin,
    origin_problem,
    source_problem,
)
from annotator.scheme import parse_scheme, scheme_to_toml
from annotator.store import Store

TEXT = "Sanctions must be tightened now. The alliance is fragile and divided."


@pytest.fixture
def store(tmp_path):
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    path = tmp_path / "labels.db"
    with Store(path) as s:
        import_documents(s, [RawDocument(TEXT, "a.txt"), RawDocument(TEXT + " Second.", "b.txt")])
        yield s


def test_origin_names():
    assert origin_problem("manual") is None
    assert origin_problem("suggestion:patterns") is None
    assert origin_problem("edited:model-1.2") is None
    for bad in ("", "auto", "suggestion:", "edited:has space", "suggestion:-x", None, 3):
        assert origin_problem(bad) is not None, bad
    assert accepted_origin("patterns") == "suggestion:patterns"
    assert edited_origin("suggestion:patterns") == "edited:patterns"
    assert edited_origin("edited:patterns") == "edited:patterns"
    assert edited_origin("manual") == "manual"
    assert source_problem("x" * 65) is not None
    assert source_problem("gpt-4o_run.2") is None


def test_spans_record_origin_and_edits_turn_suggestions_into_edited(store):
    manual = store.add_span(1, "ana", 0, 9, "policy_prescription")
    assert manual.origin == "manual"
    taken = store.add_span(1, "ana", 10, 14, "alarmist", origin="suggestion:patterns")
    assert store.span(taken.id).origin == "suggestion:patterns"
    # a note is not an edit of the suggestion
    assert store.set_span_note(taken.id, "why").origin == "suggestion:patterns"
    # relabelling to the same label is not a change either
    assert store.relabel_span(taken.id, "alarmist").origin == "suggestion:patterns"
    moved = store.move_span(taken.id, 10, 17)
    assert moved.origin == "edited:patterns"
    # undo puts the old origin back exactly
    back = store.move_span(taken.id, 10, 14, origin="suggestion:patterns")
    assert back.origin == "suggestion:patterns"
    assert store.relabel_span(taken.id, "policy_prescription").origin == "edited:patterns"
    assert store.relabel_span(manual.id, "alarmist").origin == "manual"
    deleted = store.delete_span(taken.id)
    assert store.restore_span(deleted).origin == "edited:patterns"
    with pytest.raises(ValidationError, match="origin"):
        store.add_span(1, "ana", 0, 3, "alarmist", origin="robot")
    assert store.spans(1, "ana")[0].origin in ("manual", "edited:patterns")


def test_doc_labels_record_origin(store):
    label = store.set_doc_label(1, "ana", "dominant_frame", "alarmist", origin="suggestion:m")
    assert label is not None and label.origin == "suggestion:m"
    same = store.set_doc_label(1, "ana", "dominant_frame", "alarmist")
    assert same is not None and same.origin == "suggestion:m"
    changed = store.set_doc_label(1, "ana", "dominant_frame", "none")
    assert changed is not None and changed.origin == "edited:m"
    fresh = store.set_doc_label(2, "ana", "dominant_frame", "none")
    assert fresh is not None and fresh.origin == "manual"
    assert {(d.document_id, d.origin) for d in store.all_doc_labels(1)} == {(1, "edited:m")}


def test_replace_suggestions_is_per_source_and_all_or_nothing(store):
    n = store.replace_suggestions(
        "patterns",
        [1, 2],
        [(1, 10, 14, "policy_prescription", None), (2, 0, 9, "alarmist", 0.25)],
        [(1, "dominant_frame", "alarmist", 0.9), (1, "frames_present", ["alarmist"], None)],
    )
    assert n == (2, 2)
    store.replace_suggestions("model", [1], [(1, 0, 9, "alarmist", 0.5)])
    assert [(s.source, s.start) for s in store.suggestions(1)] == [("model", 0), ("patterns", 10)]
    assert [s.label for s in store.suggestions(1, "patterns")] == ["policy_prescription"]
    labels = store.suggested_labels(1)
    assert [(x.field, x.value) for x in labels] == [
        ("dominant_frame", "alarmist"),
        ("frames_present", ("alarmist",)),
    ]
    assert store.suggestion_sources() == [("model", 1, 0), ("patterns", 2, 2)]
    before = sqlite3.connect(store.path).execute("SELECT count(*) FROM suggestions").fetchone()
    for bad_spans, match in (
        ([(1, 0, 999, "alarmist", None)], "outside"),
        ([(1, 0, 3, "nope", None)], "not in scheme"),
        ([(1, 0, 3, "alarmist", 1.5)], "score"),
        ([(1, 0, 3, "alarmist", float("nan"))], "score"),
        ([(2, 0, 3, "alarmist", None)], "not among"),
    ):
        with pytest.raises(ValidationError, match=match):
            store.replace_suggestions("patterns", [1], bad_spans)
    with pytest.raises(ValidationError, match="source"):
        store.replace_suggestions("bad name", [1], [])
    after = sqlite3.connect(store.path).execute("SELECT count(*) FROM suggestions").fetchone()
    assert before == after
    # replacing a document's suggestions of one source leaves other documents as they were
    store.replace_suggestions("patterns", [1], [])
    assert store.suggestions(1, "patterns") == []
    assert [s.start for s in store.suggestions(2, "patterns")] == [0]
    assert [d for d, _, _ in store.iter_suggestions("patterns")] == [2]  # 1: none left
    assert [d for d, _, _ in store.iter_suggestions("model")] == [1]
    assert store.delete_suggestions("model") == 1
    assert store.suggestion_sources() == [("patterns", 1, 0)]


def test_rejections_are_per_coder_and_survive_a_new_run(store):
    store.replace_suggestions("patterns", [1], [(1, 10, 14, "alarmist", None)])
    sug = store.suggestions(1)[0]
    store.reject_suggestion(1, "ana", "patterns", sug.target)
    store.replace_suggestions("patterns", [1], [(1, 10, 14, "alarmist", None)])
    again = store.suggestions(1)[0]
    assert store.rejected_suggestions(1, "ana") == {("patterns", again.target)}
    assert store.rejected_suggestions(1, "ben") == set()
    store.unreject_suggestion(1, "ana", "patterns", sug.target)
    assert store.rejected_suggestions(1, "ana") == set()


def test_done_once_survives_reopening(store):
    assert not store.done_once(1, "ana")
    store.set_status(1, "ana", "in_progress")
    assert not store.done_once(1, "ana")
    store.set_status(1, "ana", "done")
    store.set_status(1, "ana", "in_progress")
    assert store.done_once(1, "ana")
    assert not store.done_once(1, "ben")


SCHEME = """name = "s"
suggestions = "after-first-pass"
[[span_labels]]
name = "policy"
key = "1"
color = "#2ca02c"
phrases = ["should", "needs to"]
patterns = [[{LOWER = "calls"}, {LOWER = {IN = ["for", "on"]}}]]
"""


def test_scheme_cues_round_trip_and_errors_name_the_entry():
    scheme = parse_scheme(SCHEME)
    assert scheme.suggestions == "after-first-pass"
    assert scheme.span_labels[0].phrases == ("should", "needs to")
    assert scheme.span_labels[0].token_patterns() == [
        [{"LOWER": "calls"}, {"LOWER": {"IN": ["for", "on"]}}]
    ]
    again = parse_scheme(scheme_to_toml(scheme))
    assert again.span_labels == scheme.span_labels and again.suggestions == scheme.suggestions
    for old, new, match in (
        ('suggestions = "after-first-pass"', 'suggestions = "sometimes"', "suggestions"),
        ('"needs to"]', '""]', r"span label 'policy': phrases\[2\]"),
        ('{LOWER = "calls"}', '{lower = "calls"}', r"patterns\[1\] token 1"),
        ('{LOWER = "calls"}', '{LOWER = "calls", OP = "x"}', "OP"),
        ('[[{LOWER = "calls"}, {LOWER = {IN = ["for", "on"]}}]]', "[[]]", r"patterns\[1\]"),
    ):
        with pytest.raises(SchemeError, match=match):
            parse_scheme(SCHEME.replace(old, new))
