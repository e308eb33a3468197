"""Assigning a large corpus to coders, and packing one coder's part of it.

Builds a database of ``--docs`` synthetic articles (100,000; seed sentences of about
``--chars`` characters, regex tokens stored through the store's stored-document path, so
set-up does not wait for spaCy). Then, each in a fresh child process so that peak RSS
(``VmHWM`` read by the child as it exits: ``ru_maxrss`` would include the parent's)
belongs to that run alone, with module imports outside the timers:

1. **assign**: ``annotator assign --coders c01,...,c20 --overlap 0.1 --seed 1`` through
   the command line on a copy of the database, when this checkout has ``annotator.assign``
   (else "assign not available"). Baseline: a bare script that inserts the very rows the
   command recorded (read back from its database) into another copy with ``sqlite3``'s
   ``executemany`` in one transaction: what recording costs with no drawing and no checks.
   The two assignment tables are compared before the figures are printed.
2. **pack**: ``annotator pack --coder solo`` of ``--pack-docs`` documents (10,000, drawn
   at random from the corpus into a round of their own, in a shuffled queue, a tenth in the
   reliability sample, a span of the coder's on a fifth of them), against
   ``sqlite3.Connection.backup`` of a database holding exactly the same rows (the first
   pack's file) to a new file. Both runs sync their output. They alternate ``--repeat``
   times (the first run pack first); the ratio is the medians' pack / backup (target
   <= 2.0), with the pack child's peak RSS.

Generated data goes to a temporary folder, or to ``--workdir DIR`` where the corpus is kept
and reused. A quick run:

    python bench/assign.py --docs 20000 --pack-docs 2000
    python bench/assign.py [--docs 100000] [--coders 20] [--pack-docs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0
WORD = re.compile(r"\w+|[^\w\s]|\s{2,}|\n")
VMHWM = '[int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]'

# The command line, in-process, timed from after its imports.
CLI = f"""
import sys, time
from annotator.cli import cli
t0 = time.perf_counter()
try:
    cli.main(sys.argv[1:], prog_name="annotator", standalone_mode=False)
    code = 0
except SystemExit as e:
    code = e.code or 0
secs = time.perf_counter() - t0
print("RESULT", code, secs, {VMHWM}, file=sys.stderr)
"""

BACKUP = f"""
import sqlite3, sys, time
t0 = time.perf_counter()
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
src.close()
secs = time.perf_counter() - t0
print("RESULT", 0, secs, {VMHWM}, file=sys.stderr)
"""

# The bare recording of an assignment: the same rows, one executemany, one commit.
BARE_ASSIGN = f"""
import json, sqlite3, sys, time
rows = json.load(open(sys.argv[2]))
t0 = time.perf_counter()
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA synchronous=FULL")
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO rounds (id, name, seed, design, created_at) VALUES (1, 'main', 1, '{{}}', '')")
names = sorted({{r[0] for r in rows}})
c.executemany("INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, '')", [(n,) for n in names])
ids = dict(c.execute("SELECT name, id FROM annotators"))
c.executemany(
    "INSERT INTO assignments (round_id, annotator_id, document_id, reliability, position,"
    " assigned_at) VALUES (1, ?, ?, ?, ?, '')",
    [(ids[n], d, r, p) for n, d, r, p in rows],
)
c.commit()
c.close()
secs = time.perf_counter() - t0
print("RESULT", 0, secs, {VMHWM}, file=sys.stderr)
"""


def child(code: str, *args: str | Path) -> tuple[float, int]:
    """Run ``code`` in a fresh interpreter: (seconds, peak RSS in kB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], env=env, capture_output=True, text=True
    )
    line = [ln for ln in res.stderr.splitlines() if ln.startswith("RESULT")]
    if res.returncode or not line or line[-1].split()[1] != "0":
        sys.exit(f"child failed:\n{res.stdout}\n{res.stderr}")
    _, _, secs, hwm = line[-1].split()
    return float(secs), int(hwm)


def _pool() -> list[str]:
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return pool


def build_corpus(path: Path, n_docs: int, chars: int, seed: int) -> None:
    """``n_docs`` distinct articles through ``Store.add_stored_document`` (no spaCy)."""
    from annotator.corpus import derive_title, text_hash
    from annotator.models import StoredDocument
    from annotator.packing import pack
    from annotator.store import Store

    rng = random.Random(seed)
    pool = _pool()
    with Store(path) as store:
        for lo in range(0, n_docs, 5000):
            with store.transaction():
                for i in range(lo, min(n_docs, lo + 5000)):
                    parts, size = [f"Article {i}"], 0
                    while size < chars:
                        parts.append(rng.choice(pool))
                        size += len(parts[-1]) + 2
                    text = "\n\n".join(parts)
                    words = [m.span() for m in WORD.finditer(text)]
                    store.add_stored_document(
                        StoredDocument(
                            text_hash(text),
                            derive_title(text),
                            f"synthetic/{i}",
                            text,
                            {"outlet": f"outlet{i % 7}"},
                            pack([a for a, _ in words], [b for _, b in words]),
                            pack([0], [len(text)]),
                            "regex",
                        )  # fmt: skip
                    )
            print(f"  {min(n_docs, lo + 5000)} documents", file=sys.stderr, end="\r")
    print(file=sys.stderr)


