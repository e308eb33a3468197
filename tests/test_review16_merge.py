"""A coder's file made before a codebook change or before ``import --update`` corrected
a document, merged (or imported with ``import-labels``) into the lead's database (issue 16
review): the coder's labels are read under today's names and carried onto today's text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from annotator import codebook
from annotator.corpus import RawDocument
from annotator.export import records
from annotator.ingest import import_documents
from annotator.labels_import import import_label_file
from annotator.merge import merge_database
from annotator.store import Store
from annotator.updating import update_paths

TEXTS = [
    "Moscow and Pyongyang signed a pact that alarms Seoul and Tokyo alike.",
    "Analysts doubt the partnership will last; mistrust runs deep on both sides.",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("review16") / "template.db"
    with Store(path) as s:
        import_documents(s, [RawDocument(t, f"doc{i}.txt", {}) for i, t in enumerate(TEXTS)])
    return path


@pytest.fixture
def lead_and_coder(template, tmp_path):
    """The lead's database and ana's copy of it, where ana coded before the lead changed
    the codebook."""
    lead, ana = tmp_path / "lead.db", tmp_path / "ana.db"
    shutil.copy(template, lead)
    shutil.copy(template, ana)
    with Store(ana) as s:
        d1, d2 = s.document_ids()
        s.add_span(d1, "ana", 0, 6, "alarmist")
        s.add_span(d1, "ana", 10, 19, "policy_prescription")
        s.add_span(d2, "ana", 0, 8, "skeptical_of_alliance")
        s.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
        s.set_doc_label(d1, "ana", "frames_present", ["alarmist", "policy_prescription"])
    return lead, ana


def _change_codebook(lead):
    with Store(lead) as s:
        codebook.rename_label(s, "alarmist", "threat", by="lead")
        codebook.rename_option(s, "dominant_frame", "alarmist", "threat", by="lead")
        codebook.merge_options(
            s, "frames_present", ["alarmist", "policy_prescription"], "policy_prescription"
        )
        codebook.rename_field(s, "frames_present", "frames", by="lead")
        codebook.split_label(s, "skeptical_of_alliance", ["doubt", "distrust"], by="lead")


def _state(path):
    with Store(path) as s:
        spans = sorted(
            (sp.document_id, sp.coder, sp.start, sp.end, sp.label)
            for d in s.document_ids()
            for sp in s.spans(d)
        )
        labels = sorted(
            (dl.document_id, dl.coder, dl.field, dl.value)
            for d in s.document_ids()
            for dl in s.all_doc_labels(d)
        )
        worklist = [(i.coder, i.label) for i in s.recode_worklist(None)]
        return spans, labels, worklist, s.scheme.version


EXPECTED_SPANS = [
    (1, "ana", 0, 6, "threat"),
    (1, "ana", 10, 19, "policy_prescription"),
    (2, "ana", 0, 8, "skeptical_of_alliance"),
]
EXPECTED_LABELS = [
    (1, "ana", "dominant_frame", "threat"),
    (1, "ana", "frames", ("policy_prescription",)),
]


def test_a_coders_database_made_before_a_codebook_change_merges_under_the_new_names(
    lead_and_coder,
):
    lead, ana = lead_and_coder
    _change_codebook(lead)
    report = merge_database(Store(lead), ana)
    assert (report.spans_added, report.doc_labels_set, report.conflicts) == (3, 2, [])
    assert report.labels_renamed == 3  # the alarmist span, dominant_frame, frames_present
    spans, labels, worklist, version = _state(lead)
    assert spans == EXPECTED_SPANS
    assert labels == EXPECTED_LABELS
    # the split label's span stays as it is, on ana's recode worklist
    assert worklist == [("ana", "skeptical_of_alliance")]
    with Store(lead) as s:
        renamed = next(sp for sp in s.spans(1) if sp.label == "threat")
        assert renamed.scheme_version == version  # "threat" did not exist in v1
    # merging again adds nothing and finds no conflict
    again = merge_database(Store(lead), ana)
    assert (again.spans_added, again.doc_labels_set, again.conflicts) == (0, 0, [])
    assert _state(lead)[:2] == (EXPECTED_SPANS, EXPECTED_LABELS)


def test_a_database_merged_before_the_change_and_again_after_is_no_conflict(lead_and_coder):
    lead, ana = lead_and_coder
    merge_database(Store(lead), ana)  # week two: ana's work is collected
    _change_codebook(lead)  # week three: the lead changes the codebook
    with Store(ana) as s:  # ana goes on coding in her own copy, with the old names
        s.add_span(2, "ana", 9, 20, "alarmist")
    report = merge_database(Store(lead), ana)
    assert report.conflicts == []
    assert (report.spans_added, report.doc_labels_set) == (1, 0)
    spans = _state(lead)[0]
    assert (2, "ana", 9, 20, "threat") in spans
    assert not any(c.startswith("ana@") for _, c, *_ in spans)


def test_import_labels_of_a_file_exported_before_a_codebook_change(lead_and_coder, tmp_path):
    lead, ana = lead_and_coder
    out = tmp_path / "ana.jsonl"
    with Store(ana) as s:
        lines = [json.dumps(r, ensure_ascii=False) for r in records(s)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _change_codebook(lead)
    with Store(lead) as s:
        result = import_label_file(s, out)
    assert result.errors == []
    assert (result.spans_added, result.doc_labels_set) == (3, 2)
    spans, labels, worklist, _ = _state(lead)
    assert spans == EXPECTED_SPANS
    assert labels == EXPECTED_LABELS
    assert worklist == [("ana", "skeptical_of_alliance")]
    with Store(lead) as s:  # importing again: everything is present
        again = import_label_file(s, out)
    assert (again.errors, again.spans_added, again.spans_present) == ([], 0, 3)


# -- a pack made before import --update corrected a document -----------------------

OLD = (
    "Headline about the alliance\n"
    "Russia and Iran signed a pact. Sanctions must be tightened now.\n"
    "Analysts call the alliance fragile and divided.\n"
)
NEW = (
    "Headline about the alliance (corrected)\n"
    "Russia and Iran signed a pact in 2024. Sanctions must be tightened now.\n"
    "Analysts call the alliance divided.\n"
)


@pytest.fixture
def corrected(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(OLD, encoding="utf-8")
    lead, ana = tmp_path / "lead.db", tmp_path / "ana.db"
    subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(lead), "import", str(folder / "a.txt")],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    shutil.copy(lead, ana)
    with Store(ana) as s:
        s.add_span(1, "ana", OLD.index("Sanctions"), OLD.index(" now."), "policy_prescription")
        s.add_span(1, "ana", OLD.index("signed"), OLD.index(" Sanctions"), "alarmist")
        s.add_span(1, "ana", OLD.index("fragile"), OLD.index(" and divided"), "alarmist")
        s.set_doc_label(1, "ana", "dominant_frame", "alarmist")
    (folder / "a.txt").write_text(NEW, encoding="utf-8")
    with Store(lead) as s:
        report = update_paths(s, [folder / "a.txt"])
        assert [u[0] for u in report.updated] == [1]
    return lead, ana, folder


def test_a_pack_made_before_a_correction_is_carried_onto_the_current_text(corrected):
    lead, ana, _ = corrected
    report = merge_database(Store(lead), ana)
    assert report.documents_added == 0
    assert report.texts_corrected == 1
    assert (report.spans_moved, report.spans_changed, report.spans_lost) == (1, 1, 1)
    assert (report.spans_added, report.doc_labels_set) == (2, 1)
    assert "1 document(s) matched through an older text" in report.summary()
    with Store(lead) as s:
        assert s.document_ids() == [1]
        spans = {sp.label: sp for sp in s.spans(1, "ana")}
        moved = spans["policy_prescription"]
        assert NEW[moved.start : moved.end] == "Sanctions must be tightened"
        changed = spans["alarmist"]
        assert NEW[changed.start : changed.end] == "signed a pact in 2024."
        assert list(s.flagged_spans(1)) == [changed.id]
        assert "carried from text version 1 to 2" in s.flagged_spans(1)[changed.id]
        assert [(dl.field, dl.value) for dl in s.all_doc_labels(1)] == [
            ("dominant_frame", "alarmist")
        ]
    again = merge_database(Store(lead), ana)
    assert (again.spans_added, again.doc_labels_set, again.conflicts) == (0, 0, [])


def test_a_document_corrected_twice_carries_through_each_version(corrected):
    lead, ana, folder = corrected
    third = NEW.replace("Headline about", "A new headline on")
    (folder / "a.txt").write_text(third, encoding="utf-8")
    with Store(lead) as s:
        update_paths(s, [folder / "a.txt"])
        assert s.text_version(1) == 3
    report = merge_database(Store(lead), ana)
    assert report.documents_added == 0 and report.texts_corrected == 1
    with Store(lead) as s:
        texts = sorted(third[sp.start : sp.end] for sp in s.spans(1, "ana"))
        assert texts == ["Sanctions must be tightened", "signed a pact in 2024."]
        (flag,) = s.flagged_spans(1).values()
        assert "from text version 1 to 3" in flag


def test_import_labels_of_a_file_exported_before_a_correction(corrected, tmp_path):
    lead, ana, _ = corrected
    out = tmp_path / "ana.jsonl"
    with Store(ana) as s:
        out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(s)),
            encoding="utf-8",
        )
    with Store(lead) as s:
        result = import_label_file(s, out)
    assert result.errors == []
    assert (result.documents_added, result.spans_added, result.doc_labels_set) == (0, 2, 1)
    assert (result.texts_corrected, result.spans_changed, result.spans_lost) == (1, 1, 1)
    assert "1 record(s) made on an older text carried onto the current one" in result.summary()
    with Store(lead) as s:
        assert s.document_ids() == [1]
        texts = {sp.id: NEW[sp.start : sp.end] for sp in s.spans(1, "ana")}
        assert sorted(texts.values()) == ["Sanctions must be tightened", "signed a pact in 2024."]
        (flagged,) = s.flagged_spans(1)
        assert texts[flagged] == "signed a pact in 2024."
        again = import_label_file(s, out)
    assert (again.errors, again.documents_added, again.spans_added) == ([], 0, 0)


def test_a_coders_pack_made_before_a_rename_and_a_correction_merges_back(tmp_path):
    """A real pack (``assign``, ``pack_coder``): the coder codes in it while the lead
    renames a label and corrects one of the articles; merging the pack back puts every
    span under today's name on today's text and adds no document."""
    from annotator.assign import assign
    from annotator.coder_pack import pack_coder

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(OLD, encoding="utf-8")
    (folder / "b.txt").write_text(TEXTS[0] + "\n", encoding="utf-8")
    lead, pack = tmp_path / "lead.db", tmp_path / "ana-pack.db"
    with Store(lead) as s:
        from annotator.ingest import import_paths

        import_paths(s, [folder])
        assign(s, ("ana",), round="main", seed=1, overlap=0.0)
        pack_coder(s, "ana", pack)
        ids = {s.document(d).source.rsplit("/", 1)[-1]: d for d in s.document_ids()}
    with Store(pack) as s:  # ana codes in her pack
        a = next(d for d in s.document_ids() if s.document(d).text == OLD)
        s.add_span(a, "ana", OLD.index("Sanctions"), OLD.index(" now."), "alarmist")
        b = next(d for d in s.document_ids() if d != a)
        s.add_span(b, "ana", 0, 6, "alarmist")
    with Store(lead) as s:  # meanwhile the lead renames a label and corrects a.txt
        codebook.rename_label(s, "alarmist", "threat", by="lead")
        (folder / "a.txt").write_text(NEW, encoding="utf-8")
        update_paths(s, [folder / "a.txt"])
    report = merge_database(Store(lead), pack)
    assert (report.documents_added, report.conflicts, report.spans_added) == (0, [], 2)
    assert (report.texts_corrected, report.spans_moved, report.labels_renamed) == (1, 1, 2)
    with Store(lead) as s:
        got = sorted(
            (d, s.document(d).text[sp.start : sp.end], sp.label)
            for d in s.document_ids()
            for sp in s.spans(d, "ana")
        )
    assert got == [
        (ids["a.txt"], "Sanctions must be tightened", "threat"),
        (ids["b.txt"], "Moscow", "threat"),
    ]
