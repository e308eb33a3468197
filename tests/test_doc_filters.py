"""annotator.doc_filters: the article list's filters (status, label, field, coded by,
full-text), combined with AND, on real database files; a brute-force oracle over Store
reads for random labels."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import RawDocument
from annotator.doc_filters import DocFilter, matching_documents
from annotator.errors import NotFoundError, SearchQueryError, ValidationError
from annotator.ingest import import_documents
from annotator.store import Store

TEXTS = [
    "Sanctions bite. The sanctions regime widens.",
    "No sanctions here, only talks.",
    "Talks about talks.",
    "An axis of upheaval forms.",
    "Markets are calm today.",
]


def make(path):
    s = Store(path)
    import_documents(s, [RawDocument(t, f"{i}.txt", {}) for i, t in enumerate(TEXTS)])
    for name in ("ana", "ben", "cy"):
        s.add_coder(name)
    return s


@pytest.fixture
def store(tmp_path):
    with make(tmp_path / "f.db") as s:
        yield s


@pytest.fixture
def coded(store):
    """ana: spans on 1 and 2, done on 3, a field on 1; ben: a span on 2 and 4, fields;
    cy: only a memo on 5; gold: a span on 5 (never "anyone")."""
    d1, d2, d3, d4, d5 = store.document_ids()
    store.add_span(d1, "ana", 0, 9, "alarmist")
    store.add_span(d2, "ana", 3, 11, "skeptical_of_alliance")
    store.set_status(d3, "ana", "done")
    store.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
    store.add_span(d2, "ben", 0, 2, "alarmist")
    store.add_span(d4, "ben", 0, 2, "policy_prescription")
    store.set_doc_label(d4, "ben", "dominant_frame", "none")
    store.set_doc_label(d2, "ben", "frames_present", ["alarmist", "policy_prescription"])
    store.set_memo(d5, "cy", "unclear")
    store.add_gold_span(d5, 0, 2, "alarmist", ["ben"])
    return d1, d2, d3, d4, d5


def test_no_condition_is_every_document(store):
    assert matching_documents(store, DocFilter("ana")) == store.document_ids()
    assert not DocFilter("ana").active


def test_status_is_the_coders_own(store, coded):
    d1, d2, d3, d4, d5 = coded
    assert matching_documents(store, DocFilter("ana", status="done")) == [d3]
    assert matching_documents(store, DocFilter("ana", status="in_progress")) == [d1, d2]
    assert matching_documents(store, DocFilter("ana", status="new")) == [d4, d5]
    assert matching_documents(store, DocFilter("ben", status="new")) == [d1, d3, d5]


def test_label_mine_and_anyones(store, coded):
    d1, d2, d3, d4, d5 = coded
    assert matching_documents(store, DocFilter("ana", label="alarmist")) == [d1]
    assert matching_documents(store, DocFilter("ana", label="alarmist", label_anyone=True)) == [
        d1,
        d2,
    ]  # gold's span on d5 is no coder's
    assert matching_documents(store, DocFilter("ana", label="alarmist", has_label=False)) == [
        d2,
        d3,
        d4,
        d5,
    ]
    got = matching_documents(
        store, DocFilter("ana", label="alarmist", has_label=False, label_anyone=True)
    )
    assert got == [d3, d4, d5]


def test_field_value_single_multi_and_not_set(store, coded):
    d1, d2, d3, d4, d5 = coded
    f = DocFilter("ana", field="dominant_frame", value="alarmist")
    assert matching_documents(store, f) == [d1]
    f = DocFilter("ana", field="dominant_frame", value="none")
    assert matching_documents(store, f) == []
    f = DocFilter("ana", field="dominant_frame", value="none", field_anyone=True)
    assert matching_documents(store, f) == [d4]
    f = DocFilter("ben", field="frames_present", value="policy_prescription")
    assert matching_documents(store, f) == [d2]
    f = DocFilter("ben", field="frames_present", value="skeptical_of_alliance")
    assert matching_documents(store, f) == []
    f = DocFilter("ana", field="dominant_frame", value=None)
    assert matching_documents(store, f) == [d2, d3, d4, d5]
    f = DocFilter("ana", field="dominant_frame", value=None, field_anyone=True)
    assert matching_documents(store, f) == [d2, d3, d5]


def test_an_empty_multi_value_is_set_and_holds_no_option(store):
    d1 = store.document_ids()[0]
    store.set_doc_label(d1, "ana", "frames_present", [])
    assert d1 not in matching_documents(store, DocFilter("ana", field="frames_present", value=None))
    assert (
        matching_documents(store, DocFilter("ana", field="frames_present", value="alarmist")) == []
    )


def test_coded_by_counts_spans_fields_and_status_not_a_memo_alone(store, coded):
    """As progress and the agreement report count it: cy's memo alone is not coding."""
    d1, d2, d3, d4, d5 = coded
    assert matching_documents(store, DocFilter("ana", coded_by="ana")) == [d1, d2, d3]
    assert matching_documents(store, DocFilter("ana", coded_by="ben")) == [d2, d4]
    assert matching_documents(store, DocFilter("ana", coded_by="cy")) == []
    store.set_status(d4, "cy", "in_progress")
    assert matching_documents(store, DocFilter("ana", coded_by="cy")) == [d4]
    store.add_time(d1, "cy", 12.0)  # time alone leaves the status "new": not coded
    assert matching_documents(store, DocFilter("ana", coded_by="cy")) == [d4]


