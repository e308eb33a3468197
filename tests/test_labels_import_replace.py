"""``annotator import-labels --replace``: the file's labels become the coder's labels on the
file's documents, exactly, in one transaction; the default stays additive."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import cli
from annotator.corpus import RawDocument, text_hash
from annotator.export import export
from annotator.ingest import import_documents
from annotator.labels_import import import_label_files
from annotator.store import Store

A = "North Korea sends troops to Russia, and Moscow welcomes them."
B = "A second article about Iran and China, with other words."
C = "A third article that nobody relabels in the corrected file."


def write_jsonl(path: Path, objs) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), "utf-8")
    return path


def add_doc(store: Store, text: str) -> int:
    report = import_documents(store, [RawDocument(text, "src", {})])
    return (report.added or [store.document_id_by_hash(text_hash(text))])[0]


def spans(store: Store, doc_id: int, coder: str) -> list[tuple]:
    return [(s.start, s.end, s.label, s.note) for s in store.spans(doc_id, coder)]


def rec(text, coder, spans=(), doc_labels=None, **extra):
    out = {
        "text": text,
        "spans": [{"start": a, "end": b, "label": lab, "note": n} for a, b, lab, n in spans],
        "doc_labels": doc_labels or {},
        "_annotator_id": coder,
        "answer": "accept",
    }
    out.update(extra)
    return out


def labels_of(store: Store, coder: str) -> dict:
    """Everything a coder has: spans, field values and status, per document text."""
    out = {}
    for doc_id in store.document_ids():
        text = store.document(doc_id).text
        out[text] = (
            sorted(spans(store, doc_id, coder)),
            store.doc_labels(doc_id, coder),
            store.statuses(doc_id).get(coder),
        )
    return out


def rows(store: Store) -> dict[str, list[tuple]]:
    tables = ("documents", "annotators", "spans", "doc_labels", "status", "schemes")
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def relabelled(tmp_path: Path, store: Store):
    """ana's labels on A and B, ben's on A, ana's on C; a corrected file for ana on A and B."""
    a, b, c = add_doc(store, A), add_doc(store, B), add_doc(store, C)
    store.add_span(a, "ana", 0, 11, "alarmist", "troops")
    store.add_span(a, "ana", 12, 17, "policy_prescription")
    store.set_doc_label(a, "ana", "dominant_frame", "alarmist")
    store.set_doc_label(a, "ana", "frames_present", ["alarmist", "policy_prescription"])
    store.add_span(b, "ana", 2, 8, "alarmist")
    store.set_doc_label(b, "ana", "dominant_frame", "none")
    store.set_status(b, "ana", "done")
    store.add_span(a, "ben", 0, 11, "alarmist")
    store.set_doc_label(a, "ben", "dominant_frame", "alarmist")
    store.add_span(c, "ana", 0, 7, "alarmist")
    store.set_doc_label(c, "ana", "dominant_frame", "alarmist")
    corrected = write_jsonl(
        tmp_path / "corrected.jsonl",
        [
            # the first span relabelled, the second kept; one field changed, one dropped
            rec(
                A,
                "ana",
                [(0, 11, "skeptical_of_alliance", "troops"), (12, 17, "policy_prescription", "")],
                {"dominant_frame": "skeptical_of_alliance"},
                status="in_progress",
                seconds_spent=12.5,
            ),  # fmt: skip
            # no labels at all on B: ana's labels there are removed, the status goes back
            rec(B, "ana", status="in_progress", seconds_spent=3.0),
        ],
    )
    return (a, b, c), corrected


