"""Codebook changes as recorded operations (issue 16): each operation on a real database
with the spans and document labels of several coders, gold and suggestions; the history;
one transaction; the property that renaming and merging commute with export; the recode
worklist of a split; ``init --scheme`` naming differences and refusing orphans."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import codebook
from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import DatabaseBusyError, ValidationError
from annotator.export import records
from annotator.ingest import import_documents
from annotator.scheme import load_scheme, parse_scheme, scheme_to_toml
from annotator.store import GOLD, Store

from .conftest import write_lock_held

TEXTS = [
    "Moscow and Pyongyang signed a pact that alarms Seoul and Tokyo alike.",
    "Analysts doubt the partnership will last; mistrust runs deep on both sides.",
    "Washington must answer with sanctions and stronger alliances in the region.",
]
LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")


def _documents(store: Store) -> list[int]:
    import_documents(store, [RawDocument(t, f"doc{i}", {}) for i, t in enumerate(TEXTS)])
    return store.document_ids()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with three documents (tokenised once for the module)."""
    path = tmp_path_factory.mktemp("codebook") / "template.db"
    with Store(path) as s:
        _documents(s)
        s.add_coder("ana")
        s.add_coder("bo")
    return path


@pytest.fixture
def db(template, tmp_path):
    """A copy of the template with the labels of two coders, gold and suggestions."""
    path = tmp_path / "labels.db"
    shutil.copy(template, path)
    with Store(path) as s:
        d1, d2, d3 = s.document_ids()
        s.add_span(d1, "ana", 0, 6, "alarmist")
        s.add_span(d1, "ana", 0, 6, "policy_prescription")
        s.add_span(d1, "bo", 0, 6, "alarmist", note="pact")
        s.add_span(d2, "bo", 0, 8, "skeptical_of_alliance")
        s.add_span(d3, "ana", 0, 10, "policy_prescription")
        s.set_doc_label(d1, "ana", "dominant_frame", "alarmist")
        s.set_doc_label(d1, "bo", "dominant_frame", "policy_prescription")
        s.set_doc_label(d1, "ana", "frames_present", ["alarmist", "policy_prescription"])
        s.set_doc_label(d2, "bo", "frames_present", ["skeptical_of_alliance"])
        s.add_gold_span(d1, 0, 6, "alarmist", ["ana", "bo"])
        s.set_gold_label(d1, "dominant_frame", "alarmist", ["ana"])
        s.replace_suggestions(
            "patterns",
            [d1, d2],
            [(d1, 0, 6, "alarmist", 0.9), (d2, 0, 8, "skeptical_of_alliance", None)],
            [(d1, "dominant_frame", "alarmist", 0.8), (d1, "frames_present", ["alarmist"], None)],
        )
        s.reject_suggestion(d1, "bo", "patterns", "span:0:6:alarmist")
        s.reject_suggestion(d1, "bo", "patterns", "field:dominant_frame:alarmist")
    return path


def _labels(s: Store) -> list[tuple[str, int, int, int, str]]:
    out = []
    for doc in s.document_ids():
        out += [(sp.coder, doc, sp.start, sp.end, sp.label) for sp in s.spans(doc)]
    return sorted(out)


def _snapshot(path: Path) -> list[list[tuple]]:
    """Every row of every table that a change touches."""
    c = sqlite3.connect(path)
    try:
        return [
            c.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
            for t in (
                "schemes", "spans", "doc_labels", "suggestions", "suggested_labels",
                "suggestion_rejections", "gold_label_sources", "gold_rejections",
                "scheme_changes", "label_history", "split_labels",
            )
        ]  # fmt: skip
    finally:
        c.close()


# -- each operation -----------------------------------------------------------------


