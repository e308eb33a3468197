"""Review of issue 13 (study design) and issue 14 (search): what a study lead and a
hostile user found, each kept as a test that failed before its fix. Real SQLite files,
the real command line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from annotator.store import PACK_CODER, Store
from tests.test_coder_pack import build_lead

from .conftest import ROOT


def cli(db, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def restamp(path, stamp: str, where: str = "1") -> None:
    conn = sqlite3.connect(path)
    for table in ("spans", "status", "doc_labels", "memos"):
        both = ", created_at = :s" if table == "spans" else ""
        conn.execute(f"UPDATE {table} SET updated_at = :s{both} WHERE {where}", {"s": stamp})
    conn.commit()
    conn.close()


DAYS = ("2026-03-02T09:00:00.000+00:00", "2026-03-03T09:00:00.000+00:00",
        "2026-03-04T09:00:00.000+00:00", "2026-03-06T09:00:00.000+00:00")  # fmt: skip


def test_progress_after_a_pack_is_merged_back_shows_when_the_coder_worked(tmp_path):
    """A coder codes in their pack over four days; the lead merges it back and runs
    progress. The activity, pace and finish are the coder's, not the moment of the merge
    (which made the pace 'millions of documents a day' and the finish 'today')."""
    lead = build_lead(tmp_path / "lead.db")
    lead.close()
    restamp(lead.path, DAYS[0])  # what the lead had, from the first day
    pack = tmp_path / "ben.db"
    res = cli(lead.path, "pack", "--coder", "ben", "-o", str(pack))
    assert res.returncode == 0, res.stderr
    with Store(pack) as p:
        coder = p.setting(PACK_CODER)
        assert coder == "ben"
        queue = p.queue("ben", "main")[:4]
        field = p.scheme.doc_fields[0]
        label = p.scheme.span_labels[0].name
        for d in queue:
            p.add_span(d, "ben", 0, 7, label)
            p.set_doc_label(d, "ben", field.name, field.options[0])
            p.set_memo(d, "ben", "a memo")
            p.set_status(d, "ben", "done")
    for d, day in zip(queue, DAYS, strict=True):  # as if coded on these days
        restamp(pack, day, f"document_id = {d}")
    before = json.loads(cli(pack, "progress", "--json").stdout)["coders"]["ben"]
    assert before["first_activity"] == DAYS[0] and before["last_activity"] == DAYS[-1]

    res = cli(lead.path, "merge", str(pack))
    assert res.returncode == 0, res.stderr
    after = json.loads(cli(lead.path, "progress", "--json").stdout)["coders"]["ben"]
    assert after["first_activity"] == DAYS[0]
    assert after["last_activity"] == DAYS[-1]
    assert after["done"] == before["done"] == 4
    assert after["pace_per_day"] == before["pace_per_day"] == 1.0  # 4 done over 4 days
    assert after["estimated_finish"] != "done"

    # merging again changes nothing, stamps included
    dump = list(sqlite3.connect(lead.path).iterdump())
    res = cli(lead.path, "merge", str(pack))
    assert res.returncode == 0, res.stderr
    assert list(sqlite3.connect(lead.path).iterdump()) == dump


def test_a_stamp_in_a_coders_file_that_is_not_a_time_is_not_copied(tmp_path):
    """Nothing in a coder's file is trusted: a timestamp that is not an ISO 8601 time
    with a zone is replaced by the time of the merge, never copied as it is."""
    lead = build_lead(tmp_path / "lead.db")
    lead.close()
    pack = tmp_path / "ben.db"
    assert cli(lead.path, "pack", "--coder", "ben", "-o", str(pack)).returncode == 0
    with Store(pack) as p:
        d = p.queue("ben", "main")[0]
        p.add_span(d, "ben", 0, 7, p.scheme.span_labels[0].name)
        p.set_status(d, "ben", "done")
    conn = sqlite3.connect(pack)
    conn.execute("UPDATE spans SET created_at = '9999-zz', updated_at = 'x'")
    conn.execute("UPDATE status SET updated_at = 'not a time'")
    conn.commit()
    conn.close()
    assert cli(lead.path, "merge", str(pack)).returncode == 0
    conn = sqlite3.connect(lead.path)
    stamps = conn.execute(
        "SELECT s.created_at, s.updated_at, st.updated_at FROM spans s JOIN status st"
        " ON st.document_id = s.document_id AND st.annotator_id = s.annotator_id"
        " JOIN annotators a ON a.id = s.annotator_id WHERE a.name = 'ben' AND s.document_id = ?",
        (d,),
    ).fetchall()
    conn.close()
    assert stamps
    for row in stamps:
        for stamp in row:
            assert stamp.startswith("20") and stamp.endswith("+00:00"), stamp


def test_extending_a_round_that_has_no_seed_records_the_seed_it_drew(tmp_path):
    """A round merged in from a pack has no seed (a pack keeps none); extending it draws
    one and says it is recorded: it must be, or the extension cannot be drawn again."""
    lead = build_lead(tmp_path / "lead.db")
    lead.close()
    pack = tmp_path / "ana.db"
    assert cli(lead.path, "pack", "--coder", "ana", "-o", str(pack)).returncode == 0
    other = tmp_path / "other.db"
    with Store(other) as s:  # another database: its documents, and the pack merged in
        from tests.test_coder_pack import add_docs

        add_docs(s, 3)
    res = cli(other, "merge", str(pack))
    assert res.returncode == 0, res.stderr
    res = cli(other, "assign", "--coders", "ana,ben", "--overlap", "0", "--only-unassigned")
    assert res.returncode == 0, res.stderr
    assert "recorded in the database" in res.stdout
    seed = int(res.stdout.split("seed ")[1].split()[0].rstrip("."))
    with Store(other) as s:
        (round_,) = s.rounds()
        assert round_.seed is None  # the pack's round as it came
        assert [e.get("seed") for e in round_.design["extensions"]] == [seed]


def test_progress_counts_as_coded_what_the_agreement_report_counts(tmp_path):
    """A memo is commentary (it does not move the status): a document on which a coder
    only wrote a memo is missing for them in the agreement report, and progress, which
    says it counts 'coded' as the agreement report does, must not count it either."""
    lead = build_lead(tmp_path / "lead.db")
    (x, *_) = sorted(lead.reliability_documents("main"))
    field = lead.scheme.doc_fields[0]
    lead.set_doc_label(x, "ben", field.name, field.options[0])
    lead.set_status(x, "ben", "done")
    lead.set_memo(x, "ana", "not sure this is about the alliance")
    lead.close()
    conn = sqlite3.connect(lead.path)  # ana's only row on x is the memo
    for table in ("spans", "doc_labels", "status"):
        conn.execute(
            f"DELETE FROM {table} WHERE document_id = ? AND annotator_id ="
            " (SELECT id FROM annotators WHERE name = 'ana')",
            (x,),
        )
    conn.commit()
    conn.close()
    design = json.loads(cli(lead.path, "agreement", "--sample", "reliability", "--json").stdout)[
        "design"
    ]
    progress = json.loads(cli(lead.path, "progress", "--json").stdout)["coders"]
    with Store(lead.path, readonly=True) as s:
        rel = s.reliability_documents("main")
        coded_by = {
            d: {c for c, state in s.statuses(d).items() if state[0] != "new"}
            | {sp.coder for sp in s.spans(d)}
            | {dl.coder for dl in s.all_doc_labels(d)}
            for d in rel
        }
    ana = sum(1 for d in rel if "ana" in coded_by[d])
    assert x in rel and "ana" not in coded_by[x]
    assert progress["ana"]["reliability_coded"] == ana
    both = sum(1 for d in rel if {"ana", "ben"} <= coded_by[d])
    assert design["documents_coded_by_two"] == both


def test_a_queue_s_order_does_not_tell_where_the_reliability_documents_are():
    """Each position of a queue is as likely for a reliability document as any other.
    Redrawing the orders that put the sample all first or all last made a reliability
    document never first nor last: in a queue of 3 with 1 of them, it was always the
    second, which any coder who read the procedure could tell."""
    import hashlib
    from collections import Counter

    from annotator.design import Candidate, DesignRequest, draw_design

    def corpus(n: int) -> list[Candidate]:
        return [Candidate(i, hashlib.sha256(str(i).encode()).hexdigest()) for i in range(1, n + 1)]

    for docs, sample in ((5, 1), (4, 2)):  # each coder: 3 documents, 1 or 2 of the sample
        where: Counter[int] = Counter()
        for seed in range(300):
            design = draw_design(DesignRequest("main", ("ana", "ben"), seed, overlap_docs=sample),
                                 corpus(docs))  # fmt: skip
            for row in design.rows:
                if row.coder == "ana" and row.reliability:
                    where[row.position] += 1
        assert set(where) == {1, 2, 3}, (docs, sample, where)
        expected = 300 * sample / 3
        for n in where.values():
            assert abs(n - expected) < 0.25 * expected, (docs, sample, where)


def test_extending_a_pilot_of_a_few_articles_asks_how_many_to_add(tmp_path):
    """A pilot drawn with --docs leaves the rest of the corpus for the main round; an
    extension without --docs took every unassigned article into the pilot (the main
    round's included, and assignments cannot be taken back). Refused in one line,
    nothing written; with --docs it adds that many."""
    from tests.test_assign_cli import articles, make_db

    db = tmp_path / "labels.db"
    make_db(db, articles(30))
    res = cli(db, "assign", "--round", "pilot", "--docs", "4", "--overlap", "1",
              "--coders", "ana,ben", "--seed", "3")  # fmt: skip
    assert res.returncode == 0, res.stderr
    before = list(sqlite3.connect(db).iterdump())
    res = cli(db, "assign", "--round", "pilot", "--overlap", "1", "--coders", "ana,ben",
              "--only-unassigned")  # fmt: skip
    assert res.returncode == 1
    assert res.stderr.startswith("Error: ") and len(res.stderr.strip().splitlines()) == 1
    assert "--docs" in res.stderr and "Traceback" not in res.stderr
    assert list(sqlite3.connect(db).iterdump()) == before
    res = cli(db, "assign", "--round", "pilot", "--overlap", "1", "--coders", "ana,ben",
              "--only-unassigned", "--docs", "2", "--json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["reliability"]) == 6
