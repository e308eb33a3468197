"""Codebook changes attacked (issue 16 review): a split label renamed or merged after the
split, on real database files."""

from __future__ import annotations

import pytest

from annotator import codebook
from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.store import Store

TEXT = "Moscow and Pyongyang signed a pact that alarms Seoul and Tokyo alike."


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "labels.db"
    with Store(path) as s:
        import_documents(s, [RawDocument(TEXT, "a.txt", {})])
        s.add_span(1, "ana", 0, 6, "alarmist")
        s.add_span(1, "ana", 11, 20, "alarmist")
        s.add_span(1, "ana", 21, 27, "policy_prescription")
        s.add_span(1, "bo", 0, 6, "policy_prescription")
    return path


def _worklist(s):
    return [(i.coder, i.start, i.label) for i in s.recode_worklist(None)]


def test_a_split_label_merged_into_an_offered_label_leaves_the_worklist(db):
    with Store(db) as s:
        codebook.split_label(s, "alarmist", ["military", "economic"])
        assert _worklist(s) == [("ana", 0, "alarmist"), ("ana", 11, "alarmist")]
        change = codebook.merge_labels(
            s, ["alarmist", "policy_prescription"], "policy_prescription"
        )
        assert change.spans == 2
        # the lead decided: the split label's spans are policy_prescription now; the label
        # that is offered did not become a split label (its own spans are not to recode)
        assert s.split_labels() == {}
        assert _worklist(s) == []
        assert codebook.worklist_counts(s) == {}


def test_a_split_label_renamed_stays_split_under_its_new_name(db):
    with Store(db) as s:
        codebook.split_label(s, "alarmist", ["military", "economic"])
        codebook.rename_label(s, "alarmist", "alarmist_old")
        assert s.split_labels() == {"alarmist_old": ("military", "economic")}
        assert _worklist(s) == [("ana", 0, "alarmist_old"), ("ana", 11, "alarmist_old")]
        lab = s.scheme.label("alarmist_old")
        assert lab is not None and lab.retired
