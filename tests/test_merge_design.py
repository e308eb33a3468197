"""Merging a study's design (annotator/merge.py): a coder's pack coded and merged back,
rounds and assignments only the other file has, and what is never changed here; on real
SQLite files, through the real command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.coder_pack import pack_coder
from annotator.merge import merge_database
from annotator.store import PACK_CODER, PACK_ROUND, Store
from tests.test_coder_pack import add_docs, build_lead, run


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def code(path: Path, docs: list[int] | None = None) -> int:
    """Code in a pack as its coder (whose name the file holds): a span, a field, a memo
    and 'done' on each of ``docs`` (default: the whole queue); returns the spans added."""
    with Store(path) as p:
        coder = p.setting(PACK_CODER)
        assert coder is not None
        label = p.scheme.span_labels[1].name
        field = p.scheme.doc_fields[0]
        n = 0
        for d in docs if docs is not None else p.queue(coder, p.current_round() or ""):
            p.add_span(d, coder, 0, 7, label)
            p.set_doc_label(d, coder, field.name, field.options[0])
            if not p.memo(d, coder):  # the lead's copy has the coder's memo on the first
                p.set_memo(d, coder, f"memo on {d}")
            p.set_status(d, coder, "done")
            n += 1
        return n


def test_a_pack_coded_and_merged_back_brings_the_coders_work(tmp_path):
    lead = build_lead(tmp_path / "lead.db")
    design_before = lead.assignments()
    rounds_before = lead.rounds()
    out = tmp_path / "ana.db"
    assert run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out)).exit_code == 0
    n = code(out)
    res = run("--db", str(lead.path), "merge", str(out))
    assert res.exit_code == 0, res.output
    assert "0 new document(s)" in res.output and "assignment(s) added" not in res.output
    queue = lead.queue("ana", "main")
    assert n == len(queue)
    for d in queue:
        assert lead.statuses(d)["ana"][0] == "done"
        assert lead.memos(d)["ana"] in (f"memo on {d}", "ana's memo")
        assert any(s.coder == "ana" and (s.start, s.end) == (0, 7) for s in lead.spans(d))
        assert lead.doc_labels(d, "ana")
    assert lead.assignments() == design_before  # reliability flags and positions kept
    assert lead.rounds() == rounds_before  # seed and design kept
    assert lead.setting(PACK_CODER) is None and lead.setting(PACK_ROUND) is None
    # merging it again changes nothing at all
    once = dump(lead.path)
    res = run("--db", str(lead.path), "merge", str(out))
    assert res.exit_code == 0 and "0 span(s) and 0 document label(s)" in res.output
    assert dump(lead.path) == once
    lead.close()


def test_a_pack_made_again_after_the_round_grew_merges_back_only_what_is_new(tmp_path):
    lead = build_lead(tmp_path / "lead.db")
    first = tmp_path / "ana-1.db"
    pack_coder(lead, "ana", first)
    code(first)
    merge_database(lead, first)
    # the lead imports more articles and extends the round (assign --only-unassigned)
    new = add_docs(lead, 4, start=500)
    end = len(lead.queue("ana", "main"))
    lead.add_assignments("main", [("ana", d, i == 1, end + i) for i, d in enumerate(new, 1)])
    design = lead.assignments()
    second = tmp_path / "ana-2.db"
    report = pack_coder(lead, "ana", second)
    assert report.documents == end + 4
    with Store(second, readonly=True) as p:  # the coder continues where they were
        old = [d for d in p.queue("ana", "main") if d not in new]
        assert all(p.statuses(d)["ana"][0] == "done" for d in old)
        assert p.queue("ana", "main")[-4:] == new
    assert code(second, new) == 4
    again = merge_database(lead, second)
    assert (again.spans_added, again.doc_labels_set, again.memos_set) == (4, 4, 4)
    assert again.documents_added == 0 and again.assignments_added == 0 and not again.conflicts
    assert lead.assignments() == design
    lead.close()


def test_rounds_and_assignments_only_the_other_file_has_are_added(tmp_path):
    lead = build_lead(tmp_path / "lead.db")
    out = tmp_path / "ana.db"
    pack_coder(lead, "ana", out)
    queue = lead.queue("ana", "main")
    lead.close()
    with Store(tmp_path / "fresh.db") as fresh:  # a database without this study
        report = merge_database(fresh, out)
        assert report.rounds_added == ["main"] and report.assignments_added == len(queue)
        assert "assignment(s) added (new round(s): main)" in report.summary()
        (main,) = fresh.rounds()
        assert (main.name, main.seed, main.design) == ("main", None, {"packed_for": "ana"})
        by_hash = {fresh.document(d).sha256 for d in fresh.queue("ana", "main")}
        assert len(by_hash) == len(queue)
        assert {a.reliability for a in fresh.assignments()} == {None}  # NULL stays NULL
        assert [a.position for a in fresh.assignments()] == list(range(1, len(queue) + 1))
        assert fresh.setting(PACK_CODER) is None  # the pack's settings are never copied
        assert merge_database(fresh, out).assignments_added == 0


def test_an_assignment_keeps_its_position_if_free_else_goes_to_the_end(tmp_path):
    with Store(tmp_path / "b.db") as b:
        db = add_docs(b, 5)
        b.create_round("main", 1, {})
        b.add_assignments(
            "main",
            [
                ("ben", db[0], False, 7),  # here already (at 1): never changed
                ("ben", db[2], True, 2),  # position 2 is free here: kept
                ("ben", db[3], False, 3),  # position 3 is taken here: to the end
                ("cy", db[4], None, 5),  # a new coder, position kept
            ],
        )
        b.create_round("extra", 9, {"k": "v"})
        b.add_assignments("extra", [("ben", db[4], False, 1)])
    with Store(tmp_path / "a.db") as a:
        da = add_docs(a, 5)  # the same texts: the same documents
        a.create_round("main", 1, {})
        a.add_assignments("main", [("ben", da[0], True, 1), ("ben", da[1], False, 3)])
        report = merge_database(a, tmp_path / "b.db")
        assert report.rounds_added == ["extra"] and report.assignments_added == 4
        got = {(x.round, x.coder, x.doc_id): (x.reliability, x.position) for x in a.assignments()}
        assert got == {
            ("main", "ben", da[0]): (True, 1),
            ("main", "ben", da[1]): (False, 3),
            ("main", "ben", da[2]): (True, 2),
            ("main", "ben", da[3]): (False, 4),
            ("main", "cy", da[4]): (None, 5),
            ("extra", "ben", da[4]): (False, 1),
        }
        assert a.get_round("extra").seed == 9 and a.get_round("extra").design == {"k": "v"}
        before = dump(a.path)
        assert merge_database(a, tmp_path / "b.db").assignments_added == 0
        assert dump(a.path) == before


def test_a_bad_round_in_the_other_file_refuses_the_whole_file(tmp_path):
    lead = build_lead(tmp_path / "lead.db")
    out = tmp_path / "ana.db"
    pack_coder(lead, "ana", out)
    lead.close()
    conn = sqlite3.connect(out)
    with conn:
        conn.execute("UPDATE rounds SET name = ' main'")  # a name the rule refuses
    conn.close()
    with Store(tmp_path / "fresh.db") as fresh:
        before = dump(fresh.path)
        res = run("--db", str(fresh.path), "merge", str(out))
        assert res.exit_code == 1
        assert res.output.startswith(f"Error: {out}: round ' main': round name")
        assert res.output.count("\n") == 1
        assert dump(fresh.path) == before  # not even the documents


def test_a_pack_edited_by_hand_cannot_change_the_sample_or_another_coders_queue(tmp_path):
    """Reviewer's case: a pack with a row added for ben, flagged reliability, grew the
    lead's sample. From a pack only its own coder's assignments are taken, unflagged."""
    lead = build_lead(tmp_path / "lead.db")
    sample = lead.reliability_documents("main")
    ben_queue = lead.queue("ben", "main")
    out = tmp_path / "ana.db"
    assert run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out)).exit_code == 0
    [spare] = add_docs(lead, 1, start=500)  # a document nobody is assigned
    lead.close()
    con = sqlite3.connect(out)
    con.execute("ATTACH ? AS lead", (str(tmp_path / "lead.db"),))
    con.execute(  # the spare document, copied into the pack so it can be named
        "INSERT INTO documents SELECT * FROM lead.documents WHERE id = ?", (spare,)
    )
    con.execute("INSERT OR IGNORE INTO annotators (id, name) VALUES (2, 'ben')")
    con.execute(
        "INSERT INTO assignments (round_id, annotator_id, document_id, reliability, position)"
        " SELECT r.id, 2, ?, 1, 999 FROM rounds r WHERE r.name = 'main'",
        (spare,),
    )
    con.execute(
        "INSERT INTO assignments (round_id, annotator_id, document_id, reliability, position)"
        " SELECT r.id, a.id, ?, 1, 998 FROM rounds r, annotators a"
        " WHERE r.name = 'main' AND a.name = 'ana'",
        (spare,),
    )
    con.commit()
    con.close()
    with Store(tmp_path / "lead.db") as again:
        merge_database(again, out)
        assert again.reliability_documents("main") == sample  # the sample is the lead's
        assert again.queue("ben", "main") == ben_queue  # ben's queue untouched
        # ana's own new assignment is taken, without a reliability flag
        [added] = [a for a in again.assignments("main", "ana") if a.doc_id == spare]
        assert added.reliability is None