def test_rename_label_follows_everywhere_and_keeps_history(db):
    with Store(db) as s:
        d1, d2, _ = s.document_ids()
        before = {sp.id: sp for sp in s.spans(d1)}
        change = codebook.rename_label(s, "alarmist", "threat", by="lead")
        assert change.version == 2 and change.spans == 3  # ana's, bo's and gold's
        assert s.scheme.version == 2 and s.scheme.label("alarmist") is None
        assert s.scheme.label("threat").key == "1"  # the key and colour stay
        assert [sp.label for sp in s.spans(d1, "bo")] == ["threat"]
        assert [sp.label for sp in s.spans(d1, GOLD)] == ["threat"]
        assert [x.label for x in s.suggestions(d1)] == ["threat"]
        assert ("patterns", "span:0:6:threat") in s.rejected_suggestions(d1, "bo")
        # a field option of the same name is another thing: untouched
        assert s.doc_labels(d1, "ana")["dominant_frame"] == "alarmist"
        # every relabelled span remembers its old label and version
        bo_span = s.spans(d1, "bo")[0]
        assert bo_span.scheme_version == 2 and bo_span.note == "pact"
        assert bo_span.updated_at == before[bo_span.id].updated_at  # not a coder's edit
        (h,) = s.label_history(span_id=bo_span.id)
        assert (h.old_value, h.new_value, h.old_scheme_version, h.op) == (
            "alarmist", "threat", 1, "rename-label",
        )  # fmt: skip
        # the TOML of the new version is recorded and reads back as the scheme
        assert parse_scheme(s.scheme_version_toml(2)).label_names[0] == "threat"
        (entry,) = s.scheme_changes()
        assert (entry.version, entry.op, entry.who) == (2, "rename-label", "lead")
        assert entry.args["old"] == "alarmist" and entry.effect["spans"] == 3


def test_rename_option_and_field(db):
    with Store(db) as s:
        d1, d2, _ = s.document_ids()
        change = codebook.rename_option(s, "frames_present", "alarmist", "threat")
        assert change.doc_labels == 1 and change.suggestions == 1
        assert s.doc_labels(d1, "ana")["frames_present"] == ("threat", "policy_prescription")
        assert s.doc_labels(d1, "ana")["dominant_frame"] == "alarmist"  # another field
        change = codebook.rename_field(s, "dominant_frame", "main_frame")
        assert change.version == 3 and change.doc_labels == 3  # ana, bo and gold
        assert s.scheme.field_names == ("main_frame", "frames_present")
        assert s.doc_labels(d1, GOLD) == {"main_frame": "alarmist"}
        assert s.gold_label_sources(d1) == {"main_frame": ("ana",)}
        assert {x.field for x in s.suggested_labels(d1)} == {"main_frame", "frames_present"}
        assert ("patterns", "field:main_frame:alarmist") in s.rejected_suggestions(d1, "bo")
        old = [
            (h.kind, h.coder, h.old_field, h.field, h.old_value, h.old_scheme_version)
            for h in s.label_history(document_id=d1)
        ]
        assert ("field", "ana", "frames_present", "frames_present",
                ("alarmist", "policy_prescription"), 1) in old  # fmt: skip
        assert ("field", "bo", "dominant_frame", "main_frame", "policy_prescription", 1) in old


def test_merge_labels_reports_duplicates_and_keeps_them(db):
    with Store(db) as s:
        d1, _, d3 = s.document_ids()
        change = codebook.merge_labels(s, ["alarmist", "policy_prescription"], "threat")
        assert change.spans == 5
        # ana had [0, 6) alarmist and [0, 6) policy_prescription: now twice the same span
        assert change.duplicates == ((d1, "ana", 0, 6, "threat", 2),)
        assert [sp.label for sp in s.spans(d1, "ana")] == ["threat", "threat"]
        assert s.scheme.label_names == ("threat", "skeptical_of_alliance")
        assert s.scheme.label("threat").key == "1"
        assert [sp.label for sp in s.spans(d3)] == ["threat"]
        (entry,) = s.scheme_changes()
        assert entry.effect["duplicates"][0]["n"] == 2


def test_merge_into_an_existing_label_and_no_duplicates(db):
    with Store(db) as s:
        with pytest.raises(ValidationError, match="at least two"):
            codebook.merge_labels(s, ["policy_prescription"], "alarmist")
        change = codebook.merge_labels(
            s, ["skeptical_of_alliance", "policy_prescription"], "alarmist"
        )
        assert s.scheme.label_names == ("alarmist",)
        # ana's two spans became identical: [0, 6) alarmist twice
        assert len(change.duplicates) == 1