def add_pack_round(path: Path, n: int, seed: int) -> None:
    """Round 'bench': coder 'solo' gets ``n`` random documents in a shuffled queue."""
    from annotator.store import Store

    rng = random.Random(seed)
    with Store(path) as store:
        if "bench" in {r.name for r in store.rounds()}:
            return
        docs = rng.sample(store.document_ids(), n)
        store.create_round("bench", seed, {"coders": ["solo"], "bench": True})
        store.add_assignments(
            "bench", [("solo", d, rng.random() < 0.1, p) for p, d in enumerate(docs, 1)]
        )
        label = store.scheme.label_names[0]
        with store.transaction():
            for d in docs[::5]:
                store.add_span(d, "solo", 0, 7, label)


def bench_assign(work: Path, corpus: Path, coders: int) -> None:
    if importlib.util.find_spec("annotator.assign") is None:
        print("assign: assign not available (no annotator.assign in this checkout)")
        return
    names = ",".join(f"c{i:02d}" for i in range(1, coders + 1))
    db = work / "assign.db"
    shutil.copyfile(corpus, db)
    secs, hwm = child(CLI, "--db", db, "assign", "--coders", names, "--overlap", "0.1",
                      "--seed", "1")  # fmt: skip
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT a.name, x.document_id, x.reliability, x.position FROM assignments x"
        " JOIN annotators a ON a.id = x.annotator_id ORDER BY a.name, x.position"
    ).fetchall()
    conn.close()
    import json

    (work / "rows.json").write_text(json.dumps(rows))
    bare_db = work / "assign-bare.db"
    shutil.copyfile(corpus, bare_db)
    bare_secs, bare_hwm = child(BARE_ASSIGN, bare_db, work / "rows.json")
    conn = sqlite3.connect(bare_db)
    same = conn.execute(
        "SELECT a.name, x.document_id, x.reliability, x.position FROM assignments x"
        " JOIN annotators a ON a.id = x.annotator_id ORDER BY a.name, x.position"
    ).fetchall()
    conn.close()
    assert same == [tuple(r) for r in rows], "the bare script recorded other rows"
    rel = len({r[1] for r in rows if r[2]})
    print(
        f"assign: {len(rows)} assignments ({rel} reliability documents) for {coders} coders:"
        f" {secs:.2f} s, peak {hwm / 1024:.0f} MB; bare recording of the same rows"
        f" {bare_secs:.2f} s, peak {bare_hwm / 1024:.0f} MB; ratio {secs / bare_secs:.2f}"
    )


def bench_pack(work: Path, corpus: Path, n: int, repeat: int) -> None:
    source = work / f"pack-source-{n}.db"  # the corpus with round 'bench' (kept with --workdir)
    if not source.exists():
        shutil.copyfile(corpus, work / "pack-source.part")
        add_pack_round(work / "pack-source.part", n, 7)
        (work / "pack-source.part").rename(source)
    corpus = source
    packs, backups, peaks = [], [], []
    reference = None
    for i in range(repeat):
        out = work / f"solo-{i}.db"
        bk = work / f"backup-{i}.db"
        for p in (out, bk):
            p.unlink(missing_ok=True)
        order = ("pack", "backup") if i % 2 == 0 else ("backup", "pack")
        for side in order:
            if side == "pack":
                secs, hwm = child(CLI, "--db", corpus, "pack", "--coder", "solo", "-o", out)
                packs.append(secs)
                peaks.append(hwm)
                reference = reference or out
            else:
                if reference is None:  # the first run goes pack first: never happens
                    continue
                secs, _ = child(BACKUP, reference, bk)
                backups.append(secs)
    conn = sqlite3.connect(reference or "")
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    size = (reference or Path()).stat().st_size / 2**20
    pack_s, backup_s = statistics.median(packs), statistics.median(backups)
    verdict = "meets" if pack_s / backup_s <= TARGET else "MISSES"
    print(
        f"pack: {docs} documents ({size:.0f} MB file) in {pack_s:.2f} s (runs:"
        f" {', '.join(f'{s:.2f}' for s in packs)}), peak {max(peaks) / 1024:.0f} MB;"
        f" backup of the same rows {backup_s:.2f} s (runs:"
        f" {', '.join(f'{s:.2f}' for s in backups)}); ratio {pack_s / backup_s:.2f}"
        f" ({verdict} the target <= {TARGET})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--chars", type=int, default=1500)
    ap.add_argument("--coders", type=int, default=20)
    ap.add_argument("--pack-docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-assign", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-assign-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        corpus = work / f"corpus-{args.docs}-{args.chars}.db"
        if not corpus.exists():
            print(f"building {args.docs} documents ...", file=sys.stderr)
            part = corpus.with_suffix(".part")
            for p in work.glob(part.name + "*"):
                p.unlink()
            build_corpus(part, args.docs, args.chars, 1)
            part.rename(corpus)
        if not args.skip_assign:
            bench_assign(work, corpus, args.coders)
        bench_pack(work, corpus, args.pack_docs, args.repeat)


if __name__ == "__main__":
    main()
