"""Peak memory (and time) of the commands that read or write a whole archive.

Every case runs the real command line (``annotator ...``) in a fresh child process and
reports the child's own peak RSS (``VmHWM`` from ``/proc/self/status``, read by the child
as it exits: ``ru_maxrss`` would include the parent's, which Linux carries across exec)
and its wall time. The cases and their targets (issue 9, "Bounded memory"):

- ``import``: ``annotator import`` of a JSONL file of articles (``--import-mb``, default
  200 MB): peak <= 300 MB.
- ``labels``: ``annotator import-labels`` of the app's own canonical export of
  ``--labels-docs`` documents x 3 coders (2,000 by default: a file of about 385 MB) into a
  new database: peak <= 400 MB.
- ``spacy``: ``annotator export --format spacy`` of ``--spacy-docs`` documents x 3 coders
  (3,000): peak <= 500 MB.
- ``agreement``: ``annotator agreement`` (1,000 bootstrap resamples) on ``--agreement-docs``
  documents x 2 coders (50,000): peak <= 1 GB; the same on half the documents (the time
  ratio should be about 2: linear); and ``--bootstrap 0`` (the point estimates alone) on
  both, beside the bootstrap's time.

Generated data goes to a temporary folder (or ``--workdir DIR``, where it is kept and
reused by later runs, so "before" and "after" can be measured on the same files:
``--code DIR`` runs the children on another checkout of the code). Set-up uses a regex
tokenizer so it does not wait for spaCy; articles are seed sentences sampled with a seeded
RNG (all distinct), with 20 spans and both document fields per coder. Input files are
read once before the timed runs, so that none of them pays for a cold cache. A quick run:

    python bench/memory.py --cases spacy,agreement --spacy-docs 300 --agreement-docs 2000
    python bench/memory.py [--cases import,labels,spacy,agreement] [--workdir DIR] [--code DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"\w+|[^\w\s]|\s{2,}|\n")
CASES = ("import", "labels", "spacy", "agreement")
TARGET_MB = {"import": 300, "labels": 400, "spacy": 500, "agreement": 1024}

# The child: run the CLI in-process, then report wall time and its own peak RSS.
CHILD = """
import sys, time
from annotator.cli import cli
t0 = time.perf_counter()
try:
    cli.main(sys.argv[1:], prog_name="annotator", standalone_mode=False)
    code = 0
except SystemExit as e:
    code = e.code or 0
except Exception as e:
    print(f"child failed: {type(e).__name__}: {e}", file=sys.stderr)
    code = 1
secs = time.perf_counter() - t0
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print("RESULT", code, secs, hwm, file=sys.stderr)
"""


def _pool() -> list[str]:
    pool = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        pool += [ln for ln in p.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return pool


def article(rng: random.Random, pool: list[str], i: int, chars: int) -> str:
    parts = [f"Article {i}"]
    size = len(parts[0])
    while size < chars:
        s = rng.choice(pool)
        parts.append(s)
        size += len(s) + 2
    return "\n\n".join(parts)


def build_db(
    path: Path, n_docs: int, coders: int, chars: int, seed: int, start: int = 0, spans: int = 20
) -> None:
    """Add documents ``start .. n_docs - 1`` with ``coders`` coders' labels to ``path``."""
    from annotator.corpus import RawDocument, derive_title
    from annotator.models import Tokenization
    from annotator.store import Store

    rng = random.Random(seed * 1_000_003 + start)
    pool = _pool()
    with Store(path) as store:
        labels = store.scheme.label_names
        single = store.scheme.field("dominant_frame").options
        multi = store.scheme.field("frames_present").options
        for lo in range(start, n_docs, 500):
            batch = []
            for i in range(lo, min(n_docs, lo + 500)):
                text = article(rng, pool, i, chars)
                words = [m.span() for m in WORD.finditer(text)]
                tok = Tokenization(
                    tuple(a for a, _ in words), tuple(b for _, b in words), frozenset(), (), ()
                )
                batch.append((RawDocument(text, f"synthetic/{i}", {}), tok, derive_title(text)))
            ids = store.add_documents(batch, "regex")
            with store.transaction():
                for doc_id, (_raw, tok, _t) in zip(ids, batch, strict=True):
                    n = len(tok.token_starts)
                    truth = []
                    for _ in range(spans):
                        a = rng.randrange(n - 8)
                        truth.append((a, a + rng.randint(1, 8), rng.choice(labels)))
                    frame = rng.choice(single)
                    for c in range(coders):
                        coder = f"coder{c + 1}"
                        for a, b, lab in truth:
                            if rng.random() < 0.2:  # coders disagree on a fifth of the spans
                                a = min(b, a + rng.randint(0, 2))
                                lab = rng.choice(labels)
                            store.add_span(
                                doc_id, coder, tok.token_starts[a], tok.token_ends[b], lab
                            )
                        store.set_doc_label(
                            doc_id,
                            coder,
                            "dominant_frame",
                            frame if rng.random() < 0.7 else rng.choice(single),
                        )
                        chosen = tuple(o for o in multi if rng.random() < 0.5)
                        store.set_doc_label(doc_id, coder, "frames_present", chosen)
            print(f"  {path.name}: {min(n_docs, lo + 500)} documents", file=sys.stderr)


