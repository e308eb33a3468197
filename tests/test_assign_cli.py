"""``annotator assign``: the design of a study drawn and recorded through the real CLI, on
real SQLite files (the properties of the draw itself: tests/test_design.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.corpus import RawDocument
from annotator.errors import ValidationError
from annotator.ingest import import_documents
from annotator.store import Store

from .conftest import ROOT

OUTLETS = ("taz", "faz", "sz")


def articles(n: int, start: int = 0) -> list[RawDocument]:
    return [
        RawDocument(
            f"Article {i}: the alliance and its critics, day {i}.",
            f"a{i}.txt",
            {"outlet": OUTLETS[i % 3]} if i % 5 else {},
        )
        for i in range(start, start + n)
    ]


def make_db(path, docs) -> None:
    with Store(path) as store:
        import_documents(store, docs)


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def assign_json(db, *args):
    res = run(db, "assign", *args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "labels.db"
    make_db(path, articles(20))
    return path


def by_hash(db, data):
    """The design in SHA-256 terms: the same whatever the documents' ids are."""
    with Store(db) as store:
        sha = {i: store.document(i).sha256 for i in store.document_ids()}
    return {
        "seed": data["seed"],
        "reliability": sorted(sha[d] for d in data["reliability"]),
        "assignments": {c: [sha[d] for d in q] for c, q in data["assignments"].items()},
    }


def test_json_has_the_round_seed_sample_and_queues(db):
    data = assign_json(db, "--coders", "ana,ben,cy", "--overlap", "0.2", "--seed", "7")
    assert list(data) == ["round", "seed", "reliability", "assignments"]
    assert data["round"] == "main" and data["seed"] == 7
    assert list(data["assignments"]) == ["ana", "ben", "cy"]
    rel = data["reliability"]
    assert rel == sorted(rel) and len(rel) == 4  # 0.2 x 20
    queues = data["assignments"]
    for q in queues.values():
        assert set(rel) <= set(q)
        assert len(q) in (9, 10)  # 4 shared + 16 split 6/5/5
    everyone = [d for q in queues.values() for d in q]
    assert set(everyone) == set(range(1, 21))
    assert len(everyone) == 20 + 2 * len(rel)
    with Store(db) as store:
        for coder, q in queues.items():
            assert store.queue(coder, "main") == q
        assert store.reliability_documents("main") == rel
        (rnd,) = store.rounds()
        assert rnd.name == "main" and rnd.seed == 7
        design = rnd.design
        assert design["coders"] == ["ana", "ben", "cy"] and design["overlap"] == 0.2
        assert design["candidates"] == 20 and design["reliability_documents"] == 4
        assert design["per_doc"] is None and "simple random sample" in design["method"]
        assert design["tool_version"]


@pytest.mark.parametrize(
    "args",
    [
        ("--coders", "ana,ben,cy,dee", "--overlap", "0.25", "--per-doc", "2", "--seed", "42"),
        ("--coders", "ana,ben", "--overlap", "0.5", "--stratify", "outlet", "--seed", "1"),
    ],
)
def test_the_same_articles_in_another_database_give_the_same_design(tmp_path, args):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    docs = articles(24)
    make_db(first, docs)
    make_db(second, list(reversed(docs[12:])) + docs[:12])  # other order, other ids
    one, two = assign_json(first, *args), assign_json(second, *args)
    assert one["assignments"] != two["assignments"]  # the ids differ ...
    assert by_hash(first, one) == by_hash(second, two)  # ... the design does not


