"""Coder packages (annotator/coder_pack.py, annotator/store/pack.py, ``annotator pack``):
what a pack holds, that it does not reveal the reliability sample, what is refused, and a
pack killed midway; on real SQLite files, through the real command line."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import cli
from annotator.coder_pack import pack_coder
from annotator.corpus import text_hash
from annotator.errors import AnnotatorError, NotFoundError
from annotator.models import StoredDocument
from annotator.packing import pack
from annotator.scheme import parse_scheme
from annotator.store import GOLD, PACK_CODER, PACK_ROUND, Store

ROOT = Path(__file__).resolve().parent.parent
DESIGN = {"coders": ["ana", "ben"], "overlap": 0.25, "drawn": "stratified-by-outlet-QX7"}
SEED = 918273645


def stored(text: str, **meta: object) -> StoredDocument:
    """A document with whitespace tokens and one sentence (no spaCy)."""
    toks = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    return StoredDocument(
        text_hash(text), text[:30], "synthetic", text, dict(meta),
        pack([a for a, _ in toks], [b for _, b in toks]), pack([0], [len(text)]), "blank:en",
    )  # fmt: skip


def add_docs(store: Store, n: int, start: int = 0) -> list[int]:
    with store.transaction():
        return [
            store.add_stored_document(
                stored(f"Article {i}: Moscow and Pyongyang — ünïcode 😀 {i}.", outlet=f"o{i % 3}")
            )
            for i in range(start, start + n)
        ]


def design_rows(ids: list[int], reliability: set[int]) -> list[tuple[str, int, bool, int]]:
    """ana and ben: the reliability documents to both, the rest alternately; the queue
    interleaves them (a reliability document is not first because it is one)."""
    queues: dict[str, list[tuple[int, bool]]] = {"ana": [], "ben": []}
    for i, d in enumerate(ids):
        for c in ("ana", "ben") if d in reliability else (("ana", "ben")[i % 2],):
            queues[c].append((d, d in reliability))
    rows = []
    for c, q in queues.items():
        q = q[1::2] + q[0::2]  # any fixed order that is not by id
        rows += [(c, d, rel, p) for p, (d, rel) in enumerate(q, 1)]
    return rows


def build_lead(path: Path, n: int = 12, reliability: set[int] | None = None) -> Store:
    """A lead's database: n documents, round 'main' for ana and ben, labels of both and
    gold on the first document, a second scheme version."""
    store = Store(path)
    ids = add_docs(store, n)
    rel = {ids[-1], ids[-2], ids[0]} if reliability is None else reliability
    store.create_round("main", SEED, DESIGN)
    store.add_assignments("main", design_rows(ids, rel))
    label = store.scheme.span_labels[0].name
    store.add_span(ids[0], "ana", 0, 7, label)
    store.set_memo(ids[0], "ana", "ana's memo")
    store.set_status(ids[0], "ana", "done")
    store.add_span(ids[0], "ben", 9, 15, label)
    store.set_memo(ids[0], "ben", "ben's memo")
    store.add_gold_span(ids[0], 9, 15, label, sources=["ben"])
    toml = store.scheme_version_toml(1)
    store.record_scheme(parse_scheme(toml.replace("version = 1", "version = 2", 1)))
    return store


@pytest.fixture
def lead(tmp_path):
    s = build_lead(tmp_path / "lead.db")
    yield s
    s.close()


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_pack_holds_the_coders_documents_scheme_and_queue(lead, tmp_path):
    out = tmp_path / "ana.db"
    res = run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert f"Wrote {out} for ana" in res.output
    assert sorted(os.listdir(tmp_path)) == ["ana.db", "lead.db", "lead.db-shm", "lead.db-wal"]
    mine = lead.assignments(coder="ana")
    with Store(out, readonly=True) as p:
        assert set(p.document_ids()) == {a.doc_id for a in mine}  # exactly the assigned ones
        assert p.queue("ana", "main") == lead.queue("ana", "main")  # in queue order
        assert p.scheme_versions() == lead.scheme_versions() == [1, 2]
        for v in (1, 2):
            assert p.scheme_version_toml(v) == lead.scheme_version_toml(v)
        assert p.setting(PACK_CODER) == "ana" and p.setting(PACK_ROUND) == "main"
        assert p.current_round() == "main"
        assert p.coders() == ["ana"]  # nobody else is named in it
        first = mine[0].doc_id
        for a in mine:  # text, meta and tokens as stored, byte for byte
            ours = rows(lead.path, f"SELECT * FROM documents WHERE id = {a.doc_id}")
            assert rows(out, f"SELECT * FROM documents WHERE id = {a.doc_id}") == ours
        ids = sorted(a.doc_id for a in mine)
        assert [s.coder for s in p.spans(ids[0])] == ["ana"]  # own labels, not ben's nor gold
        assert p.memos(ids[0]) == {"ana": "ana's memo"}
        assert p.statuses(ids[0])["ana"][0] == "done"
        assert not p.has_gold()
        assert first in ids
    assert rows(out, "PRAGMA journal_mode") == [("delete",)]  # one file to send
    assert rows(out, "PRAGMA integrity_check") == [("ok",)]


def test_with_labels_packs_the_other_coders_labels_and_gold(lead, tmp_path):
    out = tmp_path / "ana.db"
    res = run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out), "--with-labels")
    assert res.exit_code == 0, res.output
    first = min(a.doc_id for a in lead.assignments(coder="ana"))
    with Store(out, readonly=True) as p:
        assert sorted(s.coder for s in p.spans(first)) == sorted(s.coder for s in lead.spans(first))
        assert GOLD in {s.coder for s in p.spans(first)}
        assert p.memos(first) == lead.memos(first)
        assert p.gold_span_sources(first) == lead.gold_span_sources(first)
        assert p.assignments() == [
            a._replace(reliability=None) for a in lead.assignments(coder="ana")
        ]


def _dump(path: Path) -> list[str]:
    """Every row of every table but the migrations' own record (stamped when made)."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "_sqlite_migrations" not in line]
    finally:
        conn.close()