def test_merge_options_multi_takes_the_union(db):
    with Store(db) as s:
        d1, d2, _ = s.document_ids()
        change = codebook.merge_options(
            s, "frames_present", ["policy_prescription", "alarmist"], "alarmist"
        )
        assert s.doc_labels(d1, "ana")["frames_present"] == ("alarmist",)
        assert s.doc_labels(d2, "bo")["frames_present"] == ("skeptical_of_alliance",)
        assert s.scheme.field("frames_present").options == ("alarmist", "skeptical_of_alliance")
        assert change.doc_labels == 1
        codebook.merge_options(s, "dominant_frame", ["alarmist", "policy_prescription"], "threat")
        assert s.doc_labels(d1, "bo")["dominant_frame"] == "threat"
        assert s.doc_labels(d1, GOLD)["dominant_frame"] == "threat"
        assert s.scheme.field("dominant_frame").options[0] == "threat"
        with pytest.raises(ValidationError, match="not an option of field 'dominant_frame'"):
            codebook.merge_options(s, "dominant_frame", ["alarmist", "none"], "x")


def test_split_label_makes_a_worklist_that_empties_as_spans_are_recoded(db):
    with Store(db) as s:
        d1, _, _ = s.document_ids()
        change = codebook.split_label(s, "alarmist", ["military", "economic"], by="lead")
        assert change.recode == 3 and change.suggestions_removed == 1
        alarmist = s.scheme.label("alarmist")
        assert alarmist.retired and "alarmist" not in [x.name for x in s.scheme.offered_labels]
        assert [x.name for x in s.scheme.offered_labels][:3] == [
            "military", "economic", "skeptical_of_alliance",
        ]  # fmt: skip
        assert s.split_labels() == {"alarmist": ("military", "economic")}
        assert codebook.worklist_counts(s) == {
            "ana": {"alarmist": 1}, "bo": {"alarmist": 1}, GOLD: {"alarmist": 1},
        }  # fmt: skip
        assert codebook.recode_queue(s, "bo") == [(d1, 1)]
        ana, bo, gold = (s.recode_worklist(c)[0] for c in ("ana", "bo", GOLD))
        assert s.span(ana.span_id).label == "alarmist"  # still readable
        s.relabel_span(ana.span_id, "military")
        assert codebook.recode_queue(s, "ana") == []
        s.delete_span(bo.span_id)
        s.relabel_span(gold.span_id, "economic")
        assert s.recode_worklist() == []
        assert [x.label for x in s.suggestions(d1)] == []


def test_add_and_retire(db):
    with Store(db) as s:
        d1, _, _ = s.document_ids()
        change = codebook.add_label(s, "hope", description=" Optimism. ")
        lab = s.scheme.label("hope")
        assert change.version == 2 and lab.key == "4" and lab.description == "Optimism."
        codebook.add_label(s, "fear", key="f", color="#ABCDEF")
        assert s.scheme.label("fear").color == "#abcdef"
        codebook.add_option(s, "dominant_frame", "hope")
        assert s.scheme.field("dominant_frame").options[-1] == "hope"
        s.set_doc_label(d1, "ana", "dominant_frame", "hope")
        change = codebook.retire_label(s, "alarmist")
        assert s.scheme.label("alarmist").retired and change.suggestions_removed == 1
        assert [sp.label for sp in s.spans(d1, "bo")] == ["alarmist"]  # kept for reading
        assert s.recode_worklist() == []  # retiring is no split
        assert "alarmist" not in [x.name for x in s.scheme.offered_labels]
        assert [e.op for e in s.scheme_changes()] == [
            "add-label", "add-label", "add-option", "retire-label",
        ]  # fmt: skip
        # a retired label survives the scheme's TOML round trip
        assert parse_scheme(scheme_to_toml(s.scheme)).label("alarmist").retired


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: codebook.rename_label(s, "nope", "x"),
         r"unknown label 'nope' \(labels: alarmist, skeptical_of_alliance, policy_prescription\)"),
        (lambda s: codebook.rename_label(s, "alarmist", "policy_prescription"),
         "label 'policy_prescription' already exists"),
        (lambda s: codebook.rename_label(s, "alarmist", "Bad Name"), "lowercase letters"),
        (lambda s: codebook.rename_field(s, "nope", "x"), r"unknown field 'nope' \(fields: "),
        (lambda s: codebook.rename_option(s, "dominant_frame", "none", "alarmist"),
         "option 'alarmist' of field 'dominant_frame' already exists"),
        (lambda s: codebook.add_label(s, "x", key="1"), "key '1' is already used by label"),
        (lambda s: codebook.add_label(s, "x", key="A"), "reserved"),
        (lambda s: codebook.add_label(s, "x", color="red"), "#rrggbb"),
        (lambda s: codebook.split_label(s, "alarmist", ["alarmist", "b"]), "into itself"),
        (lambda s: codebook.add_option(s, "nope", "x"), "unknown field 'nope'"),
    ],
)  # fmt: skip
def test_refusals_are_one_line_and_change_nothing(db, call, message):
    before = _snapshot(db)
    with Store(db) as s, pytest.raises(ValidationError, match=message) as e:
        call(s)
    assert "\n" not in str(e.value)
    assert _snapshot(db) == before


