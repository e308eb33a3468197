"""``agreement --by week`` against the sum of its groups.

Builds a database of 50,000 short articles (``--docs``) coded by three coders (one field
value each and two spans per coder, with a seeded share of disagreement) over eight ISO
weeks, through the store's stored-document path (tokens precomputed by a whitespace
split; one transaction per 1,000 articles). Then, alternating which goes first, it times

- the trend: :func:`annotator.agreement_trend.compute_trend` ``(store, "week")``, and
- its groups alone: :meth:`Store.document_groups` once, then
  :func:`annotator.reliability.compute_agreement` on each week's documents,

both without the bootstrap (``--bootstrap`` to change it), and checks that every group's
report is the same. **Target: the trend costs at most the sum of its groups plus 20 %.**

    python bench/agreement_by.py [--docs 50000] [--repeat 3] [--bootstrap 0]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from annotator.agreement_trend import compute_trend
from annotator.models import StoredDocument
from annotator.packing import pack
from annotator.reliability import compute_agreement
from annotator.store import Store

WORDS = [
    "the",
    "alliance",
    "of",
    "russia",
    "iran",
    "china",
    "and",
    "north",
    "korea",
    "is",
    "a",
    "grave",
    "threat",
    "to",
    "western",
    "security",
    "analysts",
    "say",
    "sanctions",
    "must",
    "be",
    "tightened",
    "while",
    "others",
    "doubt",
    "the",
    "partnership",
]
OPTIONS = ("alarmist", "skeptical_of_alliance", "policy_prescription", "none")
LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")
CODERS = ("ana", "ben", "cy")
WEEKS = 8


def build(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)  # a Monday: ISO week 2026-W02
    with Store(path) as s:
        for lo in range(0, n, 1000):
            with s.transaction():
                for i in range(lo, min(n, lo + 1000)):
                    words = [rng.choice(WORDS) for _ in range(60)]
                    text = f"Article {i}: " + " ".join(words)
                    spans = [(m, m + len(w)) for m, w in _offsets(text)]
                    doc_id = s.add_stored_document(
                        StoredDocument(
                            sha256=hashlib.sha256(text.encode()).hexdigest(),
                            title=f"Article {i}",
                            source=f"synthetic/{i:05d}.txt",
                            text=text,
                            meta={},
                            token_offsets=pack([a for a, _ in spans], [b for _, b in spans]),
                            sentence_offsets=pack([0], [len(text)]),
                            pipeline="bench",
                        )
                    )
                    week = i * WEEKS // n
                    at = (start + timedelta(days=7 * week, minutes=i % 600)).isoformat()
                    truth = rng.choice(OPTIONS)
                    a = rng.randrange(0, len(spans) - 10)
                    b = a + rng.randrange(2, 10)
                    label = rng.choice(LABELS)
                    for coder in CODERS:
                        value = truth if rng.random() < 0.8 - 0.05 * week else rng.choice(OPTIONS)
                        s.set_doc_label(doc_id, coder, "dominant_frame", value, at=at)
                        if rng.random() < 0.9:
                            s.add_span(doc_id, coder, spans[a][0], spans[b][1], label, at=at)


def _offsets(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for w in text.split(" "):
        out.append((at, w))
        at += len(w) + 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bootstrap", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.db"
        t = time.perf_counter()
        build(path, args.docs, args.seed)
        print(
            f"built {args.docs:,} articles x {len(CODERS)} coders in {time.perf_counter() - t:.0f} s"
        )
        trend_t, groups_t = [], []
        with Store(path, readonly=True) as s:
            for r in range(args.repeat):
                order = ("trend", "groups") if r % 2 == 0 else ("groups", "trend")
                for side in order:
                    t = time.perf_counter()
                    if side == "trend":
                        trend = compute_trend(s, "week", bootstrap=args.bootstrap)
                        trend_t.append(time.perf_counter() - t)
                    else:
                        keys, weeks = s.document_groups("week")
                        reports = [
                            compute_agreement(
                                s, None, args.bootstrap, 0, 10,
                                documents=[d for d, k in keys.items() if k == w],
                            )
                            for w in weeks
                        ]  # fmt: skip
                        groups_t.append(time.perf_counter() - t)
                same = all(
                    g.report.to_dict() == rep.to_dict()
                    for g, rep in zip(trend.groups, reports, strict=True)
                )
        a, b = statistics.median(trend_t), statistics.median(groups_t)
        print(f"groups: {len(trend.groups)} weeks; every group's report identical: {same}")
        print(
            f"trend (agreement --by week): {a:.2f} s (runs {', '.join(f'{x:.2f}' for x in trend_t)})"
        )
        print(
            f"sum of its groups:           {b:.2f} s (runs {', '.join(f'{x:.2f}' for x in groups_t)})"
        )
        print(f"ratio trend / groups: {a / b:.2f} (target <= 1.20)")


if __name__ == "__main__":
    main()