def test_a_pack_does_not_reveal_the_reliability_sample(tmp_path):
    """Two leads that differ only in which of ana's documents are in the sample (and in
    the seed and design that drew it) give packs that hold the same rows."""
    a = build_lead(tmp_path / "a.db")
    a.close()
    b_path = tmp_path / "b.db"
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute(f"VACUUM INTO '{b_path}'")
    conn.close()
    conn = sqlite3.connect(b_path)  # another sample: flags flipped, other seed and design
    with conn:
        conn.execute("UPDATE assignments SET reliability = 1 - reliability")
        conn.execute('UPDATE rounds SET seed = 5, design = \'{"other": "design-ZZ9"}\'')
    conn.close()
    packs = []
    for src in (tmp_path / "a.db", b_path):
        out = tmp_path / f"ana-{src.stem}.db"
        assert run("--db", str(src), "pack", "--coder", "ana", "-o", str(out)).exit_code == 0
        packs.append(out)
    assert _dump(packs[0]) == _dump(packs[1])
    assert rows(packs[0], "SELECT DISTINCT reliability FROM assignments") == [(None,)]
    assert rows(packs[0], "SELECT name, seed, design FROM rounds") == [
        ("main", None, json.dumps({"packed_for": "ana"}))
    ]
    raw = packs[0].read_bytes()  # free pages included: no byte of the lead's design
    for secret in (b"stratified-by-outlet-QX7", b"overlap", SEED.to_bytes(4, "big")):
        assert secret not in raw
    # rows lie in the file in the order of their ids (documents: import order) and of the
    # queue (assignments: written by position), never grouped by the sample
    positions = [r[0] for r in rows(packs[0], "SELECT position FROM assignments ORDER BY rowid")]
    assert positions == list(range(1, len(positions) + 1))


def test_a_round_restricts_the_pack(tmp_path):
    lead = build_lead(tmp_path / "lead.db")
    extra = add_docs(lead, 3, start=100)
    lead.create_round("pilot", 1, {})
    lead.add_assignments("pilot", [("ana", d, True, i) for i, d in enumerate(extra, 1)])
    lead.add_assignments("pilot", [("cy", extra[0], True, 1)])
    out = tmp_path / "ana.db"
    assert (
        run(
            "--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out), "--round", "pilot"
        ).exit_code
        == 0
    )
    with Store(out, readonly=True) as p:
        assert sorted(p.document_ids()) == extra
        assert [r.name for r in p.rounds()] == ["pilot"]
        assert p.setting(PACK_ROUND) == "pilot"
    every = tmp_path / "ana-all.db"
    report = pack_coder(lead, "ana", every)  # every round; the current one is the last made
    assert report.round == "pilot" and report.rounds == 2
    with Store(every, readonly=True) as p:
        assert [r.name for r in p.rounds()] == ["main", "pilot"]
    cy = pack_coder(lead, "cy", tmp_path / "cy.db")
    assert (cy.documents, cy.round) == (1, "pilot")
    ben = pack_coder(lead, "ben", tmp_path / "ben.db")  # ben has no pilot assignments
    assert ben.round == "main"
    lead.close()


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coder", "zoe"], "unknown coder 'zoe' (known: ana, ben, cy)"),
        (["--coder", "cy"], "coder 'cy' has no assignments; nothing to pack"),
        (["--coder", "ana", "--round", "pilot"], "unknown round 'pilot' (known: main, solo)"),
        (
            ["--coder", "ben", "--round", "solo"],
            "coder 'ben' has no assignments in round 'solo'; nothing to pack",
        ),
    ],
)
def test_refusals_of_coder_and_round(tmp_path, args, message):
    lead = build_lead(tmp_path / "lead.db")
    lead.add_coder("cy")
    lead.create_round("solo", None, {})
    lead.close()
    out = tmp_path / "out" / "ana.db"
    out.parent.mkdir()
    res = run("--db", str(tmp_path / "lead.db"), "pack", *args, "-o", str(out))
    assert res.exit_code == 1
    assert res.output == f"Error: {message}\n"
    assert list(out.parent.iterdir()) == []