def test_text_query_and_conditions_combine_with_and(store, coded):
    d1, d2, d3, d4, d5 = coded
    assert matching_documents(store, DocFilter("ana", text="sanctions")) == [d1, d2]
    assert matching_documents(store, DocFilter("ana", text="talk*")) == [d2, d3]
    f = DocFilter("ana", text="talk*", status="done")
    assert matching_documents(store, f) == [d3]
    f = DocFilter("ana", text="sanctions", label="alarmist", label_anyone=True, coded_by="ben")
    assert matching_documents(store, f) == [d2]
    assert matching_documents(store, DocFilter("ana", text='"axis of upheaval"')) == [d4]


def test_a_malformed_query_is_one_line(store):
    with pytest.raises(SearchQueryError) as e:
        matching_documents(store, DocFilter("ana", text='"axis of'))
    assert "\n" not in str(e.value) and "search query" in str(e.value)


def test_unknown_names_are_one_line(store):
    with pytest.raises(ValidationError, match="unknown span label 'nope'"):
        matching_documents(store, DocFilter("ana", label="nope"))
    with pytest.raises(ValidationError, match="unknown document field 'nope'"):
        matching_documents(store, DocFilter("ana", field="nope", value="x"))
    with pytest.raises(NotFoundError, match="unknown coder 'zed'"):
        matching_documents(store, DocFilter("ana", coded_by="zed"))
    with pytest.raises(ValidationError, match="status must be one of"):
        matching_documents(store, DocFilter("ana", status="finished"))


def test_a_coder_the_file_does_not_know_yet_has_nothing(store):
    f = DocFilter("newcomer", label="alarmist")
    assert matching_documents(store, f) == []
    assert matching_documents(store, DocFilter("newcomer", status="new")) == store.document_ids()


def test_a_read_only_file_can_be_filtered(tmp_path):
    path = tmp_path / "ro.db"
    with make(path) as s:
        d1 = s.document_ids()[0]
        s.add_span(d1, "ana", 0, 9, "alarmist")
    with Store(path, readonly=True) as ro:
        assert matching_documents(ro, DocFilter("ana", label="alarmist", text="sanctions")) == [d1]


# -- against a brute-force evaluation over Store reads ---------------------------------

LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")
CODERS = ("ana", "ben", "cy")
FRAMES = ("alarmist", "skeptical_of_alliance", "policy_prescription", "none")

actions = st.lists(
    st.tuples(
        st.sampled_from(("span", "field", "multi", "status", "memo", "time")),
        st.integers(0, len(TEXTS) - 1),
        st.sampled_from(CODERS),
        st.integers(0, 3),
    ),
    max_size=25,
)
filters = st.builds(
    DocFilter,
    coder=st.sampled_from(CODERS),
    status=st.sampled_from(("", "new", "in_progress", "done")),
    label=st.sampled_from(("", *LABELS)),
    has_label=st.booleans(),
    label_anyone=st.booleans(),
    field=st.sampled_from(("", "dominant_frame", "frames_present")),
    value=st.sampled_from((None, *FRAMES)),
    field_anyone=st.booleans(),
    coded_by=st.sampled_from(("", *CODERS)),
    text=st.sampled_from(("", "sanctions", "talks", "calm OR axis")),
)


def brute(store: Store, f: DocFilter) -> list[int]:
    words = {
        "": None,
        "sanctions": ["sanctions"],
        "talks": ["talks"],
        "calm OR axis": ["calm", "axis"],
    }[f.text]
    out = []
    for doc_id in store.document_ids():
        doc = store.document(doc_id)
        spans = [s for s in store.spans(doc_id) if s.coder != "gold"]
        labels = [x for x in store.all_doc_labels(doc_id) if x.coder != "gold"]
        if f.status and store.status(doc_id, f.coder) != f.status:
            continue
        if f.label:
            has = any(s.label == f.label and (f.label_anyone or s.coder == f.coder) for s in spans)
            if has != f.has_label:
                continue
        if f.field:
            mine = [
                x.value
                for x in labels
                if x.field == f.field and (f.field_anyone or x.coder == f.coder)
            ]
            if f.value is None:
                if mine:
                    continue
            elif not any(v == f.value or (isinstance(v, tuple) and f.value in v) for v in mine):
                continue
        if f.coded_by:
            coded = (
                store.status(doc_id, f.coded_by) != "new"
                or any(s.coder == f.coded_by for s in spans)
                or any(x.coder == f.coded_by for x in labels)
            )
            if not coded:
                continue
        if words is not None and not any(w in doc.text.lower() for w in words):
            continue
        out.append(doc_id)
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(acts=actions, fs=st.lists(filters, min_size=1, max_size=6))
def test_the_filter_equals_a_brute_force_evaluation(tmp_path_factory, acts, fs):
    path = tmp_path_factory.mktemp("h") / "h.db"
    with make(path) as s:
        ids = s.document_ids()
        for kind, i, coder, k in acts:
            doc = ids[i]
            if kind == "span":
                s.add_span(doc, coder, 0, 2 + k, LABELS[k % 3])
            elif kind == "field":
                s.set_doc_label(doc, coder, "dominant_frame", FRAMES[k])
            elif kind == "multi":
                s.set_doc_label(doc, coder, "frames_present", list(LABELS[:k]))
            elif kind == "status":
                s.set_status(doc, coder, ("new", "in_progress", "done", "done")[k])
            elif kind == "time":  # a status row that stays "new": not coded
                s.add_time(doc, coder, 5.0 + k)
            else:
                s.set_memo(doc, coder, "memo" if k else "")
        for f in fs:
            assert matching_documents(s, f) == brute(s, f), f