# -- one transaction ----------------------------------------------------------------


def test_a_second_process_holding_the_lock_leaves_nothing_changed(db):
    before = _snapshot(db)
    with Store(db, busy_timeout=0.2) as s, write_lock_held(db):
        with pytest.raises(DatabaseBusyError):
            codebook.merge_labels(s, ["alarmist", "policy_prescription"], "threat")
        assert s.scheme.version == 1
    assert _snapshot(db) == before


def test_a_failure_half_way_rolls_every_row_back(db):
    """The spans are relabelled before the suggestions: a suggestion the database refuses
    to update (a trigger standing for any failure) must undo the spans too."""
    c = sqlite3.connect(db)
    c.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON suggestions"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    c.commit()
    c.close()
    before = _snapshot(db)
    with Store(db) as s:
        with pytest.raises(sqlite3.DatabaseError, match="refused"):
            codebook.rename_label(s, "alarmist", "threat")
        assert s.scheme.version == 1 and s.scheme.label("alarmist") is not None
    assert _snapshot(db) == before


# -- the property: renaming and merging commute with export -------------------------


def _rename_record(rec: dict, labels: dict, options: dict, order: dict) -> dict:
    """An exported record with the names a change gives (what the change should do)."""
    rec = json.loads(json.dumps(rec))
    for span in rec["spans"]:
        span["label"] = labels.get(span["label"], span["label"])
    for fname, value in rec["doc_labels"].items():
        opts = options.get(fname, {})
        if isinstance(value, str):
            rec["doc_labels"][fname] = opts.get(value, value)
        else:
            mapped = {opts.get(v, v) for v in value}
            rec["doc_labels"][fname] = [o for o in order[fname] if o in mapped]
    return rec


def _comparable(rec: dict) -> dict:
    """A record without what a change is meant to alter beside the names: the scheme
    version of each label and the hash of the labels."""
    rec = json.loads(json.dumps(rec))
    for span in rec["spans"]:
        del span["scheme_version"]
    for key in ("scheme_version", "_task_hash"):
        del rec[key]
    return rec


span_st = st.tuples(
    st.integers(0, 2), st.sampled_from(["ana", "bo", GOLD]), st.integers(0, 60),
    st.integers(1, 8), st.sampled_from(LABELS),
)  # fmt: skip
label_st = st.tuples(
    st.integers(0, 2), st.sampled_from(["ana", "bo"]), st.sampled_from(LABELS),
    st.lists(st.sampled_from(LABELS), max_size=3),
)  # fmt: skip
op_st = st.one_of(
    st.tuples(st.just("rename-label"), st.sampled_from(LABELS), st.just("threat")),
    st.tuples(
        st.just("merge-labels"),
        st.lists(st.sampled_from(LABELS), min_size=2, max_size=3, unique=True),
        st.sampled_from([*LABELS, "threat"]),
    ),
    st.tuples(
        st.just("merge-options"),
        st.lists(st.sampled_from(LABELS), min_size=2, max_size=3, unique=True),
        st.sampled_from([*LABELS, "threat"]),
    ),
    st.tuples(st.just("rename-option"), st.sampled_from(LABELS), st.just("threat")),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spans=st.lists(span_st, max_size=8), labels=st.lists(label_st, max_size=4), op=op_st)
def test_renaming_and_merging_commute_with_export(template, spans, labels, op):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.db"
        shutil.copy(template, path)
        with Store(path) as s:
            docs = s.document_ids()
            for doc, coder, start, length, label in spans:
                if coder == GOLD:
                    s.add_gold_span(docs[doc], start, start + length, label, ["ana"])
                else:
                    s.add_span(docs[doc], coder, start, start + length, label)
            for doc, coder, dominant, present in labels:
                s.set_doc_label(docs[doc], coder, "dominant_frame", dominant)
                s.set_doc_label(docs[doc], coder, "frames_present", present)
            exported = list(records(s))
            kind, names, into = op
            label_map: dict = {}
            option_map: dict = {}
            if kind == "rename-label":
                codebook.rename_label(s, names, into)
                label_map = {names: into}
            elif kind == "merge-labels":
                codebook.merge_labels(s, names, into)
                label_map = {n: into for n in names}
            else:
                for fname in ("dominant_frame", "frames_present"):
                    if kind == "rename-option":
                        codebook.rename_option(s, fname, names, into)
                        option_map[fname] = {names: into}
                    else:
                        codebook.merge_options(s, fname, names, into)
                        option_map[fname] = {n: into for n in names}
            order = {f.name: f.options for f in s.scheme.doc_fields}
            expected = [
                _comparable(_rename_record(r, label_map, option_map, order)) for r in exported
            ]
            assert [_comparable(r) for r in records(s)] == expected