def test_refusals_of_the_output(lead, tmp_path):
    lead_path = str(lead.path)
    existing = tmp_path / "old.db"
    existing.write_bytes(b"not mine")
    before = _listing(tmp_path)
    for output, message in [
        (lead_path, "refusing to write over the open database"),
        (lead_path + "-wal", "refusing to write over the wal file"),
        (str(existing), "exists; a pack never replaces a file"),
        (str(tmp_path / "missing" / "ana.db"), "does not exist"),
        ("-", "give a file name, not '-'"),
    ]:
        res = run("--db", lead_path, "pack", "--coder", "ana", "-o", output)
        assert res.exit_code == 1, output
        assert res.output.startswith("Error: ") and res.output.count("\n") == 1, res.output
        assert message in res.output, res.output
    after = _listing(tmp_path)
    assert after.keys() == before.keys() and after["old.db"] == b"not mine"


def test_a_read_only_output_folder_is_refused(lead, tmp_path, immutable):
    folder = tmp_path / "ro"
    folder.mkdir()
    immutable(folder)
    res = run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(folder / "ana.db"))
    assert res.exit_code == 1
    assert (
        res.output
        == f"Error: {folder / 'ana.db'}: cannot write: the folder {folder} is read-only\n"
    )


def test_a_read_only_source_is_refused(tmp_path, immutable):
    build_lead(tmp_path / "lead.db").close()
    immutable(tmp_path / "lead.db")
    out = tmp_path / "ana.db"
    res = run("--db", str(tmp_path / "lead.db"), "pack", "--coder", "ana", "-o", str(out))
    assert res.exit_code == 1 and "read-only" in res.output and res.output.count("\n") == 1
    assert not out.exists()


def test_a_missing_source_is_refused_and_not_created(tmp_path):
    res = run(
        "--db", str(tmp_path / "none.db"), "pack", "--coder", "ana", "-o", str(tmp_path / "a.db")
    )
    assert res.exit_code == 1 and res.output == f"Error: {tmp_path / 'none.db'}: no such database\n"
    assert list(tmp_path.iterdir()) == []


def test_a_busy_source_is_refused(tmp_path):
    build_lead(tmp_path / "lead.db").close()
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(tmp_path / 'lead.db')!r}, isolation_level=None)\n"
            "c.execute('PRAGMA locking_mode=EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE')\n"
            "c.execute('UPDATE file_settings SET value = value')\n"
            "print('locked', flush=True); sys.stdin.readline()\n"
        )],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        out = tmp_path / "ana.db"
        res = run(
            "--db", str(tmp_path / "lead.db"), "--busy-timeout", "0.2",
            "pack", "--coder", "ana", "-o", str(out),
        )  # fmt: skip
        assert res.exit_code == 1 and "busy" in res.output and res.output.count("\n") == 1
        assert not out.exists()
    finally:
        holder.communicate("go\n", timeout=30)


def test_a_pack_killed_midway_leaves_no_file_under_its_name(tmp_path):
    """SIGKILL while the pack's file is being filled: the target name does not exist, and
    the next pack to it removes what the killed one left and succeeds."""
    lead = Store(tmp_path / "lead.db")
    big = "word " * 6000
    with lead.transaction():
        ids = [lead.add_stored_document(stored(f"{i} {big}")) for i in range(1500)]
    lead.create_round("main", 1, {})
    lead.add_assignments("main", [("ana", d, False, i) for i, d in enumerate(ids, 1)])
    lead.close()
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "annotator", "--db", str(tmp_path / "lead.db"), "pack",
            "--coder", "ana", "-o", str(out / "ana.db")]  # fmt: skip
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        parts = [p for p in out.iterdir() if p.name.endswith(".part")]
        if parts and parts[0].stat().st_size > 2_000_000:  # filling (the schema is ~100 KB)
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    proc.wait(timeout=30)
    if (out / "ana.db").exists():  # renamed before the kill landed: it must be whole
        with Store(out / "ana.db", readonly=True) as p:
            assert p.document_count() == 1500
        killed = False
    if not killed:
        pytest.skip("the pack finished before it could be killed")
    left = sorted(p.name for p in out.iterdir())
    assert left and all(n.startswith(".ana.db.") for n in left), left  # never 'ana.db'
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ana.db"]
    with Store(out / "ana.db", readonly=True) as p:
        assert p.document_count() == 1500


