"""Import throughput: ``import_documents`` into a fresh SQLite file vs bare ``nlp.pipe``.

The corpus is synthetic: every article samples 20-60 sentences of the seed articles
(seeded RNG) joined with blank lines, so all texts are distinct. Both paths use the
app's pipeline (``annotator.nlp.load_pipeline()``: blank English + sentencizer),
loaded and warmed up before timing.

This machine is shared and noisy (a neighbour can halve the speed for a second), so
the two paths are interleaved finely: each run walks the corpus in chunks of
``--chunk`` texts and times bare ``nlp.pipe`` and ``import_documents`` on every chunk,
alternating which goes first; the app imports every chunk into the same fresh database
(so each run stores the whole corpus). A run's ratio is its bare time over its app
time; the figure reported is the median over ``--repeat`` runs.

    python bench/ingest.py [--docs 2000] [--repeat 5] [--seed 0] [--chunk 200]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.nlp import load_pipeline
from annotator.store import Store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TARGET = 0.7
BATCH_SIZE = 64  # what annotator.nlp.tokenize passes to nlp.pipe


def seed_sentences() -> list[str]:
    """Non-empty lines of the seed articles, split further at sentence ends."""
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.extend(s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s)
    return out


def synthetic_corpus(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = seed_sentences()
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n:
        text = "\n\n".join(rng.choice(pool) for _ in range(rng.randint(20, 60)))
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def time_bare(nlp, texts: list[str]) -> float:
    t0 = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return time.perf_counter() - t0


def time_app(store: Store, docs: list[RawDocument]) -> float:
    t0 = time.perf_counter()
    report = import_documents(store, docs)
    elapsed = time.perf_counter() - t0
    assert len(report.added) == len(docs)
    return elapsed


def one_run(nlp, texts: list[str], db: Path, chunk: int, run: int) -> tuple[float, float]:
    """Total (bare, app) seconds over the corpus, interleaved chunk by chunk."""
    docs = [RawDocument(t, f"synthetic/{i:05d}.txt", {}) for i, t in enumerate(texts)]
    bare = app = 0.0
    with Store(db) as store:
        for k, lo in enumerate(range(0, len(texts), chunk)):
            if (k + run) % 2 == 0:
                bare += time_bare(nlp, texts[lo : lo + chunk])
                app += time_app(store, docs[lo : lo + chunk])
            else:
                app += time_app(store, docs[lo : lo + chunk])
                bare += time_bare(nlp, texts[lo : lo + chunk])
        assert store.document_count() == len(texts)
    return bare, app


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000, help="articles in the corpus")
    ap.add_argument("--repeat", type=int, default=5, help="alternating runs of each path")
    ap.add_argument("--seed", type=int, default=0, help="RNG seed for the corpus")
    ap.add_argument("--chunk", type=int, default=200, help="texts per interleaved chunk")
    args = ap.parse_args()

    texts = synthetic_corpus(args.docs, args.seed)
    chars = sum(map(len, texts))
    print(f"corpus: {len(texts)} synthetic articles, {chars / len(texts):,.0f} chars on average")

    nlp = load_pipeline()  # the same cached Language object import_documents uses
    print(f"pipeline: {nlp.lang} {nlp.pipe_names}, batch_size={BATCH_SIZE}")
    for _doc in nlp.pipe(texts[:200], batch_size=BATCH_SIZE):  # warm-up
        pass

    bare: list[float] = []
    app: list[float] = []
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        print(f"database files in: {tmp}; chunks of {args.chunk} texts")
        for run in range(args.repeat):
            b, a = one_run(nlp, texts, Path(tmp) / f"ingest-{run}.db", args.chunk, run)
            bare.append(b)
            app.append(a)
            print(
                f"  run {run + 1}: bare {len(texts) / b:7.0f} docs/s"
                f"   app {len(texts) / a:7.0f} docs/s   ratio {b / a:.2f}"
            )

    ratios = [b / a for b, a in zip(bare, app, strict=True)]
    print(
        f"bare nlp.pipe (median of {args.repeat}):      {len(texts) / statistics.median(bare):8.0f} docs/s"
    )
    print(
        f"import_documents (median of {args.repeat}):   {len(texts) / statistics.median(app):8.0f} docs/s"
    )
    ratio = statistics.median(ratios)
    verdict = "ok" if ratio >= TARGET else "MISSED"
    print(f"ratio, median of runs: {ratio:.2f} (target >= {TARGET}) {verdict}")
    print(f"  per run: {' '.join(f'{r:.2f}' for r in ratios)}")


if __name__ == "__main__":
    main()