def write_articles_jsonl(path: Path, megabytes: float, seed: int, chars: int = 5000) -> int:
    rng = random.Random(seed)
    pool = _pool()
    limit = int(megabytes * 1e6)
    n = size = 0
    with open(path, "w", encoding="utf-8") as fh:
        while size < limit:
            line = json.dumps(
                {"text": article(rng, pool, n, chars), "meta": {"url": f"https://x.test/{n}"}},
                ensure_ascii=False,
            )
            fh.write(line + "\n")
            size += len(line.encode("utf-8")) + 1
            n += 1
    return n


def warm(*paths: Path) -> None:
    """Read input files once, so no timed run (the first, say) pays for a cold cache."""
    for path in paths:
        with open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass


def run(code_dir: Path, *args: str) -> tuple[float, int]:
    """Run ``annotator ARGS`` in a child; returns (seconds, peak RSS in MB)."""
    env = dict(os.environ, PYTHONPATH=str(code_dir))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, env=env, cwd="/tmp"
    )
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not line:
        raise SystemExit(f"child failed: annotator {' '.join(args)}\n{out.stderr[-3000:]}")
    _, code, secs, hwm = line[-1].split()
    if int(code) != 0:
        raise SystemExit(f"annotator {' '.join(args)} exited {code}\n{out.stderr[-3000:]}")
    return float(secs), int(hwm) // 1024


def report(case: str, what: str, secs: float, mb: int) -> None:
    target = TARGET_MB[case]
    verdict = "ok" if mb <= target else "OVER"
    print(f"{case:9} {what:44} {secs:8.1f} s  peak {mb:5d} MB  (target <= {target} MB) {verdict}")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=",".join(CASES), help=f"comma-separated: {CASES}")
    ap.add_argument("--import-mb", type=float, default=200)
    ap.add_argument("--labels-docs", type=int, default=2000)
    ap.add_argument("--spacy-docs", type=int, default=3000)
    ap.add_argument("--agreement-docs", type=int, default=50_000)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--chars", type=int, default=4500, help="article length in characters")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, help="keep generated data here and reuse it")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout the children run")
    args = ap.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    bad = [c for c in cases if c not in CASES]
    if bad:
        ap.error(f"unknown case {bad[0]!r} (choose from {', '.join(CASES)})")
    sys.path.insert(0, str(ROOT))  # the set-up uses this checkout's store

    tmp = None
    if args.workdir is None:
        tmp = tempfile.mkdtemp(prefix="annotator-memory-")
        work = Path(tmp)
    else:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    print(f"data in {work}; code: {args.code}")
    try:
        if "import" in cases:
            src = work / f"articles-{args.import_mb:g}MB.jsonl"
            if not src.exists():
                write_articles_jsonl(src, args.import_mb, args.seed)
            db = work / "import.db"
            db.unlink(missing_ok=True)
            warm(src)
            secs, mb = run(args.code, "--db", str(db), "import", str(src))
            report("import", f"{src.stat().st_size / 1e6:.0f} MB JSONL", secs, mb)
            db.unlink(missing_ok=True)

        if "labels" in cases:
            n = args.labels_docs
            src_db = work / f"labels-{n}x3.db"
            canon = work / f"labels-{n}x3.jsonl"
            if not canon.exists():
                if not src_db.exists():  # 2,000 x 3 lines make a file of about 385 MB
                    build_db(src_db, n, 3, args.chars, args.seed)
                from annotator.export import export_jsonl
                from annotator.store import Store

                with Store(src_db, readonly=True) as store:
                    export_jsonl(store, canon)
            db = work / "labels-target.db"
            db.unlink(missing_ok=True)
            warm(canon)
            secs, mb = run(args.code, "--db", str(db), "import-labels", str(canon))
            size = canon.stat().st_size / 1e6
            report("labels", f"{size:.0f} MB canonical, {n} docs x 3 coders", secs, mb)
            db.unlink(missing_ok=True)

        if "spacy" in cases:
            n = args.spacy_docs
            db = work / f"spacy-{n}x3.db"
            if not db.exists():
                build_db(db, n, 3, args.chars, args.seed)
            out = work / "export.spacy"
            warm(db)
            secs, mb = run(
                args.code, "--db", str(db), "export", "--format", "spacy", "-o", str(out)
            )
            report("spacy", f"export of {n} docs x 3 coders", secs, mb)
            shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)

        if "agreement" in cases:
            full = args.agreement_docs
            half = full // 2
            db_half = work / f"agreement-{half}x2.db"
            db_full = work / f"agreement-{full}x2.db"
            if not db_half.exists():
                build_db(db_half, half, 2, args.chars, args.seed)
            if not db_full.exists():
                shutil.copy(db_half, db_full)
                build_db(db_full, full, 2, args.chars, args.seed, start=half)
            times = {}
            warm(db_half, db_full)
            dbs = {half: db_half, full: db_full}
            # ABBA: a drift in the machine's load falls on both sizes alike
            for n, boot in ((half, 0), (full, 0), (full, args.bootstrap), (half, args.bootstrap)):
                secs, mb = run(
                    args.code, "--db", str(dbs[n]), "agreement", "--bootstrap", str(boot)
                )
                times[n, boot] = secs
                report("agreement", f"{n} docs x 2 coders, bootstrap {boot}", secs, mb)
            b = args.bootstrap
            print(
                f"agreement time {half} -> {full} documents: x{times[full, b] / times[half, b]:.2f}"
                f" with bootstrap, x{times[full, 0] / times[half, 0]:.2f} point estimates alone"
                " (linear: x2.00)"
            )
            print(
                f"point estimates alone / with {b} resamples, {full} documents:"
                f" {times[full, 0]:.1f} s / {times[full, b]:.1f} s"
            )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