def test_the_api_refuses_like_the_command(lead, tmp_path):
    with pytest.raises(NotFoundError, match="unknown coder 'zoe'"):
        pack_coder(lead, "zoe", tmp_path / "z.db")
    (tmp_path / "x.db").write_bytes(b"")
    with pytest.raises(AnnotatorError, match="exists"):
        pack_coder(lead, "ana", tmp_path / "x.db")
    assert (tmp_path / "x.db").read_bytes() == b""
    out = tmp_path / "ro"
    out.mkdir()
    with Store(lead.path, readonly=True) as ro, pytest.raises(AnnotatorError, match="read-only"):
        pack_coder(ro, "ana", out / "ana.db")
    assert list(out.iterdir()) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(["ana", "ben", "cy"]), st.integers(0, 14), st.booleans()),
        max_size=40,
    ),
    rounds=st.integers(1, 2),
    data=st.data(),
)
def test_a_pack_holds_exactly_the_coders_assignments(tmp_path_factory, plan, rounds, data):
    folder = tmp_path_factory.mktemp("prop")
    with Store(folder / "lead.db") as lead:
        ids = add_docs(lead, 15)
        names = ["main", "pilot"][:rounds]
        for r in names:
            lead.create_round(r, 3, {"x": 1})
        queues: dict[tuple[str, str], list[tuple[int, bool]]] = {}
        for coder, i, rel in plan:
            r = data.draw(st.sampled_from(names))
            q = queues.setdefault((r, coder), [])
            if ids[i] not in {d for d, _ in q}:
                q.append((ids[i], rel))
        for (r, coder), q in queues.items():
            lead.add_assignments(r, [(coder, d, rel, p) for p, (d, rel) in enumerate(q, 1)])
        lead.add_coder("ana")
        mine = lead.assignments(coder="ana")
        if not mine:
            with pytest.raises(NotFoundError, match="no assignments"):
                pack_coder(lead, "ana", folder / "ana.db")
            assert not (folder / "ana.db").exists()
            return
        report = pack_coder(lead, "ana", folder / "ana.db")
        with Store(folder / "ana.db", readonly=True) as p:
            assert p.assignments() == [a._replace(reliability=None) for a in mine]
            assert set(p.document_ids()) == {a.doc_id for a in mine}
            assert report.documents == len({a.doc_id for a in mine})
            assert [r.name for r in p.rounds()] == [
                r for r in names if any(a.round == r for a in mine)
            ]


def test_a_pack_has_the_schema_the_migrations_make(lead, tmp_path):
    """The pack's schema is copied from the source (not made by running the migrations):
    it must be exactly what the migrations make, with every migration recorded."""
    out = tmp_path / "ana.db"
    pack_coder(lead, "ana", out)
    Store(tmp_path / "fresh.db").close()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    assert rows(out, schema) == rows(tmp_path / "fresh.db", schema)
    names = "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"
    assert rows(out, names) == rows(tmp_path / "fresh.db", names)
    with Store(out) as p:  # opened for coding: nothing to upgrade, the scheme as packed
        assert p.scheme_versions() == [1, 2] and p.document_count() == len(p.queue("ana", "main"))


def test_a_pack_is_indexed_for_search_when_first_searched(lead, tmp_path):
    """The pack's documents are copied with the full-text index suspended (marked stale);
    the coder's first search builds it, and later documents are indexed as they come."""
    from annotator.search import find

    out = tmp_path / "ana.db"
    assert run("--db", str(lead.path), "pack", "--coder", "ana", "-o", str(out)).exit_code == 0
    assert rows(out, "SELECT value FROM file_settings WHERE key = 'search_index'") == [("stale",)]
    assert rows(out, "SELECT count(*) FROM documents_fts_docsize") == [(0,)]
    n = len(rows(out, "SELECT id FROM documents"))
    assert rows(out, "SELECT name FROM sqlite_master WHERE name = 'documents_fts_insert'")
    with Store(out) as p:
        hits = list(find(p, "pyongyang"))
        assert sorted({h.doc_id for h in hits}) == sorted(p.document_ids()) and len(hits) == n
        assert p.setting("search_index") is None
        new = add_docs(p, 1, start=100)[0]
        assert [h.doc_id for h in find(p, "pyongyang") if h.doc_id == new] == [new]
    assert rows(out, "PRAGMA integrity_check") == [("ok",)]
