"""Provenance (issue 15): every span and document label's origin (``manual``,
``suggestion:<source>``, ``edited:<source>``) survives the canonical export, import-labels,
CSV, Prodigy and spaCy exports, and merge; gold labels are the adjudicator's (manual)."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import RawDocument
from annotator.export import export, records
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.merge import merge_database
from annotator.store import GOLD, Store
from tests.folders import exported

TEXTS = (
    "Sanctions must be tightened now. The alliance is fragile and divided.",
    "A catastrophe looms 😀 over the region; leaders need to act.",
)
LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")
DOMINANT = ("alarmist", "skeptical_of_alliance", "policy_prescription", "none")
ORIGINS = (
    "manual",
    "suggestion:patterns",
    "edited:patterns",
    "suggestion:gpt-4o_run.2",
    "edited:model-1.2",
)
CODERS = ("ana", "ben")


def new_db(path: Path) -> Store:
    s = Store(path)
    import_documents(s, [RawDocument(t, f"t{i}.txt") for i, t in enumerate(TEXTS)])
    return s


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
    return path


def span_origins(store: Store) -> Counter:
    """Every coder's spans as (text, coder, start, end, label, origin), a multiset."""
    out: Counter = Counter()
    for d in range(1, store.document_count() + 1):
        text = store.document(d).text
        out.update((text, s.coder, s.start, s.end, s.label, s.origin) for s in store.spans(d))
    return out


def label_origins(store: Store) -> dict:
    """``{(text, coder, field): (value, origin)}`` of every document label."""
    out = {}
    for d in range(1, store.document_count() + 1):
        text = store.document(d).text
        for dl in store.all_doc_labels(d):
            out[text, dl.coder, dl.field] = (dl.value, dl.origin)
    return out


def imported(path: Path, *files: Path, **kw) -> Store:
    s = Store(path)
    results = import_label_files(s, list(files), **kw)
    assert all(r.ok for r in results), [e for r in results for e in r.errors]
    return s


# --- the property: export -> import into a fresh database keeps every origin ------------

spans_drawn = st.lists(
    st.tuples(
        st.integers(0, 1),  # document
        st.sampled_from(CODERS),
        st.integers(0, 38),
        st.integers(1, 20),
        st.sampled_from(LABELS),
        st.sampled_from(ORIGINS),
    ),
    min_size=1,  # an export with no record is not a file to import
    max_size=12,
)
fields_drawn = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.sampled_from(CODERS),
        st.one_of(
            st.tuples(st.just("dominant_frame"), st.sampled_from(DOMINANT)),
            st.tuples(st.just("frames_present"), st.lists(st.sampled_from(LABELS), unique=True)),
        ),
        st.sampled_from(ORIGINS),
    ),
    max_size=6,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spans=spans_drawn, fields=fields_drawn)
def test_origins_survive_export_and_import_into_a_fresh_database(tmp_path_factory, spans, fields):
    tmp = tmp_path_factory.mktemp("prov")
    with new_db(tmp / "a.db") as a:
        for doc, coder, start, length, label, origin in spans:
            a.add_span(doc + 1, coder, start, start + length, label, origin=origin)
        for doc, coder, (fname, value), origin in fields:
            a.set_doc_label(doc + 1, coder, fname, value, origin=origin)
        export(a, tmp / "out.jsonl")
        want_spans, want_labels = span_origins(a), label_origins(a)
    recs = read_jsonl(tmp / "out.jsonl")
    for rec in recs:
        assert set(rec["doc_label_origins"]) == set(rec["doc_labels"])
        assert all(s["origin"] in ORIGINS for s in rec["spans"])
    with imported(tmp / "b.db", tmp / "out.jsonl") as b:
        assert span_origins(b) == want_spans
        assert label_origins(b) == want_labels
        # and exporting again gives the same file (origins included)
        export(b, tmp / "again.jsonl")
    assert [comparable(r) for r in read_jsonl(tmp / "again.jsonl")] == list(map(comparable, recs))


def comparable(rec: dict) -> dict:
    """A record without what a fresh database numbers or stamps anew."""
    out = {k: v for k, v in rec.items() if k != "_timestamp"}
    out["meta"] = {k: v for k, v in rec["meta"].items() if k != "doc_id"}
    return out


# --- fixtures with known origins ---------------------------------------------------------


