"""``annotator progress``: how far each coder of a round is, on a hand-built design whose
answers are written out (counts, reliability, median, last activity, estimated finish),
through the core and the real command line; its number of queries does not grow with
the study."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import NotFoundError
from annotator.progress import NO_ASSIGNMENTS, NoAssignmentsError, render_progress, round_progress
from annotator.store import Store

TEXTS = [f"Article {i}: Russia, Iran and North Korea signed a pact {i}." for i in range(7)]


def stamp(path, doc, coder, when):
    """Every timestamp of ``coder``'s rows on ``doc`` set to ``when`` (the store stamps
    rows with the clock; the test needs known times)."""
    con = sqlite3.connect(path)
    with con:
        aid = con.execute("SELECT id FROM annotators WHERE name = ?", (coder,)).fetchone()[0]
        for table, cols in (
            ("status", ["updated_at"]),
            ("spans", ["created_at", "updated_at"]),
            ("doc_labels", ["updated_at"]),
            ("memos", ["updated_at"]),
        ):
            sets = ", ".join(f"{c} = ?" for c in cols)
            con.execute(
                f"UPDATE {table} SET {sets} WHERE document_id = ? AND annotator_id = ?",
                (*[when] * len(cols), doc, aid),
            )
    con.close()


@pytest.fixture
def study(store, make_doc):
    """Round ``pilot`` (created first) and round ``main``:

    main: d1, d2 reliability (ana and ben); d3, d4 ana only; d5, d6 ben only; d7 in no round.
    ana: d1 span + done (120 s) at 03-01 09:00; d3 done (60 s) at 03-03 10:00; d2 memo only
         at 03-02 12:00 (no time: activity, but not coded); d4 30 s recorded but not coded, at 03-02 08:00; d7 (not in
         the round) done at 04-01.
    ben: d5 field value (45 s) at 03-04; a span on ana's d3 at 03-10 12:00 (activity on the
         round's documents, not an assigned one); nothing on d1, d2, d6.
    """
    d = [make_doc(t) for t in TEXTS]
    d1, d2, d3, d4, d5, d6, d7 = d
    s = store
    s.create_round("pilot", 1, {"coders": ["ana"]})
    s.add_assignments("pilot", [("ana", d1, True, 1)])
    s.create_round("main", 7, {"coders": ["ana", "ben"], "overlap_docs": 2, "method": "full"})
    s.add_assignments(
        "main",
        [
            ("ana", d1, True, 1), ("ana", d3, False, 2), ("ana", d2, True, 3),
            ("ana", d4, False, 4), ("ben", d5, False, 1), ("ben", d1, True, 2),
            ("ben", d6, False, 3), ("ben", d2, True, 4),
        ],
    )  # fmt: skip
    s.add_span(d1, "ana", 0, 7, "alarmist")
    s.set_status(d1, "ana", "done")
    s.add_time(d1, "ana", 120)
    s.set_status(d3, "ana", "done")
    s.add_time(d3, "ana", 60)
    s.set_memo(d2, "ana", "unsure about the frame")
    s.add_time(d4, "ana", 30)
    s.set_status(d7, "ana", "done")
    s.set_doc_label(d5, "ben", "dominant_frame", "alarmist")
    s.add_time(d5, "ben", 45)
    s.add_span(d3, "ben", 0, 7, "alarmist")
    for doc, coder, when in [
        (d1, "ana", "2026-03-01T09:00:00.000+00:00"),
        (d3, "ana", "2026-03-03T10:00:00.000+00:00"),
        (d2, "ana", "2026-03-02T12:00:00.000+00:00"),
        (d4, "ana", "2026-03-02T08:00:00.000+00:00"),
        (d7, "ana", "2026-04-01T00:00:00.000+00:00"),
        (d5, "ben", "2026-03-04T00:00:00.000+00:00"),
        (d3, "ben", "2026-03-10T12:00:00.000+00:00"),
    ]:
        stamp(s.path, doc, coder, when)
    return s


ANA = {
    "assigned": 4,
    "coded": 2,  # d1, d3 (d2's memo alone is not coding, as for the agreement report)
    "done": 2,
    "remaining": 2,
    "reliability_assigned": 2,
    "reliability_coded": 1,
    "median_seconds": 90.0,
    "last_activity": "2026-03-03T10:00:00.000+00:00",
    "first_activity": "2026-03-01T09:00:00.000+00:00",
    # 2 done over 2 days 1 hour (49 h): 0.980/day; 2 remaining: 49 h after 03-03 10:00
    "pace_per_day": 0.98,
    "estimated_finish": "2026-03-05",
}
BEN = {
    "assigned": 4,
    "coded": 1,
    "done": 0,
    "remaining": 4,
    "reliability_assigned": 2,
    "reliability_coded": 0,
    "median_seconds": 45.0,
    "last_activity": "2026-03-10T12:00:00.000+00:00",
    "first_activity": "2026-03-04T00:00:00.000+00:00",
    "pace_per_day": None,
    "estimated_finish": None,  # nothing done: no pace
}
TOTALS = {
    "documents": 6,
    "reliability_documents": 2,
    "assigned": 8,
    "coded": 3,
    "done": 2,
    "remaining": 6,
    "reliability_assigned": 4,
    "reliability_coded": 1,
    "median_seconds": 60.0,  # of 120, 60 and 45
    "last_activity": "2026-03-10T12:00:00.000+00:00",
    "first_activity": "2026-03-01T09:00:00.000+00:00",
    # 2 done over 9 days 3 hours: 0.219/day; 6 remaining: 27.375 days after 03-10 12:00
    "pace_per_day": 0.219,
    "estimated_finish": "2026-04-06",
}


def test_progress_of_the_current_round_on_a_hand_built_design(study):
    p = round_progress(study)
    assert p.round == "main"  # the round created last
    assert p.to_dict() == {"round": "main", "coders": {"ana": ANA, "ben": BEN}, "totals": TOTALS}


def test_another_round_and_unknown_or_missing_rounds(study, tmp_path):
    pilot = round_progress(study, "pilot").to_dict()
    assert list(pilot["coders"]) == ["ana"]
    ana = pilot["coders"]["ana"]
    assert (ana["assigned"], ana["coded"], ana["done"], ana["remaining"]) == (1, 1, 1, 0)
    assert (ana["reliability_assigned"], ana["reliability_coded"]) == (1, 1)
    assert ana["estimated_finish"] == "done"
    assert ana["last_activity"] == ana["first_activity"] == "2026-03-01T09:00:00.000+00:00"
    with pytest.raises(NotFoundError, match=r"unknown round 'final' \(known: pilot, main\)"):
        round_progress(study, "final")
    empty = Store(tmp_path / "empty.db")
    with pytest.raises(NoAssignmentsError) as e:
        round_progress(empty)
    assert str(e.value) == NO_ASSIGNMENTS
    empty.close()


def test_no_pace_without_a_time_span(store, make_doc):
    """Two documents done at the same moment: no time span to measure a pace over."""
    d1, d2, d3 = (make_doc(t) for t in TEXTS[:3])
    store.create_round("r", None, {})
    store.add_assignments(
        "r", [("ana", d1, False, 1), ("ana", d2, False, 2), ("ana", d3, False, 3)]
    )
    for d in (d1, d2):
        store.set_status(d, "ana", "done")
        stamp(store.path, d, "ana", "2026-03-01T09:00:00.000+00:00")
    (ana,) = round_progress(store).coders
    assert (ana.done, ana.remaining, ana.pace_per_day, ana.estimated_finish) == (2, 1, None, None)
    assert ana.median_seconds is None  # no time recorded
    stamp(store.path, d2, "ana", "2026-03-01T21:00:00.000+00:00")  # half a day later
    (ana,) = round_progress(store).coders
    assert ana.pace_per_day == pytest.approx(4.0)  # 2 done in 0.5 day
    assert ana.estimated_finish == "2026-03-02"  # 21:00 + 6 h


def test_the_text_table(study):
    text = render_progress(round_progress(study))
    lines = text.splitlines()
    assert lines[0] == "Round main: 2 coder(s), 6 document(s), 2 in the reliability sample"
    assert lines[2].split() == [
        "coder", "assigned", "coded", "done", "remaining", "reliability", "coded",
        "median", "min/doc", "last", "activity", "estimated", "finish",
    ]  # fmt: skip
    ana = next(line for line in lines if line.startswith("ana "))
    assert ana.split() == ["ana", "4", "2", "2", "2", "1/2", "1.5", "2026-03-03", "10:00", "UTC",
                           "2026-03-05"]  # fmt: skip
    ben = next(line for line in lines if line.startswith("ben "))
    assert ben.split() == [
        "ben",
        "4",
        "1",
        "0",
        "4",
        "0/2",
        "0.8",
        "2026-03-10",
        "12:00",
        "UTC",
        "-",
    ]
    total = next(line for line in lines if line.startswith("total "))
    assert total.split()[1:7] == ["8", "3", "2", "6", "1/4", "1.0"]


def test_the_cli_prints_the_json_and_the_table(study):
    path = str(study.path)
    res = CliRunner().invoke(cli, ["--db", path, "progress", "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data == {"round": "main", "coders": {"ana": ANA, "ben": BEN}, "totals": TOTALS}
    # the keys the issue gives, for every coder
    for row in data["coders"].values():
        assert {
            "assigned", "coded", "done", "reliability_assigned", "reliability_coded",
            "median_seconds", "last_activity",
        } <= set(row)  # fmt: skip
    res = CliRunner().invoke(cli, ["--db", path, "progress", "--round", "pilot"])
    assert res.exit_code == 0 and res.output.startswith("Round pilot: 1 coder(s), 1 document(s)")
    # the real process: unknown round and a database with no rounds, one line each, exit 1
    child = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", path, "progress", "--round", "x"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == 1 and child.stdout == ""
    assert child.stderr == "Error: unknown round 'x' (known: pilot, main)\n"
    empty = study.path.with_name("empty.db")
    Store(empty).close()
    child = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(empty), "progress", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == 1 and child.stdout == ""
    assert child.stderr == f"Error: {NO_ASSIGNMENTS}\n"


def count_statements(store, fn):
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        store.conn.set_trace_callback(None)
    return len(seen)


def test_the_number_of_queries_does_not_grow_with_the_study(store, make_doc):
    def build(name, n, coders):
        docs = [make_doc(f"{name} article {i} about Iran.") for i in range(n)]
        store.create_round(name, None, {})
        rows = []
        for i, d in enumerate(docs):
            for j, c in enumerate(coders):
                if i < 2 or i % len(coders) == j:  # two reliability documents
                    rows.append((c, d, i < 2, i + 1))
                    store.set_status(d, c, "done" if i % 3 else "in_progress")
                    store.add_time(d, c, 10 + i)
        store.add_assignments(name, rows)

    build("small", 4, ["ana", "ben"])
    build("large", 40, ["ana", "ben", "cy", "dan", "eve"])
    small = count_statements(store, lambda: round_progress(store, "small"))
    large = count_statements(store, lambda: round_progress(store, "large"))
    assert small == large <= 12
    assert round_progress(store, "large").totals.assigned == 40 + 2 * 4
