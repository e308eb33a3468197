"""The adjudication decisions review mode lists (annotator/decisions.py), read directly
from a real store: agreement classes, gold links, disputed documents, field sources."""

from __future__ import annotations

from annotator.decisions import (
    ACCEPTED,
    ADJUDICATOR,
    CONFLICT,
    EDITED,
    PARTIAL,
    UNANIMOUS,
    build_review,
    coders_text,
    disputed_documents,
    excerpt,
    field_sources,
    first_disputed,
    has_disagreement,
    next_disputed,
)
from annotator.store import GOLD

TEXT = "Kim visits Moscow. Xi watches warily. Sanctions must follow."
KIM, XI, XI_LONG, SANCTIONS = (0, 17), (19, 36), (19, 37), (38, 59)
ALL = ["ana", "ben", "cy"]


def disputed(store, make_doc, tail: str = "") -> int:
    d = make_doc(TEXT + tail)
    for c in ALL:
        store.add_span(d, c, *KIM, "alarmist")
        store.set_doc_label(d, c, "frames_present", ["alarmist", "policy_prescription"])
    store.add_span(d, "ana", *XI, "skeptical_of_alliance")
    store.add_span(d, "ben", *XI_LONG, "skeptical_of_alliance")  # other boundaries
    store.add_span(d, "ana", *SANCTIONS, "policy_prescription")
    store.add_span(d, "ben", *SANCTIONS, "policy_prescription")  # cy: nothing there
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d, "ben", "dominant_frame", "policy_prescription")
    return d


def agreed(store, make_doc, tail: str = "", coders=("ana", "ben")) -> int:
    d = make_doc("Everyone agrees on this one." + tail)
    for c in coders:
        store.add_span(d, c, 0, 8, "alarmist")
    return d


def by_key(rv):
    return {d.key: d for d in rv.decisions}


def test_spans_and_fields_are_classified(store, make_doc):
    d = disputed(store, make_doc)
    rv = build_review(store, d)
    assert rv.coders == ALL
    got = {k: (x.agreement, x.coders) for k, x in by_key(rv).items()}
    frames = ("alarmist", "policy_prescription")
    assert got == {
        ("span", *KIM, "alarmist"): (UNANIMOUS, ("ana", "ben", "cy")),
        ("span", *XI, "skeptical_of_alliance"): (CONFLICT, ("ana",)),
        ("span", *XI_LONG, "skeptical_of_alliance"): (CONFLICT, ("ben",)),
        ("span", *SANCTIONS, "policy_prescription"): (PARTIAL, ("ana", "ben")),
        ("field", "dominant_frame", "alarmist"): (CONFLICT, ("ana",)),
        ("field", "dominant_frame", "policy_prescription"): (CONFLICT, ("ben",)),
        ("field", "frames_present", frames): (UNANIMOUS, ("ana", "ben", "cy")),
    }
    assert all(x.n_coders == 3 and not x.in_gold for x in rv.decisions)
    assert rv.counts == (7, 5, 0)
    assert rv.coder_fields["cy"] == {"frames_present": frames}
    assert rv.gold_fields == {} and rv.gold_spans == []


def test_a_field_chosen_by_some_coders_only_is_partial(store, make_doc):
    d = disputed(store, make_doc)
    store.set_doc_label(d, "cy", "frames_present", None)
    rv = build_review(store, d)
    frames = ("alarmist", "policy_prescription")
    assert by_key(rv)[("field", "frames_present", frames)].agreement == PARTIAL


def test_gold_accepts_edits_or_stands_alone(store, make_doc):
    d = disputed(store, make_doc)
    store.add_gold_span(d, *KIM, "alarmist", ALL)  # exactly a decision: accepts it
    edit = store.add_gold_span(d, 19, 30, "skeptical_of_alliance", ["ben"])  # ben's, moved
    own = store.add_gold_span(d, 0, 3, "policy_prescription", [])  # nobody's
    store.set_gold_label(d, "dominant_frame", "alarmist", ["ana"])
    rv = build_review(store, d)
    ds = by_key(rv)
    kim = ds[("span", *KIM, "alarmist")]
    assert (kim.gold, kim.gold_sources, kim.in_gold) == (ACCEPTED, tuple(ALL), True)
    ben = ds[("span", *XI_LONG, "skeptical_of_alliance")]
    assert (ben.gold, ben.gold_span.id, ben.gold_sources) == (EDITED, edit.id, ("ben",))
    assert ds[("span", *XI, "skeptical_of_alliance")].gold == ""  # ana's: other sources
    alone = ds[("gold", 0, 3, "policy_prescription")]
    assert (alone.kind, alone.agreement, alone.gold, alone.gold_span.id) == (
        "gold", ADJUDICATOR, ACCEPTED, own.id,
    )  # fmt: skip
    assert not alone.disagreement and alone.in_gold
    field = ds[("field", "dominant_frame", "alarmist")]
    assert (field.gold, field.gold_sources) == (ACCEPTED, ("ana",))
    assert ds[("field", "dominant_frame", "policy_prescription")].gold == ""
    assert rv.counts == (7, 5, 3)  # the gold-only span is not counted
    assert {g.id for g in rv.gold_spans} == {g.id for g in store.spans(d, GOLD)}