@pytest.fixture
def coded(tmp_path):
    """ana: a manual span, an accepted suggestion, an edited one, two field values of other
    origins; ben: a manual span."""
    s = new_db(tmp_path / "labels.db")
    t = TEXTS[0]
    s.add_span(1, "ana", 0, 9, "policy_prescription")
    s.add_span(1, "ana", t.index("must"), t.index("must") + 4, "policy_prescription",
               origin="suggestion:patterns")  # fmt: skip
    moved = s.add_span(1, "ana", t.index("fragile"), t.index("fragile") + 7, "alarmist",
                       origin="suggestion:model-1")  # fmt: skip
    s.move_span(moved.id, t.index("fragile"), len(t) - 1)  # -> edited:model-1
    s.set_doc_label(1, "ana", "dominant_frame", "alarmist", origin="suggestion:model-1")
    s.set_doc_label(1, "ana", "frames_present", ["alarmist"])
    s.add_span(1, "ben", 0, 9, "policy_prescription")
    yield s
    s.close()


def test_the_canonical_record_carries_origins(coded):
    ana = next(r for r in records(coded) if r["_annotator_id"] == "ana")
    assert [s["origin"] for s in ana["spans"]] == [
        "manual",
        "suggestion:patterns",
        "edited:model-1",
    ]
    assert ana["doc_label_origins"] == {
        "dominant_frame": "suggestion:model-1",
        "frames_present": "manual",
    }


def test_csv_has_an_origin_column_last(coded, tmp_path):
    coded.set_memo(2, "ben", "No frame; a list.")  # a memo row without a span: no origin
    out = tmp_path / "spans.csv"
    export(coded, out, fmt="csv")
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[-2:] == ["memo", "origin"]
    got = [(r["coder"], r["label"], r["origin"]) for r in rows]
    assert got == [
        ("ana", "policy_prescription", "manual"),
        ("ana", "policy_prescription", "suggestion:patterns"),
        ("ana", "alarmist", "edited:model-1"),
        ("ben", "policy_prescription", "manual"),
        ("ben", "", ""),
    ]


def test_prodigy_spans_carry_origin_and_read_back(coded, tmp_path):
    out = tmp_path / "p.jsonl"
    export(coded, out, fmt="prodigy")
    ana = next(r for r in read_jsonl(out) if r["_annotator_id"] == "ana")
    assert [s["origin"] for s in ana["spans"]] == [
        "manual",
        "suggestion:patterns",
        "edited:model-1",
    ]
    with imported(tmp_path / "back.db", out, fmt="prodigy") as b:
        assert sorted(s.origin for s in b.spans(1, "ana")) == sorted(
            s.origin for s in coded.spans(1, "ana")
        )