def test_replace_puts_the_relabelled_span_in_place_of_the_old_one(store, tmp_path):
    (a, b, c), corrected = relabelled(tmp_path, store)
    kept_id = store.spans(a, "ana")[1].id
    before_ben, before_c = labels_of(store, "ben"), spans(store, c, "ana")
    [r] = import_label_files(store, [corrected], replace=True)
    assert r.ok, r.errors
    assert spans(store, a, "ana") == [
        (0, 11, "skeptical_of_alliance", "troops"),
        (12, 17, "policy_prescription", ""),
    ]
    assert store.spans(a, "ana")[1].id == kept_id  # an unchanged span is kept as it is
    assert store.doc_labels(a, "ana") == {"dominant_frame": "skeptical_of_alliance"}
    assert store.statuses(a)["ana"] == ("in_progress", 12.5)
    assert spans(store, b, "ana") == [] and store.doc_labels(b, "ana") == {}
    assert store.statuses(b)["ana"] == ("in_progress", 3.0)  # back from done: as the file says
    # other coders and documents the file does not name are untouched
    assert labels_of(store, "ben") == before_ben
    assert spans(store, c, "ana") == before_c
    assert store.doc_labels(c, "ana") == {"dominant_frame": "alarmist"}
    assert (r.documents_replaced, r.spans_removed, r.spans_added, r.spans_present) == (2, 2, 1, 1)
    assert (r.doc_labels_removed, r.doc_labels_set, r.statuses_updated) == (2, 1, 2)
    assert r.summary() == (
        f"{corrected} (jsonl): 2 task(s), 0 new document(s), labels replaced on 2 document(s):"
        " 2 span(s) removed, 1 added, 1 unchanged, 2 document label(s) removed, 1 set,"
        " 2 status(es) updated"
    )
    before = rows(store)
    [again] = import_label_files(store, [corrected], replace=True)  # twice: nothing changes
    assert again.ok and rows(store) == before
    assert (again.spans_removed, again.spans_added, again.spans_present) == (0, 0, 2)


def test_without_replace_the_import_still_only_adds(store, tmp_path):
    (a, _b, _c), corrected = relabelled(tmp_path, store)
    [r] = import_label_files(store, [corrected])
    assert r.ok and r.spans_added == 1
    assert spans(store, a, "ana") == [
        (0, 11, "alarmist", "troops"),
        (0, 11, "skeptical_of_alliance", "troops"),
        (12, 17, "policy_prescription", ""),
    ]
    assert "replaced" not in r.summary()


def test_a_refused_file_changes_nothing_in_any_file(store, tmp_path):
    (a, _b, _c), corrected = relabelled(tmp_path, store)
    bad = write_jsonl(tmp_path / "bad.jsonl", [rec(B, "ana", [(0, 4, "no_such_label", "")])])
    before = rows(store)
    results = import_label_files(store, [corrected, bad], replace=True)
    assert [r.ok for r in results] == [False, False]
    assert results[0].errors == [
        f"{corrected}: not written: --replace imports all files or none, and {bad} was refused"
    ]
    assert results[0].summary() == f"{corrected}: refused (1 problem(s)); nothing written"
    assert results[1].errors[0].startswith(f"{bad}:1: label 'no_such_label' is not in the scheme")
    assert rows(store) == before
    # the bad file first: the good one after it is not written either
    results = import_label_files(store, [bad, corrected], replace=True)
    assert not any(r.ok for r in results) and rows(store) == before
    # a file whose gold line conflicts with the stored gold decision is refused as well
    store.add_gold_span(a, 0, 11, "alarmist", ["ana"])
    gold = write_jsonl(tmp_path / "gold.jsonl", [rec(A, "gold", [(0, 12, "alarmist", "")])])
    before = rows(store)
    results = import_label_files(store, [corrected, gold], replace=True)
    assert not any(r.ok for r in results) and rows(store) == before


def test_several_files_are_one_import(store, tmp_path):
    """Two files naming ana on A add up (a union), and one transaction writes both."""
    a = add_doc(store, A)
    store.add_span(a, "ana", 30, 36, "alarmist")
    first = write_jsonl(tmp_path / "1.jsonl", [rec(A, "ana", [(0, 11, "alarmist", "")])])
    second = write_jsonl(
        tmp_path / "2.jsonl",
        [rec(A, "ana", [(0, 11, "alarmist", ""), (12, 17, "policy_prescription", "")])],
    )
    r1, r2 = import_label_files(store, [first, second], replace=True)
    assert r1.ok and r2.ok
    assert spans(store, a, "ana") == [
        (0, 11, "alarmist", ""),
        (12, 17, "policy_prescription", ""),
    ]
    assert (r1.documents_replaced, r1.spans_removed, r2.documents_replaced) == (1, 1, 0)


