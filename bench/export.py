"""Canonical export throughput and memory, plus label-import throughput.

Builds a database of ``--docs`` synthetic articles (seed sentences, tokenised with a
simple regex so set-up does not wait for spaCy) with ``--coders`` coders x ``--spans``
spans each and a document field per coder. Then, each in a fresh child process so that
peak RSS belongs to that run alone:

- ``annotator.export.export_jsonl`` (the app), and
- a bare script: ``sqlite3`` + ``json.dumps`` writing the same records (same fields,
  same tokens) with no abstraction,

alternating ``--repeat`` times; the ratio is app throughput / bare throughput
(target >= 0.5). Constant memory: the app's peak RSS (VmHWM of the child: ru_maxrss would include the
parent's, which Linux carries across exec) is reported for a quarter of
the documents and for all of them (it should not grow with the corpus). Finally the
exported file is imported into a new database with ``import_label_files`` and its
throughput reported (this includes spaCy tokenising every text).

    python bench/export.py [--docs 10000] [--coders 3] [--spans 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5
WORD = re.compile(r"\w+|[^\w\s]|\s{2,}|\n")

APP = """
import sys, time
from annotator.export import export_jsonl
from annotator.store import Store
store = Store(sys.argv[1], readonly=True)
limit = int(sys.argv[3])
t0 = time.perf_counter()
if limit:
    from annotator.export import records, write_jsonl
    from itertools import islice
    n = write_jsonl(islice(records(store), limit), sys.argv[2])
else:
    n = export_jsonl(store, sys.argv[2])
print(n, time.perf_counter() - t0, [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0])
"""

BARE = r"""
import json, sqlite3, sys, time
from array import array
from itertools import accumulate