def test_spacy_docbin_keeps_origins_in_the_span_group(coded, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    export(coded, tmp_path / "sp", fmt="spacy")
    [shard] = exported(tmp_path / "sp")
    docs = list(DocBin().from_disk(shard).get_docs(spacy.blank("en").vocab))
    ana = next(d for d in docs if d.user_data["annotator"] == "ana")
    assert ana.spans["sc"].attrs["origins"] == ["manual", "suggestion:patterns", "edited:model-1"]
    assert ana.user_data["doc_label_origins"]["dominant_frame"] == "suggestion:model-1"


# --- import-labels --------------------------------------------------------------------


def test_a_bad_origin_is_one_file_line_error_and_nothing_is_stored(coded, tmp_path):
    export(coded, tmp_path / "good.jsonl")
    recs = read_jsonl(tmp_path / "good.jsonl")
    assert len(recs) == 2
    cases = {
        "span.jsonl": lambda r: r["spans"][1].update(origin="suggestion:has space"),
        "field.jsonl": lambda r: r["doc_label_origins"].update(dominant_frame="auto"),
        "shape.jsonl": lambda r: r.update(doc_label_origins=["manual"]),
        "number.jsonl": lambda r: r["spans"][0].update(origin=3),
    }
    reasons = {}
    for name, spoil in cases.items():
        bad = json.loads(json.dumps(recs))
        spoil(bad[0])  # ana's record, line 1; ben's line 2 is fine
        path = write_jsonl(tmp_path / name, bad[::-1])  # ana's on line 2
        with Store(tmp_path / f"{name}.db") as s:
            [r] = import_label_files(s, [path])
            assert not r.ok
            assert len(r.errors) == 1 and "\n" not in r.errors[0]
            assert r.errors[0].startswith(f"{path}:2: ")
            reasons[name] = r.errors[0].split(": ", 1)[1]
            # all or nothing: not even ben's good line, nor the texts
            assert s.document_count() == 0 and s.coders() == []
    assert reasons["span.jsonl"].startswith("span 2 origin: origin must be 'manual'")
    assert reasons["field.jsonl"].startswith('doc_label_origins["dominant_frame"]: origin must')
    assert reasons["shape.jsonl"] == '"doc_label_origins" must be an object'
    assert "got 3" in reasons["number.jsonl"]


def test_older_canonical_files_without_origins_import_as_manual(coded, tmp_path):
    export(coded, tmp_path / "new.jsonl")
    recs = read_jsonl(tmp_path / "new.jsonl")
    for rec in recs:
        del rec["doc_label_origins"]
        for span in rec["spans"]:
            del span["origin"]
    old = write_jsonl(tmp_path / "old.jsonl", recs)
    with imported(tmp_path / "back.db", old) as b:
        assert {o for *_, o in span_origins(b)} == {"manual"}
        assert {o for _v, o in label_origins(b).values()} == {"manual"}
        assert len(b.spans(1, "ana")) == 3


def test_an_origin_for_a_field_the_record_does_not_set_is_not_used(coded, tmp_path):
    export(coded, tmp_path / "x.jsonl")
    recs = [r for r in read_jsonl(tmp_path / "x.jsonl") if r["_annotator_id"] == "ana"]
    recs[0]["doc_labels"] = {"frames_present": ["alarmist"]}  # edited by hand
    with imported(tmp_path / "back.db", write_jsonl(tmp_path / "y.jsonl", recs)) as b:
        assert b.doc_labels(1, "ana") == {"frames_present": ("alarmist",)}


def test_import_keeps_a_stored_origin_and_replace_takes_the_files(coded, tmp_path):
    export(coded, tmp_path / "x.jsonl")
    recs = [r for r in read_jsonl(tmp_path / "x.jsonl") if r["_annotator_id"] == "ana"]
    for span in recs[0]["spans"]:
        span["origin"] = "manual"
    recs[0]["doc_label_origins"]["dominant_frame"] = "manual"
    path = write_jsonl(tmp_path / "manual.jsonl", recs)
    before = sorted((s.id, s.origin) for s in coded.spans(1, "ana"))
    # without --replace the same span is already present: its stored origin stays
    [r] = import_label_files(coded, [path])
    assert r.ok and r.spans_added == 0 and r.spans_present == 3
    assert sorted((s.id, s.origin) for s in coded.spans(1, "ana")) == before
    # with --replace the file is the truth, origins included
    [r] = import_label_files(coded, [path], replace=True)
    assert r.ok, r.errors
    assert [s.origin for s in coded.spans(1, "ana")] == ["manual"] * 3
    kept = [s.id for s in coded.spans(1, "ana")]
    assert kept[0] == before[0][0]  # the manual one was identical: same id
    dominant = next(
        dl for dl in coded.all_doc_labels(1) if (dl.coder, dl.field) == ("ana", "dominant_frame")
    )
    assert (dominant.value, dominant.origin) == ("alarmist", "manual")
    # and again changes nothing
    [r] = import_label_files(coded, [path], replace=True)
    assert (r.spans_added, r.spans_removed, r.doc_labels_set) == (0, 0, 0)


# --- gold ------------------------------------------------------------------------------


def test_gold_accepted_from_a_suggestion_is_the_adjudicators_manual_decision(coded, tmp_path):
    t = TEXTS[0]
    must = (t.index("must"), t.index("must") + 4)
    coded.add_gold_span(1, *must, "policy_prescription", ["ana"])
    coded.set_gold_label(1, "dominant_frame", "alarmist", ["ana"])
    [gold] = coded.spans(1, GOLD)
    assert gold.origin == "manual"  # the adjudicator's decision ...
    coder = next(s for s in coded.spans(1, "ana") if (s.start, s.end) == must)
    assert coder.origin == "suggestion:patterns"  # ... the coder's stays visible
    export(coded, tmp_path / "all.jsonl")
    recs = read_jsonl(tmp_path / "all.jsonl")
    g = next(r for r in recs if r["_annotator_id"] == GOLD)
    assert g["spans"][0]["origin"] == "manual" and g["spans"][0]["sources"] == ["ana"]
    assert g["doc_label_origins"] == {"dominant_frame": "manual"}
    with imported(tmp_path / "back.db", tmp_path / "all.jsonl") as b:
        assert [s.origin for s in b.spans(1, GOLD)] == ["manual"]
        assert span_origins(b) == span_origins(coded)
    # a gold record claiming a suggestion's origin is refused
    g["spans"][0]["origin"] = "suggestion:patterns"
    with Store(tmp_path / "refused.db") as s:
        [r] = import_label_files(s, [write_jsonl(tmp_path / "g.jsonl", [g])])
        assert r.errors == [
            f"{tmp_path / 'g.jsonl'}:1: gold span 1: origin must be 'manual' (gold labels are"
            ' the adjudicator\'s decisions), got "suggestion:patterns"'
        ]


# --- merge -----------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_carries_origins_from_both_coders_databases(tmp_path):
    t = TEXTS[0]
    with new_db(tmp_path / "ana.db") as ana:
        ana.add_span(1, "ana", 0, 9, "policy_prescription", origin="suggestion:patterns")
        ana.add_span(1, "ana", 0, 9, "policy_prescription")  # the same range twice
        ana.add_span(2, "ana", 2, 13, "alarmist", origin="edited:model-1")
        ana.set_doc_label(1, "ana", "dominant_frame", "policy_prescription",
                          origin="suggestion:model-1")  # fmt: skip
    with new_db(tmp_path / "ben.db") as ben:
        ben.add_span(1, "ben", t.index("fragile"), t.index("fragile") + 7, "alarmist")
        ben.set_doc_label(2, "ben", "frames_present", ["alarmist"], origin="edited:model-1")
    with Store(tmp_path / "lead.db") as lead:
        for name in ("ana", "ben"):
            merge_database(lead, tmp_path / f"{name}.db")
        with Store(tmp_path / "ana.db") as a, Store(tmp_path / "ben.db") as b:
            want = span_origins(a) + span_origins(b)
            want_labels = {**label_origins(a), **label_origins(b)}
        assert span_origins(lead) == want
        assert label_origins(lead) == want_labels
        # merging again changes nothing
        report = merge_database(lead, tmp_path / "ana.db")
        assert (report.spans_added, report.doc_labels_set) == (0, 0)
        assert span_origins(lead) == want


def test_a_conflict_keeps_the_other_versions_origins(tmp_path):
    with new_db(tmp_path / "laptop.db") as other:
        other.add_span(1, "ana", 0, 9, "alarmist", origin="suggestion:patterns")
        other.set_doc_label(1, "ana", "dominant_frame", "alarmist", origin="suggestion:patterns")
    with new_db(tmp_path / "lead.db") as lead:
        lead.add_span(1, "ana", 10, 14, "alarmist")
        report = merge_database(lead, tmp_path / "laptop.db")
        [conflict] = report.conflicts
        assert [s.origin for s in lead.spans(1, conflict.kept_as)] == ["suggestion:patterns"]
        [dl] = [dl for dl in lead.all_doc_labels(1) if dl.coder == conflict.kept_as]
        assert dl.origin == "suggestion:patterns"
        assert [s.origin for s in lead.spans(1, "ana")] == ["manual"]


def test_merging_a_database_from_before_origins_gives_manual(tmp_path):
    old = tmp_path / "old.db"
    with new_db(old) as s:
        s.add_span(1, "ana", 0, 9, "alarmist")
        s.set_doc_label(1, "ana", "dominant_frame", "alarmist")
    # back to the schema before m008_suggestions
    con = sqlite3.connect(old)
    for table in ("suggestions", "suggested_labels", "suggestion_rejections"):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE spans DROP COLUMN origin")
    con.execute("ALTER TABLE doc_labels DROP COLUMN origin")
    con.execute("ALTER TABLE status DROP COLUMN first_done_at")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_suggestions'")
    con.commit()
    con.close()
    before = _sha(old)
    with Store(tmp_path / "lead.db") as lead:
        report = merge_database(lead, old)
        assert report.spans_added == 1 and report.doc_labels_set == 1
        assert [s.origin for s in lead.spans(1, "ana")] == ["manual"]
        assert [dl.origin for dl in lead.all_doc_labels(1)] == ["manual"]
    assert _sha(old) == before  # read from an upgraded copy, never changed


def test_merge_refuses_a_database_with_an_unknown_origin(tmp_path):
    with new_db(tmp_path / "odd.db") as s:
        s.add_span(1, "ana", 0, 9, "alarmist")
    con = sqlite3.connect(tmp_path / "odd.db")
    con.execute("UPDATE spans SET origin = 'robot'")
    con.commit()
    con.close()
    from annotator.errors import AnnotatorError

    with Store(tmp_path / "lead.db") as lead:
        with pytest.raises(AnnotatorError) as err:
            merge_database(lead, tmp_path / "odd.db")
        assert str(err.value).startswith(f"{tmp_path / 'odd.db'}: document 1: ana's span [0, 9)")
        assert "origin must be 'manual'" in str(err.value) and "'robot'" in str(err.value)
        assert lead.document_count() == 0
