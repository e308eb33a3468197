"""``agreement --by``: the groups a reviewer would try first — a round with no reliability
sample beside one with, a document coded in two weeks, documents nobody coded."""

from __future__ import annotations

import subprocess
import sys

from annotator.agreement_trend import compute_trend
from annotator.corpus import RawDocument
from annotator.ingest import import_documents

W10 = "2026-03-03T10:00:00.000+00:00"  # ISO week 2026-W10
W11 = "2026-03-11T10:00:00.000+00:00"  # 2026-W11


def _study(store):
    docs = import_documents(
        store,
        [RawDocument(f"Article {i}: the alliance is a threat.", f"{i}.txt") for i in range(8)],
    ).added
    frames = ["alarmist", "none"]
    store.create_round("pilot", 1, {"method": "test"})  # everything in its sample
    store.add_assignments(
        "pilot", [(c, d, True, i + 1) for c in ("ana", "ben") for i, d in enumerate(docs[:4])]
    )
    store.create_round("main", 2, {"method": "test"})  # no reliability sample at all
    store.add_assignments("main", [("ana", d, False, i + 1) for i, d in enumerate(docs[4:7])])
    for i, d in enumerate(docs[:4]):
        for c in ("ana", "ben"):
            store.set_doc_label(d, c, "dominant_frame", frames[i % 2], at=W10)
    for d in docs[4:7]:
        store.set_doc_label(d, "ana", "dominant_frame", "none", at=W11)
    return docs


def test_by_round_with_the_reliability_sample_keeps_a_round_without_one(store):
    _study(store)
    trend = compute_trend(store, "round", None, 0, 0, sample="reliability")
    assert [g.key for g in trend.groups] == ["pilot", "main"]
    pilot, main = trend.groups
    assert pilot.documents == 4 and pilot.report.doc_fields["dominant_frame"].alpha.value == 1.0
    assert main.documents == 0
    assert main.report.n_documents == 0
    assert main.report.doc_fields["dominant_frame"].alpha.value is None
    assert trend.series["dominant_frame (alpha)"] == [1.0, None]


def test_by_round_counts_the_documents_its_report_is_computed_on(store):
    _study(store)
    trend = compute_trend(store, "round", None, 0, 0)
    assert [(g.key, g.documents) for g in trend.groups] == [("pilot", 4), ("main", 3)]
    for g in trend.groups:
        assert g.report.design is not None and g.report.design.documents == g.documents


def test_the_cli_by_round_sample_reliability_does_not_fail_on_a_round_without_one(store):
    _study(store)
    path = store.path
    store.close()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(path), "agreement", "--by", "round",
         "--sample", "reliability", "--bootstrap", "0"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pilot" in done.stdout and "main" in done.stdout


def test_a_document_coded_in_two_weeks_is_in_the_week_of_its_last_coding(store):
    docs = _study(store)
    store.set_doc_label(docs[0], "ben", "dominant_frame", "none", at=W11)  # recoded later
    trend = compute_trend(store, "week", None, 0, 0)
    sizes = {g.key: g.documents for g in trend.groups}
    # 8 documents: docs[7] was never coded and is in no week
    assert sizes == {"2026-W10": 3, "2026-W11": 4}


def test_by_scheme_version_keeps_documents_coded_with_nothing_to_label(store):
    """Two coders who both mark an article done without a span or a value agree on it
    (token α counts its tokens); grouping by version must not drop it."""
    docs = import_documents(
        store,
        [RawDocument(f"Article {i}: the alliance is a threat.", f"{i}.txt") for i in range(4)],
    ).added
    for d in docs[:2]:
        for c in ("ana", "ben"):
            store.add_span(d, c, 0, 7, "alarmist")
    for d in docs[2:]:
        for c in ("ana", "ben"):
            store.set_status(d, c, "done")  # nothing to label here
    trend = compute_trend(store, "scheme-version", None, 0, 0)
    whole = compute_trend(store, "week", None, 0, 0)
    assert sum(g.documents for g in trend.groups) == 4
    assert [g.report.n_documents for g in trend.groups] == [4]
    assert sum(g.report.n_documents for g in whole.groups) == 4


def test_a_document_with_nothing_to_label_takes_the_version_in_force_when_marked(store):
    from annotator.scheme import extend_scheme

    docs = import_documents(
        store,
        [RawDocument(f"Article {i}: the alliance is a threat.", f"{i}.txt") for i in range(2)],
    ).added
    store.set_status(docs[0], "ana", "done")  # under version 1
    store.record_scheme(extend_scheme(store.scheme, 2, labels=["economic_threat"]))
    store.set_status(docs[1], "ana", "done")  # under version 2
    keys, order = store.document_groups("scheme-version")
    assert keys == {docs[0]: 1, docs[1]: 2} and order == [1, 2]


def test_by_round_with_named_coders_one_of_whom_joined_later(store):
    docs = _study(store)
    store.create_round("late", 3, {"method": "test"})
    store.add_assignments("late", [(c, docs[7], True, 1) for c in ("ana", "cy")])
    for c in ("ana", "cy"):
        store.set_doc_label(docs[7], c, "dominant_frame", "none", at=W11)
    trend = compute_trend(store, "round", ["ana", "cy"], 0, 0)
    assert [g.key for g in trend.groups] == ["pilot", "main", "late"]
    pilot, _main, late = trend.groups
    assert pilot.report.coders == ("ana",)  # cy has no assignments in the pilot
    assert late.report.coders == ("ana", "cy")


def test_methods_with_by_is_refused_in_one_line_not_ignored(store):
    _study(store)
    path = store.path
    store.close()
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(path), "agreement", "--by", "week",
         "--methods", "--bootstrap", "0"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert "--methods" in done.stderr and "--by" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_fall_is_measured_from_the_first_round_where_the_statistic_is_defined(store):
    docs = import_documents(
        store,
        [RawDocument(f"Article {i}: the alliance is a threat.", f"{i}.txt") for i in range(7)],
    ).added
    store.create_round("zero", 1, {"method": "test"})  # first, without a reliability sample
    store.add_assignments("zero", [("ana", docs[0], False, 1)])
    store.create_round("pilot", 2, {"method": "test"})
    store.add_assignments(
        "pilot", [(c, d, True, i + 1) for c in ("ana", "ben") for i, d in enumerate(docs[1:5])]
    )
    store.create_round("late", 3, {"method": "test"})
    store.add_assignments(
        "late", [(c, d, True, i + 1) for c in ("ana", "ben") for i, d in enumerate(docs[5:])]
    )
    for i, d in enumerate(docs[1:5]):  # the pilot agrees: alpha 1
        for c in ("ana", "ben"):
            store.set_doc_label(d, c, "dominant_frame", ["alarmist", "none"][i % 2])
    for i, d in enumerate(docs[5:]):  # later, they disagree
        store.set_doc_label(d, "ana", "dominant_frame", ["alarmist", "none"][i])
        store.set_doc_label(d, "ben", "dominant_frame", ["none", "alarmist"][i])
    trend = compute_trend(store, "round", None, 0, 0, sample="reliability")
    assert [g.key for g in trend.groups] == ["zero", "pilot", "late"]
    series = trend.series["dominant_frame (alpha)"]
    assert series[0] is None and series[1] == 1.0 and series[2] < 0.5
    flagged = [f for f in trend.flags if f.startswith("dominant_frame (alpha)")]
    assert len(flagged) == 1 and flagged[0].endswith("below 1.000 in pilot")
