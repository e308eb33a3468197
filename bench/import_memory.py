"""Peak memory of ``annotator import`` on a large generated JSONL, in a child process.

Generates ``--mb`` MB of synthetic articles (seed sentences, seeded RNG; about 5.5 KB
each, with a small ``meta``) as one .jsonl in a temporary folder, then runs
``python -m annotator --db NEW.db import FILE`` as a child process and reports its peak
resident memory (``ru_maxrss`` from ``wait4``), wall time and documents per second. The
import streams, so the peak should not grow with the file (issue 9: a 200 MB JSONL must
peak at <= 300 MB; before streaming it held the whole file several times over).

    python bench/import_memory.py [--mb 200] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import seed_sentences  # noqa: E402

LIMIT_MB = 300


def generate(path: Path, mb: int, seed: int) -> int:
    """Write about ``mb`` MB of JSONL articles to ``path``; returns the number of lines."""
    rng = random.Random(seed)
    pool = seed_sentences()
    size = mb * 1024 * 1024
    n = written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < size:
            text = "\n\n".join(rng.choice(pool) for _ in range(rng.randint(20, 60)))
            meta = {"n": n, "url": f"https://example.org/{n}"}
            line = json.dumps({"text": text, "meta": meta}, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


def run_child(folder: Path, jsonl: Path) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak RSS in KB, stdout) of the import in a child process."""
    cmd = [
        sys.executable,
        "-m",
        "annotator",
        "--db",
        str(folder / "bench.db"),
        "import",
        str(jsonl),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    # communicate() reaped the child; its rusage is in RUSAGE_CHILDREN (the only child).
    import resource

    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
    return proc.returncode, elapsed, peak_kb, out.decode("utf-8", "replace").strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=int, default=200, help="size of the generated JSONL")
    ap.add_argument("--seed", type=int, default=0, help="RNG seed for the articles")
    ap.add_argument("--keep", type=Path, default=None, help="generate into (and keep) this folder")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotator-memory-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        jsonl = folder / f"articles-{args.mb}mb.jsonl"
        if not jsonl.exists():
            lines = generate(jsonl, args.mb, args.seed)
            print(f"generated {jsonl} ({jsonl.stat().st_size / 2**20:.0f} MB, {lines} lines)")
        (folder / "bench.db").unlink(missing_ok=True)
        code, seconds, peak_kb, out = run_child(folder, jsonl)
        print(f"child: exit {code}; {out}")
        docs = int(out.split()[1]) if out.startswith("Imported") else 0
        peak_mb = peak_kb / 1024
        verdict = "ok" if peak_mb <= LIMIT_MB else "MISSED"
        print(f"peak RSS {peak_mb:.0f} MB (target <= {LIMIT_MB} MB) {verdict}")
        print(f"time {seconds:.1f} s, {docs / seconds:.0f} docs/s")
        for p in folder.glob("bench.db*"):
            p.unlink()


if __name__ == "__main__":
    main()