def test_one_gold_span_can_accept_one_decision_and_edit_another(store, make_doc):
    d = make_doc(TEXT)
    store.add_span(d, "ana", *XI, "skeptical_of_alliance")
    store.add_span(d, "cy", *XI_LONG, "skeptical_of_alliance")
    store.add_gold_span(d, *XI, "skeptical_of_alliance", ["cy"])  # cy's, moved to ana's
    ds = by_key(build_review(store, d))
    assert ds[("span", *XI, "skeptical_of_alliance")].gold == ACCEPTED
    assert ds[("span", *XI_LONG, "skeptical_of_alliance")].gold == EDITED
    assert not any(k[0] == "gold" for k in ds)


def test_a_subset_of_coders(store, make_doc):
    d = disputed(store, make_doc)
    rv = build_review(store, d, ["ana", "cy"])
    assert rv.coders == ["ana", "cy"]
    ds = by_key(rv)
    assert ("span", *XI_LONG, "skeptical_of_alliance") not in ds  # ben's
    assert ds[("span", *XI, "skeptical_of_alliance")].agreement == PARTIAL
    assert ds[("span", *KIM, "alarmist")].coders == ("ana", "cy")


def test_disputed_documents_and_stepping_between_them(store, make_doc):
    assert first_disputed(store) is None and disputed_documents(store) == []
    a = agreed(store, make_doc)
    lone = agreed(store, make_doc, " Alone.", ("ana",))
    d1 = disputed(store, make_doc)
    b = agreed(store, make_doc, " Again.")
    d2 = disputed(store, make_doc, " Again.")
    assert len({a, lone, d1, b, d2}) == 5
    assert not has_disagreement(store, a) and not has_disagreement(store, lone)
    assert has_disagreement(store, d1)
    assert not has_disagreement(store, d1, ["ana", "xyz"])  # fewer than two coders
    assert disputed_documents(store) == [d1, d2]
    assert first_disputed(store) == d1
    assert first_disputed(store, ["cy", "zed"]) == a  # none disputed: the first document
    assert next_disputed(store, None, 1) == d1
    assert next_disputed(store, a, 1) == d1
    assert next_disputed(store, d1, 1) == d2
    assert next_disputed(store, b, -1) == d1
    assert next_disputed(store, d2, 1) is None
    assert next_disputed(store, d1, -1) is None
    assert next_disputed(store, None, -1) is None
    assert next_disputed(store, 999, 1) == d1  # a document that is gone: from the start


def test_field_only_disagreement(store, make_doc):
    d = make_doc("Fields only.")
    store.set_doc_label(d, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(d, "ben", "dominant_frame", "alarmist")
    assert not has_disagreement(store, d)
    store.set_doc_label(d, "cy", "frames_present", ["alarmist"])  # only cy filled it
    assert has_disagreement(store, d)


def test_field_sources():
    fields = {
        "ana": {"dominant_frame": "alarmist", "frames_present": ("alarmist", "policy")},
        "ben": {"dominant_frame": "none", "frames_present": ("alarmist",)},
        "cy": {"frames_present": ("policy",)},
    }
    assert field_sources(fields, "dominant_frame", "alarmist") == ("ana",)
    assert field_sources(fields, "dominant_frame", "other") == ()
    assert field_sources(fields, "dominant_frame", None) == ()
    assert field_sources(fields, "frames_present", ("alarmist",)) == ("ben",)  # exactly
    assert field_sources(fields, "frames_present", ("policy", "x")) == ("ana", "cy")  # sharing


def test_decision_texts_and_order(store, make_doc):
    assert excerpt("a  b\n c", 0, 7) == "a b c"
    long = "word " * 40
    assert excerpt(long, 0, len(long), 10) == "word wor…"
    assert excerpt(long, 5, 15, 10) == "word word"  # at the limit: whole
    assert excerpt(long, 0, 22, 10) == "word wor…"  # longer than the limit once squeezed
    assert excerpt("a" + " " * 30 + "b", 0, 32, 10) == "a…"  # cut off before its end
    d = disputed(store, make_doc)
    ds = by_key(build_review(store, d))
    sanctions = ds[("span", *SANCTIONS, "policy_prescription")]
    assert coders_text(sanctions) == "ana, ben — 2 of 3"
    order = {"dominant_frame": 0, "frames_present": 1}
    field = ds[("field", "dominant_frame", "alarmist")]
    assert sanctions.position(order) == (0, *SANCTIONS, "policy_prescription")
    assert field.position(order) == (1, 0, 0, "alarmist")
    assert sanctions.position(order) < field.position(order)


def test_next_undecided_follows_the_shown_order_and_wraps():
    from annotator.decisions import next_undecided

    order = ["a", "b", "c", "d"]
    open_ = {"a", "c", "d"}
    assert next_undecided(order, "a", open_.__contains__) == "c"  # b is decided
    assert next_undecided(order, "d", open_.__contains__) == "a"  # wraps round
    assert next_undecided(order, "c", {"c"}.__contains__) is None  # never itself
    assert next_undecided(order, "gone", open_.__contains__) == "a"