def test_annotator_option_names_the_coder_whose_labels_are_replaced(store, tmp_path):
    (a, _b, _c), corrected = relabelled(tmp_path, store)
    before_ana = labels_of(store, "ana")
    [r] = import_label_files(store, [corrected], coder="ben", replace=True)
    assert r.ok, r.errors
    assert spans(store, a, "ben") == [
        (0, 11, "skeptical_of_alliance", "troops"),
        (12, 17, "policy_prescription", ""),
    ]
    assert store.doc_labels(a, "ben") == {"dominant_frame": "skeptical_of_alliance"}
    assert labels_of(store, "ana") == before_ana


def test_prodigy_replaces_spans_and_fields_and_leaves_the_status(store, tmp_path):
    a = add_doc(store, A)
    store.add_span(a, "pat", 0, 11, "alarmist")
    store.set_doc_label(a, "pat", "dominant_frame", "alarmist")
    store.set_status(a, "pat", "done")
    f = write_jsonl(
        tmp_path / "p.jsonl",
        [
            {
                "text": A,
                "spans": [{"start": 0, "end": 11, "label": "skeptical_of_alliance"}],
                "accept": ["dominant_frame:none"],
                "answer": "accept",
                "_annotator_id": "pat",
            }
        ],
    )
    [r] = import_label_files(store, [f], replace=True)
    assert r.ok and r.format == "prodigy"
    assert spans(store, a, "pat") == [(0, 11, "skeptical_of_alliance", "")]
    assert store.doc_labels(a, "pat") == {"dominant_frame": "none"}
    assert store.statuses(a)["pat"] == ("done", 0.0)  # Prodigy carries no status


def test_doccano_replaces_the_named_coders_labels(store, tmp_path):
    a = add_doc(store, A)
    store.add_span(a, "dora", 0, 11, "alarmist")
    store.add_span(a, "dora", 12, 17, "alarmist")
    store.set_doc_label(a, "dora", "frames_present", ["alarmist"])
    f = write_jsonl(tmp_path / "d.jsonl", [{"text": A, "label": [[12, 17, "alarmist"]]}])
    [r] = import_label_files(store, [f], coder="dora", replace=True)
    assert r.ok and r.format == "doccano"
    assert spans(store, a, "dora") == [(12, 17, "alarmist", "")]
    assert store.doc_labels(a, "dora") == {}
    assert (r.spans_removed, r.spans_present, r.doc_labels_removed) == (1, 1, 1)


def test_new_documents_of_the_file_are_added(store, tmp_path):
    f = write_jsonl(tmp_path / "n.jsonl", [rec(A, "ana", [(0, 5, "alarmist", "")])])
    [r] = import_label_files(store, [f], replace=True)
    assert r.ok and (r.documents_added, r.documents_replaced, r.spans_added) == (1, 1, 1)
    assert spans(store, 1, "ana") == [(0, 5, "alarmist", "")]


def test_the_store_deletes_one_coders_labels_on_some_documents(store):
    a, b = add_doc(store, A), add_doc(store, B)
    keep = store.add_span(a, "ana", 0, 5, "alarmist")
    store.add_span(a, "ana", 6, 11, "alarmist")
    store.add_span(b, "ana", 0, 5, "alarmist")
    store.add_span(a, "ben", 0, 5, "alarmist")
    store.set_doc_label(a, "ana", "dominant_frame", "none")
    store.set_doc_label(a, "ana", "frames_present", ["alarmist"])
    assert store.delete_coder_labels(
        "ana", [a], keep_spans={keep.id}, keep_fields={(a, "frames_present")}
    ) == (1, 1)
    assert spans(store, a, "ana") == [(0, 5, "alarmist", "")]
    assert store.doc_labels(a, "ana") == {"frames_present": ("alarmist",)}
    assert spans(store, b, "ana") == [(0, 5, "alarmist", "")]
    assert spans(store, a, "ben") == [(0, 5, "alarmist", "")]
    assert store.delete_coder_labels("ana", [a, b]) == (2, 1)
    assert store.delete_coder_labels("nobody", [a]) == (0, 0)
    store.replace_status(a, "ana", "new", 0.0)
    assert store.statuses(a)["ana"] == ("new", 0.0)