# -- init --scheme --------------------------------------------------------------------


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def _scheme_file(tmp_path, edit) -> Path:
    """The default scheme as version 2, edited."""
    text = load_scheme().source_toml.replace("version = 1", "version = 2", 1)
    path = tmp_path / "v2.toml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_init_scheme_names_differences_and_refuses_orphans(db, tmp_path):
    new = _scheme_file(tmp_path, lambda t: t.replace('name = "alarmist"', 'name = "threat"'))
    before = _snapshot(db)
    result = run(db, "init", "--scheme", str(new))
    assert result.exit_code == 1
    assert "label 'alarmist' (3 span(s))" in result.output
    assert "--map" in result.output and len(result.output.strip().splitlines()) == 1
    assert _snapshot(db) == before
    result = run(db, "init", "--scheme", str(new), "--map", "alarmist=threat", "--by", "lead")
    assert result.exit_code == 0, result.output
    assert "label 'alarmist' removed" in result.output
    assert "label 'threat' added" in result.output
    assert "3 span(s) relabelled" in result.output
    with Store(db) as s:
        d1 = s.document_ids()[0]
        assert [sp.label for sp in s.spans(d1, "bo")] == ["threat"]
        assert s.scheme.version == 2
        assert [(e.op, e.who) for e in s.scheme_changes()] == [("replace", "lead")]
    # the same file again: nothing to do
    assert run(db, "init", "--scheme", str(new)).exit_code == 0


def test_init_scheme_option_orphans_and_map(db, tmp_path):
    new = _scheme_file(
        tmp_path,
        lambda t: t.replace(
            'options = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]',
            'options = ["threat", "skeptical_of_alliance", "policy_prescription", "none"]',
        ),
    )
    result = run(db, "init", "--scheme", str(new))
    assert result.exit_code == 1
    assert "option 'alarmist' of field 'dominant_frame' (2 label(s))" in result.output
    result = run(db, "init", "--scheme", str(new), "--map", "dominant_frame:alarmist=gone")
    assert result.exit_code == 1
    assert "'gone' is not an option of field 'dominant_frame' in the new scheme" in result.output
    result = run(db, "init", "--scheme", str(new), "--map", "dominant_frame:alarmist=threat")
    assert result.exit_code == 0, result.output
    with Store(db) as s:
        d1 = s.document_ids()[0]
        assert s.doc_labels(d1, "ana")["dominant_frame"] == "threat"
        assert s.doc_labels(d1, GOLD)["dominant_frame"] == "threat"
    result = run(db, "init", "--scheme", str(new), "--map", "nope=x")
    assert result.exit_code == 1


def test_init_map_refusals(db, tmp_path):
    new = _scheme_file(tmp_path, lambda t: t.replace('name = "alarmist"', 'name = "threat"'))
    result = run(db, "init", "--scheme", str(new), "--map", "alarmist=missing")
    assert result.exit_code == 1
    assert "label 'missing' is not in the new scheme" in result.output
    result = run(db, "init", "--scheme", str(new), "--map", "nope")
    assert "write OLD=NEW" in result.output
    fresh = tmp_path / "fresh.db"
    result = run(fresh, "init", "--no-seeds", "--map", "a=b")
    assert result.exit_code == 2 and not fresh.exists()


# -- the command line ---------------------------------------------------------------


