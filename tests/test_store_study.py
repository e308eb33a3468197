"""The study design as stored (migration m006, annotator/store/study.py): rounds,
assignments and queues, the reliability flag, settings of the file; all or nothing under
faults, on real SQLite files."""

from __future__ import annotations

import sqlite3

import pytest

from annotator.errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    NotFoundError,
    ValidationError,
)
from annotator.store import PACK_ROUND, Assignment, Store, check_round_name
from annotator.store.schema import migrations

from .conftest import write_lock_held

TEXTS = [f"Article {i}: Russia, Iran and North Korea — ünïcode 😀 {i}." for i in range(6)]


@pytest.fixture
def docs(make_doc):
    return [make_doc(t) for t in TEXTS]


def test_a_round_is_recorded_with_its_seed_and_design(store):
    design = {"coders": ["ana", "ben"], "overlap": 0.2, "note": "stratified by outlet — ü"}
    store.create_round("pilot", 12345, design)
    store.create_round("main", None, {})
    assert [r.name for r in store.rounds()] == ["pilot", "main"]
    pilot = store.get_round("pilot")
    assert (pilot.seed, pilot.design) == (12345, design)
    assert pilot.created_at.endswith("+00:00")
    assert store.current_round() == "main"  # the one created last


def test_round_names_are_checked_and_unique(store):
    store.create_round("main", 1, {})
    with pytest.raises(ValidationError, match="'main' already exists"):
        store.create_round("main", 2, {})
    for bad in ["", " main", "main ", "a\nb", "x" * 65, "tab\there"]:
        with pytest.raises(ValidationError):
            store.create_round(bad, 1, {})
    with pytest.raises(ValidationError, match="64 bits"):
        store.create_round("huge", 2**64, {})
    assert check_round_name("Runde 2 — März") == "Runde 2 — März"
    assert [r.name for r in store.rounds()] == ["main"]


def test_unknown_round_names_the_known_ones(store):
    with pytest.raises(NotFoundError, match="has no assignments"):
        store.queue("ana", "main")
    store.create_round("pilot", 1, {})
    with pytest.raises(NotFoundError, match=r"unknown round 'main' \(known: pilot\)"):
        store.get_round("main")
    with pytest.raises(NotFoundError):
        store.add_assignments("main", [])


def test_assignments_queues_and_the_reliability_sample(store, docs):
    store.create_round("main", 7, {})
    n = store.add_assignments(
        "main",
        [
            ("ana", docs[2], True, 2),
            ("ana", docs[0], False, 1),
            ("ben", docs[2], True, 1),
            ("ben", docs[1], False, 3),
            ("ben", docs[3], None, 2),
        ],
    )
    assert n == 5
    assert store.queue("ana", "main") == [docs[0], docs[2]]
    assert store.queue("ben", "main") == [docs[2], docs[3], docs[1]]
    assert store.queue("cy", "main") == []  # a coder with nothing assigned
    assert store.round_coders("main") == ["ana", "ben"]
    assert store.assigned_documents("main") == {docs[0], docs[1], docs[2], docs[3]}
    assert store.reliability_documents("main") == [docs[2]]
    assert store.assignments(coder="ana") == [
        Assignment("main", "ana", docs[0], False, 1),
        Assignment("main", "ana", docs[2], True, 2),
    ]
    assert store.assignments("main", "ben")[1] == Assignment("main", "ben", docs[3], None, 2)
    assert "ana" in store.coders()  # assigned coders are registered


def test_a_bad_assignment_writes_nothing(store, docs):
    store.create_round("main", 7, {})
    bad_rows = [
        [("ana", docs[0], False, 1), ("ana", 999, False, 2)],  # unknown document
        [("ana", docs[0], False, 1), ("ana", docs[0], True, 2)],  # document twice
        [("ana", docs[0], False, 1), ("ana", docs[1], True, 1)],  # position twice
        [("ana", docs[0], False, 0)],  # position < 1
        [("ana", docs[0], False, True)],  # not a number
        [("gold", docs[0], False, 1)],  # the adjudicated layer is not a coder
        [("ana", docs[0], False, 1), ("bad\nname", docs[1], False, 1)],
    ]
    for rows in bad_rows:
        with pytest.raises(AnnotatorError) as info:
            store.add_assignments("main", rows)
        assert "\n" not in str(info.value)
        assert store.assignments() == []
    assert "bad\nname" not in store.coders()


def test_extending_a_round_keeps_what_was_assigned(store, docs):
    store.create_round("main", 7, {})
    store.add_assignments("main", [("ana", docs[0], False, 1)])
    with pytest.raises(ValidationError):
        store.add_assignments("main", [("ana", docs[1], False, 1)])  # position taken
    store.add_assignments("main", [("ana", docs[1], False, 2)])
    assert store.queue("ana", "main") == [docs[0], docs[1]]


def test_settings_of_the_file_and_the_packed_round(store):
    assert store.setting("pack_coder") is None
    store.set_setting("pack_coder", "ana")
    store.set_setting("pack_coder", "ben")
    assert store.setting("pack_coder") == "ben"
    store.set_setting("pack_coder", None)
    assert store.setting("pack_coder") is None
    store.create_round("pilot", 1, {})
    store.create_round("main", 2, {})
    store.set_setting(PACK_ROUND, "pilot")
    assert store.current_round() == "pilot"
    store.set_setting(PACK_ROUND, "gone")  # a round this file does not have
    assert store.current_round() == "main"


def test_a_busy_database_refuses_the_round_whole(store, docs, tmp_path):
    store.create_round("main", 7, {})
    with write_lock_held(store.path):
        store.set_busy_timeout(0.1)
        with pytest.raises(DatabaseBusyError):
            store.add_assignments("main", [("ana", d, False, i + 1) for i, d in enumerate(docs)])
    assert store.assignments() == []
    assert store.add_assignments("main", [("ana", docs[0], False, 1)]) == 1


def test_a_full_database_refuses_the_round_whole(store, docs):
    store.create_round("main", 7, {})
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages}")
    rows = [(f"coder{c}", d, False, i + 1) for c in range(300) for i, d in enumerate(docs)]
    with pytest.raises(DatabaseFullError):
        store.add_assignments("main", rows)
    store.conn.execute("PRAGMA max_page_count=1073741823")
    assert store.assignments() == []
    assert not [c for c in store.coders() if c.startswith("coder")]


def test_a_read_only_database_reads_the_design(store, docs):
    store.create_round("main", 7, {"coders": ["ana"]})
    store.add_assignments("main", [("ana", docs[0], True, 1)])
    path = store.path
    store.close()
    with Store(path, readonly=True) as ro:
        assert ro.queue("ana", "main") == [docs[0]]
        with pytest.raises(AnnotatorError, match="read-only"):
            ro.create_round("pilot", 1, {})


def test_m006_upgrades_a_database_with_labels(tmp_path):
    """A database of schema m001-m005 with labels gains empty design tables; its labels stay."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        doc = s.add_documents([], "x")  # nothing; the schema is what matters
        assert doc == []
    con = sqlite3.connect(path)
    for table in ("assignments", "rounds", "file_settings"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_study_design'")
    con.execute("INSERT INTO annotators (id, name, created_at) VALUES (1, 'ana', '2024-01-01')")
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.coders() == ["ana"]
        assert s.rounds() == [] and s.current_round() is None
        assert s.db["assignments"].pks == ["round_id", "annotator_id", "document_id"]
    applied = [m.name for m in migrations()._migrations]  # noqa: SLF001
    assert "m006_study_design" in applied
