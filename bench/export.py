"""Canonical export throughput and memory, plus label-import throughput.

Builds a database of ``--docs`` synthetic articles (seed sentences, tokenised with a
simple regex so set-up does not wait for spaCy) with ``--coders`` coders x ``--spans``
spans and both document fields each, a small ``meta`` per article, a gold layer on every
tenth article and U+2028/U+2029/U+0085 in some texts. Then, each in a fresh child process
so that peak RSS belongs to that run alone:

- ``annotator.export.export_jsonl`` on a read-only ``Store`` (the app), and
- a bare script: ``sqlite3`` + ``json.dumps`` with no abstraction, writing the SAME
  records: every field of the canonical format (token records, ``token_start`` /
  ``token_end``, ``_input_hash`` / ``_task_hash``, ``_timestamp``, ``_session_id``, gold
  ``sources``), strict JSON (``NaN`` in an old ``meta`` written as ``null``, a lone
  surrogate as U+FFFD), U+2028/U+2029/U+0085 escaped, the file written beside the target,
  fsynced and renamed over it as the app does.

Both time the same steps: open the database read-only, write every record, fsync and
rename (module imports are outside both timers). Before timing, both write a small
database full of edge cases (NaN and lone-surrogate ``meta``, line separators, notes,
spans in whitespace, gold with and without sources) and their files must be byte-equal;
the first timed run's two files must be byte-equal too. They alternate (``--repeat``
times, the first run app first); the ratio is app throughput / bare throughput (target
>= 0.5). Constant memory: the app's peak RSS (VmHWM of the child: ru_maxrss would include
the parent's, which Linux carries across exec) is reported for a quarter of the documents
and for all of them (it should not grow with the corpus). Finally the exported file is
imported into a new database with ``import_label_files`` and its throughput reported
(this includes spaCy tokenising every text).

    python bench/export.py [--docs 10000] [--coders 3] [--spans 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5
WORD = re.compile(r"\w+|[^\w\s]|\s{2,}|\n")
VMHWM = '[int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]'

APP = f"""
import sys, time
from itertools import islice
from annotator.export import export_jsonl, records, write_jsonl
from annotator.store import Store
limit = int(sys.argv[3])
t0 = time.perf_counter()
store = Store(sys.argv[1], readonly=True)
if limit:
    n = write_jsonl(islice(records(store), limit), sys.argv[2])
else:
    n = export_jsonl(store, sys.argv[2])
secs = time.perf_counter() - t0
print(n, secs, {VMHWM})
"""

# The bare script: what someone would write against the documented database layout
# (README, "The database") to produce the documented canonical records.
BARE = (
    r"""
import hashlib, json, os, re, sqlite3, sys, time
from array import array
from bisect import bisect_left, bisect_right
from datetime import datetime
from itertools import accumulate
from pathlib import Path


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


def h32(*parts):
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
BREAKS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085"))
problems = []


def constant(name):  # NaN / Infinity in an old meta: written as null
    problems.append(name)
    return None


def finite(literal):  # 1e999 parses as inf: written as null too
    value = float(literal)
    return value if value - value == 0 else constant(literal)


def no_surrogates(v):
    if isinstance(v, str):
        return SURROGATE.sub("\ufffd", v)
    if isinstance(v, dict):
        return {no_surrogates(k): no_surrogates(x) for k, x in v.items()}
    if isinstance(v, list):
        return [no_surrogates(x) for x in v]
    return v


t0 = time.perf_counter()
target = sys.argv[2]
db = sqlite3.connect(Path(sys.argv[1]).resolve().as_uri() + "?mode=ro", uri=True)
scheme_name, scheme_version = db.execute(
    "SELECT name, version FROM schemes ORDER BY version DESC LIMIT 1").fetchone()