def test_the_table_says_round_seed_sample_and_counts(db):
    res = run(db, "assign", "--coders", "ana,ben", "--overlap-docs", "3")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("Round main: 20 document(s) assigned, 23 assignment(s); seed ")
    assert "(drawn; recorded in the database)" in lines[0]
    seed = int(lines[0].split("seed ")[1].split()[0])
    with Store(db) as store:
        assert store.get_round("main").seed == seed  # the drawn seed is recorded
    assert lines[1].startswith("Reliability sample: 3 of 20 candidate documents")
    assert lines[2].split() == ["coder", "documents", "of", "which", "reliability"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert sorted(rows) == ["ana", "ben"]
    assert sorted(int(r[0]) for r in rows.values()) == [11, 12]
    assert {r[1] for r in rows.values()} == {"3"}


def test_a_round_is_not_drawn_twice_but_extended_with_new_articles(db):
    first = assign_json(db, "--coders", "ana,ben,cy", "--overlap", "0.2", "--seed", "5")
    res = run(db, "assign", "--coders", "ana,ben,cy", "--overlap", "0.2")
    assert res.exit_code == 1
    assert res.output == (
        "Error: round 'main' already has 28 assignments; use --only-unassigned to add new"
        " articles\n"
    )
    with Store(db) as store:
        import_documents(store, articles(10, start=100))
    before = {c: list(q) for c, q in first["assignments"].items()}
    res = run(db, "assign", "--coders", "ana,ben,cy", "--overlap", "0.2", "--seed", "6",
              "--only-unassigned")  # fmt: skip
    assert res.exit_code == 1 and "drawn with seed 5" in res.output
    data = assign_json(db, "--coders", "ana,ben,cy", "--overlap", "0.2", "--only-unassigned")
    assert data["seed"] == 5
    for coder, q in data["assignments"].items():
        assert q[: len(before[coder])] == before[coder]  # nothing moved
        assert set(q[len(before[coder]) :]) <= set(range(21, 31))  # only new articles
    assert set(first["reliability"]) < set(data["reliability"])  # 2 new ones (0.2 x 10)
    assert len(data["reliability"]) == 6
    added = [d for q in data["assignments"].values() for d in q if d > 20]
    assert set(added) == set(range(21, 31))
    with Store(db) as store:
        design = store.get_round("main").design
    assert design["candidates"] == 20  # the first draw, as it was
    [ext] = design["extensions"]
    assert ext["candidates"] == 10 and ext["reliability_documents"] == 2 and ext["at"]
    again = run(db, "assign", "--coders", "ana,ben,cy", "--overlap", "0.2", "--only-unassigned")
    assert again.exit_code == 1
    assert "no documents to assign: all 30 are assigned already" in again.output


def test_a_pilot_s_documents_are_not_drawn_again_into_the_main_round(tmp_path):
    # the lead imports the pilot's articles, assigns them to everyone, then imports the rest
    db = tmp_path / "labels.db"
    make_db(db, articles(5))
    res = run(db, "assign", "--coders", "ana,ben", "--overlap", "1", "--round", "pilot")
    assert res.exit_code == 0, res.output
    with Store(db) as store:
        import_documents(store, articles(15, start=5))
    res = run(db, "assign", "--coders", "ana,ben,cy", "--overlap", "0.1", "--seed", "1")
    assert res.exit_code == 0, res.output
    assert "5 document(s) assigned in other rounds were left out" in res.output
    assert "Round main: 15 document(s) assigned" in res.output
    with Store(db) as store:
        pilot_docs = store.assigned_documents("pilot")
        main_docs = store.assigned_documents("main")
        assert len(pilot_docs) == 5 and not pilot_docs & main_docs
        assert pilot_docs | main_docs == set(store.document_ids())
        assert store.reliability_documents("pilot") == sorted(pilot_docs)
        assert [r.name for r in store.rounds()] == ["pilot", "main"]


def test_a_pilot_of_a_few_articles_drawn_from_the_whole_corpus(db, tmp_path):
    """--docs N: the round takes N articles at random (seeded, the same in any database
    holding the same articles); the rest wait for the main round."""
    pilot = assign_json(db, "--round", "pilot", "--coders", "ana,ben,cy",
                        "--docs", "4", "--overlap", "1", "--seed", "3")  # fmt: skip
    assert len(pilot["reliability"]) == 4
    assert all(sorted(q) == pilot["reliability"] for q in pilot["assignments"].values())
    res = run(db, "assign", "--coders", "ana,ben,cy", "--overlap", "0.2", "--seed", "3")
    assert "4 document(s) assigned in other rounds were left out" in res.output
    assert "Round main: 16 document(s) assigned" in res.output
    with Store(db) as store:
        assert store.get_round("pilot").design["docs"] == 4
        assert store.get_round("pilot").design["left_for_later_rounds"] == 16
    # The same draw from the same articles imported in another order, another seed differs.
    other = tmp_path / "other.db"
    make_db(other, list(reversed(articles(20))))
    again = assign_json(other, "--round", "pilot", "--coders", "ana,ben,cy",
                        "--docs", "4", "--overlap", "1", "--seed", "3")  # fmt: skip
    assert by_hash(other, again) == by_hash(db, pilot)
    third = tmp_path / "third.db"
    make_db(third, articles(20))
    changed = assign_json(third, "--round", "pilot", "--coders", "ana,ben,cy",
                          "--docs", "4", "--overlap", "1", "--seed", "4")  # fmt: skip
    assert by_hash(third, changed)["reliability"] != by_hash(db, pilot)["reliability"]
    res = run(db, "assign", "--round", "x", "--coders", "ana,ben", "--docs", "0", "--overlap", "1")
    assert res.exit_code == 1 and "--docs must be a whole number >= 1" in res.stderr


def test_a_stratified_balanced_incomplete_design_through_the_cli(db):
    data = assign_json(db, "--coders", "ana,ben,cy,dee", "--overlap-docs", "8", "--per-doc",
                       "2", "--stratify", "outlet", "--seed", "3")  # fmt: skip
    holders = {d: [c for c, q in data["assignments"].items() if d in q] for d in range(1, 21)}
    assert all(len(holders[d]) == 2 for d in data["reliability"])
    pairs = {tuple(sorted(holders[d])) for d in data["reliability"]}
    assert len(pairs) == 6  # 8 documents: every pair of the 4 coders shares one
    res = run(db, "assign", "--coders", "ana,ben,cy,dee", "--overlap-docs", "8", "--per-doc",
               "2", "--stratify", "outlet", "--seed", "3", "--round", "r2")  # fmt: skip
    assert res.exit_code == 1  # all 20 documents are in round main
    with Store(db) as store:
        strata = store.get_round("main").design["strata"]
    assert strata == {
        "(missing)": {"candidates": 4, "drawn": 2},  # 8 x 4/20 = 1.6: the largest remainder
        "faz": {"candidates": 6, "drawn": 2},  # 2.4
        "sz": {"candidates": 5, "drawn": 2},  # 2.0
        "taz": {"candidates": 5, "drawn": 2},  # 2.0
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "ana,gold", "--overlap", "0.2"], "coder name 'gold' is reserved"),
        (["--coders", "ana,source:x", "--overlap", "0.2"], "begins with 'source:'"),
        (["--coders", "ana,,ben", "--overlap", "0.2"], "coder name is empty"),
        (["--coders", "ana, ben", "--overlap", "0.2"], "begins or ends with whitespace"),
        (["--coders", "ana,a\x1bb", "--overlap", "0.2"], "non-printable"),
        (["--coders", "ana,ana", "--overlap", "0.2"], "listed twice"),
        (["--coders", "ana", "--overlap", "0.2"], "at least 2 coders"),
        (["--coders", "ana,ben", "--overlap", "1.5"], "between 0 and 1"),
        (["--coders", "ana,ben", "--overlap", "nan"], "between 0 and 1"),
        (["--coders", "ana,ben", "--overlap", "-inf"], "between 0 and 1"),
        (["--coders", "ana,ben", "--overlap-docs", "21"], "more than the 20 candidate"),
        (["--coders", "ana,ben", "--overlap", "0.1", "--overlap-docs", "2"], "exactly one"),
        (["--coders", "ana,ben,cy", "--overlap", "0.2", "--per-doc", "3"], "--per-doc must"),
        (["--coders", "a,b,c,d,e,f", "--overlap-docs", "4", "--per-doc", "3"], "at least 8"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--stratify", "lang"], "no candidate"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--seed", str(10**30)], "--seed"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--seed", "-3"], "--seed"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--round", ""], "round name"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--round", "a\nb"], "control character"),
        (["--coders", "ana,ben"], "--overlap 0.2 or --overlap-docs"),
        (["--overlap", "0.2"], "--coders ana,ben,cy"),
        (["--plan"], "--plan needs --alpha-min"),
        (["--coders", "ana,ben", "--overlap", "0.2", "--alpha-min", "0.8"], "go with --plan"),
        (["--plan", "--alpha-min", "1"], "--alpha-min must be"),
        (["--plan", "--alpha-min", "0.8", "--p", "0.7"], "--p must be"),
        (["--plan", "--alpha-min", "0.8", "--min-share", "0"], "--min-share must be"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(db, args, message):
    res = run(db, "assign", *args)
    assert res.exit_code == 1, res.output
    assert res.output.startswith("Error: ") and res.output.count("\n") == 1, res.output
    assert message in res.output
    with Store(db) as store:
        assert store.rounds() == [] and store.assignments() == []


def test_a_coder_named_as_a_source_before_the_rule_can_still_be_assigned(db):
    """A database from before ``source:NAME`` was refused may hold such a coder: they
    are assigned like any coder (a new one is refused: the refusals above)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("INSERT INTO annotators (name, created_at) VALUES ('source:x', '')")
    got = assign_json(db, "--coders", "ana,source:x", "--overlap", "0.2")
    assert set(got["assignments"]) == {"ana", "source:x"}
    res = run(db, "assign", "--round", "r2", "--coders", "ana,source:y", "--overlap", "0.2")
    assert res.exit_code == 1 and "coder name 'source:y' begins with 'source:'" in res.output
    with Store(db) as store:
        assert store.add_coder("source:x") == "source:x"  # idempotent for them too
        with pytest.raises(ValidationError, match="begins with 'source:'"):
            store.add_coder("source:y")


def test_an_empty_database_has_nothing_to_assign(tmp_path):
    res = run(tmp_path / "empty.db", "assign", "--coders", "ana,ben", "--overlap", "0.2")
    assert res.exit_code == 1
    assert res.output == "Error: the database has no documents to assign; import some first\n"


def test_plan_gives_krippendorff_s_table_value_and_says_where_p_c_came_from(db):
    res = run(db, "assign", "--plan", "--alpha-min", "0.8")
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("Reliability sample needed: 139 documents")  # P_c = 1/4
    assert "1/4: field 'dominant_frame' has 4 options and no labels yet" in out
    assert "Krippendorff" in out and "Bloch & Kraemer" in out and "N = 2 z_p^2" in out
    data = json.loads(run(db, "assign", "--plan", "--alpha-min", "0.667", "--json").output)
    assert data["documents"] == 81 and data["p_c"] == 0.25 and data["p"] == 0.05
    assert data["corpus_documents"] == 20
    # a pilot's labels: the smallest observed share is used (1 of 10 labels)
    with Store(db) as store:
        for doc in range(1, 11):
            value = "alarmist" if doc == 1 else "none"
            store.set_doc_label(doc, "ana", "dominant_frame", value)
    data = json.loads(run(db, "assign", "--plan", "--alpha-min", "0.8", "--json").output)
    assert data["p_c"] == 0.1
    assert "'alarmist' of field 'dominant_frame', 1 of 10 labels" in data["p_c_from"]
    given = json.loads(run(db, "assign", "--plan", "--alpha-min", "0.8", "--min-share", "0.25",
                           "--json").output)  # fmt: skip
    assert given["documents"] == 139 and given["p_c_from"] == "--min-share"


def test_the_real_program_prints_no_traceback_for_hostile_input(db):
    for args in (
        ["--coders", "ana,ben", "--overlap", "1e400"],
        ["--coders", "ana,ben", "--overlap", "0.2", "--per-doc", "99999999999999999999999"],
        ["--coders", "ana,ben", "--overlap", "0.2", "--stratify", ""],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "annotator", "--db", str(db), "assign", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert proc.returncode == 1, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_the_agreement_reports_design_line_is_assigns_own_sentence(db):
    """The report's "Drawn:" line printed "method 2 of 8 candidate documents ..." and then
    every other key of the recorded design again (candidates, tool_version ...): for a
    round ``annotator assign`` drew, it is the sentence assign wrote (and the strata)."""
    from annotator.reliability import compute_agreement
    from annotator.report_text import design_lines

    assign_json(db, "--coders", "ana,ben,cy", "--overlap", "0.2", "--seed", "5",
                "--stratify", "outlet")  # fmt: skip
    with Store(db) as store:
        drawn = next(dict(r.design) for r in store.rounds() if r.name == "main")
        design = compute_agreement(store, None, 0, 0, sample="reliability").design
    assert design is not None
    line = design_lines(design)[-1]
    assert line.startswith(f"Drawn: {drawn['method']}; strata {{") and line.endswith("; seed 5")
    assert "tool_version" not in line and "candidates " not in line and "method " not in line