def offsets(blob):  # the store's packed offsets (annotator/packing.py), decoded inline
    if blob[0] == 1:
        a = array("I")
        a.frombytes(blob[1:])
        return list(a[: len(a) // 2]), list(a[len(a) // 2 :])
    if blob[0] == 2:
        sums = list(accumulate(blob[1:]))
    else:
        a = array("H")
        a.frombytes(blob[1:])
        sums = list(accumulate(a))
    return sums[0::2], sums[1::2]


t0 = time.perf_counter()
db = sqlite3.connect(sys.argv[1])
n = 0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    docs = db.execute("SELECT id, sha256, title, source, text, meta, tokens FROM documents ORDER BY id")
    for doc_id, sha, title, source, text, meta, tokens in docs:
        starts, ends = offsets(tokens)
        nexts = starts[1:] + [len(text)]
        token_recs = [{"text": text[a:b], "start": a, "end": b, "id": i, "ws": c > b}
                      for i, (a, b, c) in enumerate(zip(starts, ends, nexts))]
        by_coder = {}
        for name, s, e, label, note, v, upd in db.execute(
            "SELECT a.name, s.start, s.end, s.label, s.note, s.scheme_version, s.updated_at"
            " FROM spans s JOIN annotators a ON a.id = s.annotator_id WHERE s.document_id = ?"
            " ORDER BY s.start, s.end, s.id", (doc_id,)):
            by_coder.setdefault(name, ([], {}))[0].append(
                {"start": s, "end": e, "token_start": None, "token_end": None, "label": label,
                 "text": text[s:e], "note": note, "scheme_version": v})
        for name, field, value in db.execute(
            "SELECT a.name, l.field, l.value FROM doc_labels l JOIN annotators a"
            " ON a.id = l.annotator_id WHERE l.document_id = ?", (doc_id,)):
            by_coder.setdefault(name, ([], {}))[1][field] = json.loads(value)
        for name, (spans, labels) in sorted(by_coder.items()):
            m = json.loads(meta or "{}")
            m.update(doc_id=doc_id, title=title, source=source, sha256=sha)
            rec = {"text": text, "meta": m, "tokens": token_recs, "spans": spans,
                   "doc_labels": labels, "answer": "accept", "_annotator_id": name,
                   "_session_id": name, "_input_hash": 0, "_task_hash": 0,
                   "_timestamp": 0, "scheme_version": 1}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
print(n, time.perf_counter() - t0, [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0])
"""


def build(path: Path, n_docs: int, coders: int, n_spans: int, seed: int) -> None:
    from annotator.corpus import RawDocument, derive_title
    from annotator.models import Tokenization
    from annotator.store import Store

    rng = random.Random(seed)
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    with Store(path) as store:
        labels = store.scheme.label_names
        options = store.scheme.field("dominant_frame").options
        for lo in range(0, n_docs, 500):
            batch = []
            for i in range(lo, min(n_docs, lo + 500)):
                text = f"Article {i}\n\n" + "\n\n".join(rng.sample(pool, 12))
                words = [m.span() for m in WORD.finditer(text)]
                tok = Tokenization(
                    tuple(a for a, _ in words), tuple(b for _, b in words), frozenset(), (), ()
                )
                batch.append((RawDocument(text, f"synthetic/{i}", {}), tok, derive_title(text)))
            ids = store.add_documents(batch, "regex")
            with store.transaction():
                for doc_id, (_raw, tok, _t) in zip(ids, batch, strict=True):
                    n = len(tok.token_starts)
                    for c in range(coders):
                        coder = f"coder{c + 1}"
                        for _ in range(n_spans):
                            a = rng.randrange(n - 8)
                            b = a + rng.randint(1, 8)
                            store.add_span(
                                doc_id,
                                coder,
                                tok.token_starts[a],
                                tok.token_ends[b],
                                rng.choice(labels),
                            )
                        store.set_doc_label(doc_id, coder, "dominant_frame", rng.choice(options))
            print(f"  built {min(n_docs, lo + 500)} documents", file=sys.stderr)


def child(code: str, *args: str) -> tuple[int, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    n, secs, rss = out.stdout.split()
    return int(n), float(secs), int(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--coders", type=int, default=3)
    ap.add_argument("--spans", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        db = Path(tmp) / "labels.db"
        t0 = time.perf_counter()
        build(db, args.docs, args.coders, args.spans, args.seed)
        print(
            f"database: {args.docs} documents x {args.coders} coders x {args.spans} spans,"
            f" {db.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - t0:.0f} s"
        )
        app, bare = [], []
        for run in range(args.repeat):
            pair = [("app", APP), ("bare", BARE)]
            if run % 2:
                pair.reverse()
            for name, code in pair:
                n, secs, rss = child(code, str(db), str(Path(tmp) / f"{name}.jsonl"), "0")
                (app if name == "app" else bare).append((secs, rss))
                print(
                    f"  run {run + 1} {name:4}: {n} lines in {secs:.2f} s, peak RSS {rss / 1024:.0f} MB"
                )
        lines = n
        a = statistics.median(s for s, _ in app)
        b = statistics.median(s for s, _ in bare)
        size = (Path(tmp) / "app.jsonl").stat().st_size / 1e6
        print(f"app export:  {lines / a:8.0f} lines/s ({size:.0f} MB file)")
        print(f"bare script: {lines / b:8.0f} lines/s")
        quarter = child(APP, str(db), str(Path(tmp) / "q.jsonl"), str(lines // 4))
        print(
            f"peak RSS, app: {quarter[2] / 1024:.0f} MB for {lines // 4} lines,"
            f" {statistics.median(r for _, r in app) / 1024:.0f} MB for {lines} lines"
            f" (bare: {statistics.median(r for _, r in bare) / 1024:.0f} MB)"
        )

        from annotator.labels_import import import_label_files
        from annotator.store import Store

        with Store(Path(tmp) / "imported.db") as store:
            t0 = time.perf_counter()
            [result] = import_label_files(store, [Path(tmp) / "app.jsonl"])
            secs = time.perf_counter() - t0
        assert result.ok, result.errors[:3]
        print(
            f"import-labels: {result.documents_added} new documents, {result.spans_added} spans"
            f" in {secs:.1f} s = {lines / secs:.0f} lines/s, {result.spans_added / secs:.0f} spans/s"
            " (includes spaCy tokenising every text)"
        )
        ratio = b / a
        verdict = "ok" if ratio >= TARGET else "MISSED"
        print(f"ratio: {ratio:.2f} (app/bare throughput, target >= {TARGET}) {verdict}")


if __name__ == "__main__":
    main()