# --- the command line --------------------------------------------------------------


def test_cli_replace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "x.db") as s:
        (a, _b, _c), corrected = relabelled(tmp_path, s)
    res = CliRunner().invoke(
        cli, ["--db", "x.db", "import-labels", "--replace", str(corrected)],
        catch_exceptions=False,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "labels replaced on 2 document(s): 2 span(s) removed, 1 added, 1 unchanged" in (
        res.output
    )
    with Store(tmp_path / "x.db") as s:
        assert [sp[2] for sp in spans(s, a, "ana")] == [
            "skeptical_of_alliance",
            "policy_prescription",
        ]
    help_text = CliRunner().invoke(cli, ["import-labels", "--help"]).output
    assert "--replace" in help_text


# --- round trip ----------------------------------------------------------------------

TEXTS = [A, B, C]
SPAN = st.tuples(
    st.integers(0, 20),
    st.integers(1, 15),
    st.sampled_from(["alarmist", "skeptical_of_alliance", "policy_prescription"]),
    st.sampled_from(["", "a note"]),
).map(lambda t: (t[0], t[0] + t[1], t[2], t[3]))
CODING = st.fixed_dictionaries(
    {
        "spans": st.lists(SPAN, max_size=4),
        "dominant": st.sampled_from([None, "alarmist", "none"]),
        "present": st.sampled_from([None, [], ["alarmist", "policy_prescription"]]),
        "status": st.sampled_from([None, "new", "in_progress", "done"]),
        "seconds": st.sampled_from([0.0, 4.5]),
    }
)
CODINGS = st.lists(st.tuples(st.sampled_from(["ana", "ben"]), CODING), max_size=6)


def code(store: Store, codings) -> None:
    for i, (coder, c) in enumerate(codings):
        doc = (i % 3) + 1
        for start, end, label, note in c["spans"]:
            store.add_span(doc, coder, start, end, label, note)
        if c["dominant"] is not None:
            store.set_doc_label(doc, coder, "dominant_frame", c["dominant"])
        if c["present"] is not None:
            store.set_doc_label(doc, coder, "frames_present", c["present"])
        if c["status"] is not None:
            store.set_status(doc, coder, c["status"])
            store.add_time(doc, coder, c["seconds"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(original=CODINGS, edits=CODINGS)
def test_importing_a_coders_export_with_replace_reproduces_the_coders_labels(
    tmp_path_factory, original, edits
):
    """Export ana's labels, code more (both coders), import the export with --replace: ana's
    labels on the exported documents are the exported ones again; all else is as edited."""
    tmp = tmp_path_factory.mktemp("rt")
    with Store(tmp / "a.db") as s:
        for t in TEXTS:
            add_doc(s, t)
        code(s, original)
        exported = tmp / "ana.jsonl"
        export(s, exported, coder="ana")
        want = labels_of(s, "ana")
    shutil.copy(tmp / "a.db", tmp / "b.db")
    with Store(tmp / "b.db") as s:
        code(s, edits)
        in_file = {json.loads(line)["text"] for line in exported.read_text("utf-8").splitlines()}
        edited_ana, edited_ben = labels_of(s, "ana"), labels_of(s, "ben")
        if not in_file:
            return  # nothing exported: nothing to import
        [r] = import_label_files(s, [exported], replace=True)
        assert r.ok, r.errors
        got = labels_of(s, "ana")
        for text in TEXTS:
            if text in in_file:
                assert got[text] == want[text]
            else:
                assert got[text] == edited_ana[text]
        assert labels_of(s, "ben") == edited_ben


def test_cli_replace_as_a_process_refuses_all_files_when_one_is_bad(tmp_path):
    with Store(tmp_path / "x.db") as s:
        (a, _b, _c), corrected = relabelled(tmp_path, s)
        before = rows(s)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", "x.db", "import-labels", "--replace",
         "corrected.jsonl", "bad.jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (
        "corrected.jsonl: not written: --replace imports all files or none, and bad.jsonl"
        " was refused" in proc.stderr
    )
    assert "bad.jsonl:1: not valid JSON" in proc.stderr
    with Store(tmp_path / "x.db") as s:
        assert rows(s) == before
