"""``import --update``: aligning a 1 MB article with scattered corrections and carrying
1,000 spans onto it (annotator.align), for articles with line breaks, one line of
sentences, and one line without punctuation, with 10 to 1,000 corrections of 5
characters. Prints the time of each and the outcomes (a span is checked to land on
exactly its text when it is moved). Seeded; ``--zipf`` uses a vocabulary of 5,000
words with Zipf frequencies instead of 12 words.

    python bench/align.py [--zipf]

Measured on the review machine (2 shared cores), issue 16 review: with line breaks,
10/100/1,000 corrections: 0.01/0.02/2.6 s (before: 0.03/0.28/6.4 s); one line of
sentences, 20 corrections: 0.02 s with every untouched span moved (before: 939 of
1,004 spans lost); one line without punctuation, 20 corrections: 0.2 s, 997 moved
(before: 967 lost). Carrying 1,000 spans: 0.01 s.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator.align import align, carry  # noqa: E402


def main() -> None:
    rng = random.Random(1)
    words = [
        "the",
        "alliance",
        "Russia",
        "Iran",
        "sanctions",
        "must",
        "war",
        "pact",
        "signed",
        "analysts",
        "doubt",
        "region",
    ]
    if "--zipf" in sys.argv:
        letters = "abcdefghijklmnopqrstuvwxyz"
        vocab = [
            "".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(5000)
        ]
        words = [vocab[min(int(rng.paretovariate(1.0)) - 1, 4999)] for _ in range(50_000)]
    for end, edits in [(".\n", 10), (".\n", 100), (".\n", 1000), (". ", 20), (" ", 20)]:
        paras, n = [], 0
        while n < 1_000_000:
            p = " ".join(rng.choice(words) for _ in range(rng.randint(30, 120))) + end
            paras.append(p)
            n += len(p)
        old = "".join(paras)
        for _ in range(edits):
            i = rng.randrange(len(paras))
            j = rng.randrange(len(paras[i]) - 10)
            paras[i] = paras[i][:j] + "CORRECTED " + paras[i][j + 5 :]
        new = "".join(paras)
        t = time.perf_counter()
        alignment = align(old, new)
        aligned = time.perf_counter() - t
        spans = [(s, s + 30) for s in range(0, len(old) - 40, 997)]
        t = time.perf_counter()
        done = [carry(alignment, old, new, a, b) for a, b in spans]
        carried = time.perf_counter() - t
        wrong = sum(
            r.outcome in ("moved", "unchanged") and new[r.start : r.end] != old[a:b]
            for (a, b), r in zip(spans, done, strict=True)
        )
        outcomes = dict(Counter(r.outcome for r in done))
        print(
            f"{end!r:6} {edits:5} corrections: align {aligned:.2f} s, carry {len(spans)} spans"
            f" {carried:.2f} s, {outcomes}, wrong text {wrong}",
            flush=True,
        )


if __name__ == "__main__":
    main()
