"""Span-write latency: ``Store.add_span`` (one commit per span, as the GUI does) vs bare sqlite3.

The baseline is a plain ``sqlite3`` connection to a copy of the store's database (made
with SQLite's backup API once the article is imported, so the schema, the foreign keys
and the indexes are the same) in the same directory, doing ``INSERT`` + ``commit()`` per
row, with a fresh timestamp per row as the store writes, under the store's settings
(``journal_mode=WAL``, ``synchronous=FULL``, ``foreign_keys=ON``; read back from both
connections and printed). The two are interleaved in blocks, alternating which goes
first, so machine noise hits both alike.

    python bench/writes.py [--writes 10000] [--block 250] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5
CODER = "coder"

BARE_INSERT = (
    'INSERT INTO spans (document_id, annotator_id, start, "end", label, note,'
    " scheme_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def pragmas(conn: sqlite3.Connection) -> str:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
        conn.execute("PRAGMA synchronous").fetchone()[0]
    ]
    fk = "ON" if conn.execute("PRAGMA foreign_keys").fetchone()[0] else "OFF"
    return f"journal_mode={mode}, synchronous={sync}, foreign_keys={fk}"


def open_bare(store: Store, path: Path) -> sqlite3.Connection:
    """A copy of the store's database, opened as a bare script would with its settings."""
    conn = sqlite3.connect(str(path))
    store.conn.backup(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--writes", type=int, default=10000, help="span writes on each side")
    ap.add_argument("--block", type=int, default=250, help="writes per interleaved block")
    ap.add_argument("--dir", type=Path, help="where to create the two databases (default: tmp)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotator-bench-", dir=args.dir) as tmp:
        where = Path(tmp)
        same_fs = os.stat(where).st_dev == os.stat(ROOT).st_dev
        fs_note = "same filesystem as" if same_fs else "a different filesystem from"
        print(f"database files in: {where} ({fs_note} {ROOT})")

        store = Store(where / "store.db")
        seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
        text = seed.read_text(encoding="utf-8")
        (doc_id,) = import_documents(store, [RawDocument(text, str(seed), {})]).added
        store.add_coder(CODER)
        labels = store.scheme.label_names
        bare = open_bare(store, where / "bare.db")
        (coder_id,) = bare.execute("SELECT id FROM annotators WHERE name = ?", (CODER,)).fetchone()
        version = store.scheme.version
        print(f"store: {pragmas(store.conn)}")
        print(f"bare:  {pragmas(bare)}  (same durability: the ratio is the app's overhead)")

        rng = random.Random(0)
        spans = []
        for i in range(args.writes):
            start = rng.randrange(len(text) - 1)
            end = rng.randint(start + 1, min(len(text), start + 300))
            spans.append((start, end, labels[i % len(labels)]))

        store_ns: list[int] = []
        bare_ns: list[int] = []
        clock = time.perf_counter_ns

        def store_block(rows):
            for start, end, label in rows:
                t0 = clock()
                store.add_span(doc_id, CODER, start, end, label)
                store_ns.append(clock() - t0)

        def bare_block(rows):
            for start, end, label in rows:
                t0 = clock()
                stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
                bare.execute(
                    BARE_INSERT, (doc_id, coder_id, start, end, label, "", version, stamp, stamp)
                )
                bare.commit()
                bare_ns.append(clock() - t0)

        for n, i in enumerate(range(0, args.writes, args.block)):
            rows = spans[i : i + args.block]
            first, second = (store_block, bare_block) if n % 2 == 0 else (bare_block, store_block)
            first(rows)
            second(rows)

        query = (
            "SELECT document_id, annotator_id, start, end, label, note, scheme_version FROM spans"
        )
        assert len(store.conn.execute(query).fetchall()) == args.writes
        assert store.conn.execute(query).fetchall() == bare.execute(query).fetchall(), (
            "the store and the baseline wrote different rows"
        )
        store.close()
        bare.close()

    def line(name: str, ns: list[int]) -> str:
        us = [x / 1000 for x in ns]
        p95 = statistics.quantiles(us, n=20)[-1]
        return (
            f"{name:26s} median {statistics.median(us):7.0f} us   mean {statistics.mean(us):7.0f} us"
            f"   p95 {p95:7.0f} us"
        )

    print(f"{args.writes} committed span writes each, interleaved in blocks of {args.block}:")
    print(line("Store.add_span", store_ns))
    print(line("bare sqlite3 insert+commit", bare_ns))
    mean_ratio = statistics.mean(store_ns) / statistics.mean(bare_ns)
    print(f"ratio of means: {mean_ratio:.2f}")
    ratio = statistics.median(store_ns) / statistics.median(bare_ns)
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"ratio: {ratio:.2f} (median store/bare, target <= {TARGET}) {verdict}")


if __name__ == "__main__":
    main()