def test_scheme_commands(db):
    result = run(db, "scheme", "rename-label", "nope", "x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown label 'nope' (labels: alarmist,")
    result = run(
        db, "scheme", "merge-labels", "alarmist", "policy_prescription", "--into", "threat"
    )
    assert result.exit_code == 0, result.output
    assert "Identical spans (kept, not collapsed)" in result.output
    result = run(db, "scheme", "split-label", "threat", "--into", "military", "economic")
    assert result.exit_code == 0, result.output
    assert "to recode" in result.output
    result = run(db, "scheme", "worklist", "--coder", "ana")
    assert result.output.startswith("ana: 3 span(s) to recode in 2 document(s)")
    result = run(db, "scheme", "split-label", "military", "a", "b")
    assert result.exit_code == 2 and "--into" in result.output
    result = run(db, "scheme", "log", "--json")
    log = json.loads(result.output)
    assert [e["op"] for e in log] == ["recorded", "merge-labels", "split-label"]
    assert log[1]["effect"]["duplicates"][0]["label"] == "threat"
    result = run(db, "scheme", "log")
    assert "v3" in result.output and "split into 'military', 'economic'" in result.output
    result = run(db, "scheme", "add-option", "dominant_frame", "hope", "--db", str(db))
    assert result.exit_code == 0 and "v4" in result.output


# -- reading older labels under the current scheme ----------------------------------


def test_renames_since_composes_the_recorded_changes(db, tmp_path):
    with Store(db) as s:
        codebook.rename_label(s, "alarmist", "threat")
        codebook.merge_labels(s, ["threat", "policy_prescription"], "call")
        codebook.rename_field(s, "dominant_frame", "main_frame")
        codebook.rename_option(s, "main_frame", "alarmist", "threat")
        codebook.merge_options(s, "main_frame", ["threat", "none"], "other")
        codebook.split_label(s, "skeptical_of_alliance", ["doubt", "distrust"])
        codebook.rename_label(s, "doubt", "doubts")
        labels, fields, options = codebook.renames_since(s, 1)
        assert labels == {"alarmist": "call", "threat": "call", "policy_prescription": "call",
                          "doubt": "doubts"}  # fmt: skip
        assert fields == {"dominant_frame": "main_frame"}
        assert options == {"dominant_frame": {"alarmist": "other", "threat": "other",
                                              "none": "other"}}  # fmt: skip
        assert codebook.renames_since(s, 3)[0] == {"doubt": "doubts"}
        assert codebook.renames_since(s, 8) == ({}, {}, {})
        # the labels a split label was split into follow a rename
        assert s.split_labels() == {"skeptical_of_alliance": ("doubts", "distrust")}


def test_a_change_worked_out_from_an_older_version_is_refused(db):
    with Store(db) as first, Store(db) as second:
        draft = codebook._next(second.scheme)  # second works out v2 from v1
        codebook.add_label(first, "hope")  # meanwhile the first records v2
        with pytest.raises(ValidationError, match="changed meanwhile"):
            second.change_codebook(
                draft, "add-label", {}, "x", labels={}, fields={}, options={}, split={},
                drop_suggestions=(), base_version=1,
            )  # fmt: skip
        assert [e.op for e in second.scheme_changes()] == ["add-label"]


def test_a_window_open_during_a_change_cannot_write_the_old_label(tmp_path):
    """Another connection (the window) read the scheme before a rename from the command
    line: its next span or field value is checked against the new scheme inside the write,
    so the old name is refused with a clear message instead of being stored."""
    from annotator.codebook import rename_label, rename_option
    from annotator.corpus import RawDocument
    from annotator.errors import ValidationError
    from annotator.ingest import import_documents

    path = tmp_path / "labels.db"
    with Store(path) as window, Store(path) as cli:
        import_documents(window, [RawDocument("Sanctions must be tightened now.", "a.txt")])
        assert window.scheme.label("alarmist") is not None  # the window's cached scheme
        kept = window.add_span(1, "ana", 0, 9, "alarmist")
        rename_label(cli, "alarmist", "military_threat", by="lead")
        rename_option(cli, "dominant_frame", "none", "no_frame", by="lead")
        with pytest.raises(ValidationError, match="'alarmist' is not in scheme"):
            window.add_span(1, "ana", 10, 14, "alarmist")
        with pytest.raises(ValidationError, match="military_threat"):
            window.relabel_span(kept.id, "alarmist")
        with pytest.raises(ValidationError):
            window.set_doc_label(1, "ana", "dominant_frame", "none")
        assert [s.label for s in window.spans(1, "ana")] == ["military_threat"]
        new = window.add_span(1, "ana", 10, 14, "military_threat")
        assert new.scheme_version == window.scheme.version == 3
        assert window.set_doc_label(1, "ana", "dominant_frame", "no_frame") is not None