part = str(Path(target).parent / f".{Path(target).name}.{os.getpid()}.part")
n = 0
with open(part, "w", encoding="utf-8", newline="\n") as out:
    docs = db.execute("SELECT id, sha256, title, source, text, meta, tokens FROM documents ORDER BY id")
    for doc_id, sha, title, source, text, meta, tokens in docs:
        starts, ends = offsets(tokens)
        nexts = starts[1:] + [len(text)]
        token_recs = [{"text": text[a:b], "start": a, "end": b, "id": i, "ws": c > b}
                      for i, (a, b, c) in enumerate(zip(starts, ends, nexts))]
        spans = {}
        for sid, name, s, e, label, note, v, upd in db.execute(
            "SELECT s.id, a.name, s.start, s.end, s.label, coalesce(s.note, ''), s.scheme_version,"
            " s.updated_at FROM spans s JOIN annotators a ON a.id = s.annotator_id"
            " WHERE s.document_id = ? ORDER BY s.start, s.end, s.id", (doc_id,)):
            first, last = bisect_right(ends, s), bisect_left(starts, e) - 1
            if first > last:
                first = last = None
            spans.setdefault(name, []).append(
                ({"start": s, "end": e, "token_start": first, "token_end": last, "label": label,
                  "text": text[s:e], "note": note, "scheme_version": v}, sid, v, upd))
        labels = {}
        for name, field, value, v, upd in db.execute(
            "SELECT a.name, l.field, l.value, l.scheme_version, l.updated_at FROM doc_labels l"
            " JOIN annotators a ON a.id = l.annotator_id WHERE l.document_id = ?"
            " ORDER BY a.name, l.field", (doc_id,)):
            labels.setdefault(name, []).append((field, json.loads(value), v, upd))
        states = {name: (state, secs or 0.0) for name, state, secs in db.execute(
            "SELECT a.name, st.state, st.seconds_spent FROM status st JOIN annotators a"
            " ON a.id = st.annotator_id WHERE st.document_id = ?", (doc_id,))}
        started = {name for name, (state, _) in states.items() if state != "new" and name != "gold"}
        if not spans and not labels and not started:
            continue
        problems.clear()
        m = json.loads(meta, parse_constant=constant, parse_float=finite) if meta else {}
        if meta and SURROGATE_ESCAPE.search(meta):
            m = no_surrogates(m)
        if problems:
            print(f"warning: document {doc_id}: meta had {', '.join(problems)}", file=sys.stderr)
        m.update(doc_id=doc_id, title=title or "", source=source or "", sha256=sha)
        input_hash = h32(sha)
        for name in sorted(spans.keys() | labels.keys() | started):
            coded, fields = spans.get(name, []), labels.get(name, [])
            span_recs = [r for r, _, _, _ in coded]
            doc_labels = {f: value for f, value, _, _ in fields}
            stamps = [u for _, _, _, u in coded if u] + [u for _, _, _, u in fields if u]
            versions = [v for _, _, v, _ in coded] + [v for _, _, v, _ in fields]
            rec = {"text": text, "meta": m, "tokens": token_recs, "spans": span_recs,
                   "doc_labels": doc_labels,
                   "status": None if name == "gold" else states.get(name, ("new", 0.0))[0],
                   "seconds_spent": None if name == "gold" else states.get(name, ("new", 0.0))[1],
                   "answer": "accept", "_annotator_id": name,
                   "_session_id": f"{scheme_name}-{name}", "_input_hash": input_hash,
                   "_task_hash": h32(str(input_hash),
                                     json.dumps([[r["start"], r["end"], r["label"]] for r in span_recs]),
                                     json.dumps(doc_labels, sort_keys=True)),
                   "_timestamp": int(datetime.fromisoformat(max(stamps)).timestamp()) if stamps else None,
                   "scheme_version": max(versions) if versions else scheme_version}
            if name == "gold":
                sources = {sid: [] for _, sid, _, _ in coded}
                for sid, coder in db.execute(
                    "SELECT g.span_id, a.name FROM gold_span_sources g JOIN spans s ON s.id = g.span_id"
                    " JOIN annotators a ON a.id = g.annotator_id WHERE s.document_id = ? ORDER BY a.name",
                    (doc_id,)):
                    sources.setdefault(sid, []).append(coder)
                for r, sid, _, _ in coded:
                    r["sources"] = sources[sid]
                field_sources = {f: [] for f, _, _, _ in fields}
                for field, coder in db.execute(
                    "SELECT g.field, a.name FROM gold_label_sources g JOIN annotators a"
                    " ON a.id = g.annotator_id WHERE g.document_id = ? ORDER BY a.name", (doc_id,)):
                    field_sources.setdefault(field, []).append(coder)
                rec["doc_label_sources"] = field_sources
            line = json.dumps(rec, ensure_ascii=False, allow_nan=False)
            for char, escape in BREAKS:
                if char in line:
                    line = line.replace(char, escape)
            out.write(line)
            out.write("\n")
            n += 1
    out.flush()
    os.fsync(out.fileno())
    os.replace(part, target)
