"""annotator.search_filters: hits narrowed by the coder's status and labels, and the plan
of labelling hits (what is added, what is skipped as already labelled)."""

from __future__ import annotations

import pytest

from annotator.corpus import RawDocument
from annotator.errors import ValidationError
from annotator.ingest import import_documents
from annotator.search import find
from annotator.search_filters import HitFilter, filter_hits, plan_labels
from annotator.store import Store

TEXTS = [
    "Sanctions bite. The sanctions regime widens.",
    "No sanctions here, only talks.",
    "Talks about talks.",
]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "f.db") as s:
        import_documents(s, [RawDocument(t, f"{i}.txt", {}) for i, t in enumerate(TEXTS)])
        s.add_coder("ana")
        s.add_coder("ben")
        yield s


def ids(store):
    return [d.id for d in store.list_documents()]


def test_no_filter_passes_every_hit(store):
    hits = list(find(store, "sanctions"))
    assert list(filter_hits(store, iter(hits), HitFilter("ana"))) == hits
    assert len(hits) == 3


def test_status_filter_is_the_coders_own(store):
    a, b, _ = ids(store)
    store.set_status(b, "ana", "done")
    store.set_status(a, "ben", "done")
    got = filter_hits(store, find(store, "sanctions"), HitFilter("ana", status="done"))
    assert [h.doc_id for h in got] == [b]
    got = filter_hits(store, find(store, "sanctions"), HitFilter("ana", status="new"))
    assert [h.doc_id for h in got] == [a, a]


def test_label_filter_has_and_has_not(store):
    a, b, _ = ids(store)
    store.add_span(a, "ana", 0, 9, "alarmist")
    store.add_span(b, "ben", 0, 2, "alarmist")  # another coder's label does not count
    has = HitFilter("ana", label="alarmist")
    lacks = HitFilter("ana", label="alarmist", has_label=False)
    assert {h.doc_id for h in filter_hits(store, find(store, "sanctions"), has)} == {a}
    assert {h.doc_id for h in filter_hits(store, find(store, "sanctions"), lacks)} == {b}


def test_a_filter_the_scheme_cannot_use_is_one_line(store):
    with pytest.raises(ValidationError, match="unknown span label 'nope'"):
        list(filter_hits(store, find(store, "talks"), HitFilter("ana", label="nope")))
    with pytest.raises(ValidationError, match="status must be one of"):
        list(filter_hits(store, find(store, "talks"), HitFilter("ana", status="finished")))


def test_plan_skips_what_the_coder_labelled_and_repeats_within_the_plan(store):
    a, _, _ = ids(store)
    hits = list(find(store, "sanctions"))
    first = hits[0]
    store.add_span(a, "ana", first.start, first.end, "alarmist")
    plan = plan_labels(store, hits + [hits[1]], "ana", "alarmist")
    assert plan.skipped == 2  # the labelled one, and the repeated hit
    assert plan.add == [(h.doc_id, h.start, h.end) for h in hits[1:]]
    assert plan.documents == 2
    # ben has labelled nothing, and another label is another matter
    assert plan_labels(store, hits, "ben", "alarmist").skipped == 0
    assert plan_labels(store, hits, "ana", "policy_prescription").skipped == 0


def test_plan_snaps_to_tokens_unless_exact(store):
    hit = next(find(store, "regim", regex=True))  # part of the token "regime"
    token = plan_labels(store, [hit], "ana", "alarmist").add
    exact = plan_labels(store, [hit], "ana", "alarmist", snap="exact").add
    text = TEXTS[0]
    assert [text[s:e] for _, s, e in token] == ["regime"]
    assert [text[s:e] for _, s, e in exact] == ["regim"]
    with pytest.raises(ValidationError, match="unknown span label"):
        plan_labels(store, [hit], "ana", "nope")