secs = time.perf_counter() - t0
"""
    + f"print(n, secs, {VMHWM})\n"
)

OUTLETS = ("The Daily", "Morning Post", "Le Quotidien", "Der Abend")
BREAKERS = ("\u2028", "\u2029", "\x85")


def _pool() -> list[str]:
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return pool


def _tokens(text: str):
    from annotator.models import Tokenization

    words = [m.span() for m in WORD.finditer(text)]
    return Tokenization(tuple(a for a, _ in words), tuple(b for _, b in words), frozenset(), (), ())


def build(path: Path, n_docs: int, coders: int, n_spans: int, seed: int) -> None:
    """Synthetic articles with ``coders`` coders' spans and both document fields; every
    tenth article has a gold layer, every 25th a line separator in its text."""
    from annotator.corpus import RawDocument, derive_title
    from annotator.store import Store

    rng = random.Random(seed)
    pool = _pool()
    with Store(path) as store:
        labels = store.scheme.label_names
        options = store.scheme.field("dominant_frame").options
        multi = store.scheme.field("frames_present").options
        for lo in range(0, n_docs, 500):
            batch = []
            for i in range(lo, min(n_docs, lo + 500)):
                paras = rng.sample(pool, 12)
                if i % 25 == 0:
                    paras[3] = paras[3].replace(" ", BREAKERS[i % 3], 1)
                text = f"Article {i}\n\n" + "\n\n".join(paras)
                meta = {
                    "outlet": OUTLETS[i % len(OUTLETS)],
                    "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "url": f"https://news.test/{i}",
                }
                batch.append(
                    (RawDocument(text, f"synthetic/{i}", meta), _tokens(text), derive_title(text))
                )
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
                        store.set_doc_label(
                            doc_id,
                            coder,
                            "frames_present",
                            [o for o in multi if rng.random() < 0.4],
                        )
                    if doc_id % 10 == 0:
                        for _ in range(n_spans // 2):
                            a = rng.randrange(n - 8)
                            b = a + rng.randint(1, 8)
                            who = rng.sample(
                                [f"coder{c + 1}" for c in range(coders)], rng.randint(0, coders)
                            )
                            store.add_gold_span(
                                doc_id,
                                tok.token_starts[a],
                                tok.token_ends[b],
                                rng.choice(labels),
                                who,
                            )
                        store.set_gold_label(
                            doc_id, "dominant_frame", rng.choice(options), ["coder1"]
                        )
            print(f"  built {min(n_docs, lo + 500)} documents", file=sys.stderr)


def build_edge_cases(path: Path) -> None:
    """A few documents with everything that makes a canonical record hard to write."""
    from annotator.corpus import RawDocument, derive_title
    from annotator.store import Store

    texts = [
        "Edge one\n\nA line\u2028separator, a paragraph\u2029separator and a NEL\x85here. 🌍 ok.",
        'Edge two\n\n"Quoted" text   with  wide   gaps, émigré café and 日本語 words.',
        "Edge three\n\nPlain words only, with a span in the gap between them.",
        "Edge four\n\nNaN in meta, and a lone surrogate in another document's meta.",
    ]
    with Store(path) as store:
        batch = [
            (
                RawDocument(t, f"edge/{i}", {"i": i, "nested": {"k": [1, 2.5, "ü"]}}),
                _tokens(t),
                derive_title(t),
            )
            for i, t in enumerate(texts)
        ]
        ids = store.add_documents(batch, "regex")
        labels = store.scheme.label_names
        multi = store.scheme.field("frames_present").options
        for doc_id, (_raw, tok, _t) in zip(ids, batch, strict=True):
            text = _raw.text
            for k in range(len(tok.token_starts) - 1):
                a, b = tok.token_starts[k], tok.token_ends[min(k + 2, len(tok.token_starts) - 1)]
                store.add_span(
                    doc_id,
                    f"c{k % 3}",
                    a,
                    b,
                    labels[k % len(labels)],
                    note='a "note"\n🌍' if k % 5 == 0 else "",
                )
            gap = text.index(" ", 12)
            store.add_span(doc_id, "c0", gap, gap + 1, labels[0])  # in whitespace: no tokens
            store.set_doc_label(doc_id, "c1", "frames_present", multi[:2])
            store.set_doc_label(
                doc_id,
                "only_fields",
                "dominant_frame",
                store.scheme.field("dominant_frame").options[0],
            )
            store.add_gold_span(
                doc_id, tok.token_starts[1], tok.token_ends[2], labels[1], ["c0", "c2"]
            )
            store.add_gold_span(doc_id, tok.token_starts[2], tok.token_ends[3], labels[0], [])
            store.set_gold_label(doc_id, "frames_present", multi[1:3], ["c1"])
            store.set_gold_label(
                doc_id, "dominant_frame", store.scheme.field("dominant_frame").options[1], []
            )
        bad = [
            (ids[3], '{"score": NaN, "big": 1e999, "neg": -Infinity}'),
            (ids[2], '{"bad": "x\\udc80y", "\\ud800": 1}'),
        ]
    with sqlite3.connect(path) as conn:  # as versions before strict import stored them
        conn.executemany("UPDATE documents SET meta = ? WHERE id = ?", [(m, i) for i, m in bad])
    conn.close()


def child(code: str, *args: str) -> tuple[int, float, int]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    n, secs, rss = out.stdout.split()
    return int(n), float(secs), int(rss)


def same_output(app: Path, bare: Path, what: str) -> None:
    """Both sides must have written the same bytes; say where they differ if not."""
    if app.read_bytes() == bare.read_bytes():
        return
    with open(app, encoding="utf-8") as fa, open(bare, encoding="utf-8") as fb:
        for k, (la, lb) in enumerate(zip(fa, fb, strict=False), 1):
            if la != lb:
                ra, rb = json.loads(la), json.loads(lb)
                keys = [key for key in ra.keys() | rb.keys() if ra.get(key) != rb.get(key)]
                where = f"in {sorted(keys)}" if keys else "in bytes only (escaping)"
                raise SystemExit(f"{what}: app and bare differ on line {k} {where}")
    raise SystemExit(f"{what}: app and bare wrote different numbers of lines")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--coders", type=int, default=3)
    ap.add_argument("--spans", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp_name:
        tmp = Path(tmp_name)
        edge = tmp / "edge.db"
        build_edge_cases(edge)
        lines = [
            child(code, str(edge), str(tmp / f"edge-{name}.jsonl"), "0")[0]
            for name, code in (("app", APP), ("bare", BARE))
        ]
        same_output(tmp / "edge-app.jsonl", tmp / "edge-bare.jsonl", "edge cases")
        print(f"edge cases: app and bare wrote the same {lines[0]} lines, byte for byte")

        db = tmp / "labels.db"
        t0 = time.perf_counter()
        build(db, args.docs, args.coders, args.spans, args.seed)
        print(
            f"database: {args.docs} documents x {args.coders} coders x {args.spans} spans"
            f" (gold on every tenth), {db.stat().st_size / 1e6:.0f} MB,"
            f" built in {time.perf_counter() - t0:.0f} s"
        )
        app, bare = [], []
        for run in range(args.repeat):
            pair = [("app", APP), ("bare", BARE)]
            if run % 2:
                pair.reverse()
            for name, code in pair:
                n, secs, rss = child(code, str(db), str(tmp / f"{name}.jsonl"), "0")
                (app if name == "app" else bare).append((secs, rss))
                print(
                    f"  run {run + 1} {name:4}: {n} lines in {secs:.2f} s, peak RSS {rss / 1024:.0f} MB"
                )
            if run == 0:
                same_output(tmp / "app.jsonl", tmp / "bare.jsonl", "run 1")
                print("  run 1: app and bare files are byte-equal")
        lines = n
        a = statistics.median(s for s, _ in app)
        b = statistics.median(s for s, _ in bare)
        size = (tmp / "app.jsonl").stat().st_size / 1e6
        print(f"app export:  {lines / a:8.0f} lines/s ({size:.0f} MB file)")
        print(f"bare script: {lines / b:8.0f} lines/s")
        quarter = child(APP, str(db), str(tmp / "q.jsonl"), str(lines // 4))
        print(
            f"peak RSS, app: {quarter[2] / 1024:.0f} MB for {lines // 4} lines,"
            f" {statistics.median(r for _, r in app) / 1024:.0f} MB for {lines} lines"
            f" (bare: {statistics.median(r for _, r in bare) / 1024:.0f} MB)"
        )

        from annotator.labels_import import import_label_files
        from annotator.store import Store

        with Store(tmp / "imported.db") as store:
            t0 = time.perf_counter()
            [result] = import_label_files(store, [tmp / "app.jsonl"])
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
