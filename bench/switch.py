"""Switching articles: time to open a 1 MB article (and a 5 KB one) until it is painted.

Run: QT_QPA_PLATFORM=offscreen python bench/switch.py [--runs 7]

Uses the same temporary database as bench/labelling.py (a 5 KB and a 1 MB article).
Each switch is timed from ``open_document`` to the article view's next paint; the
token offsets are loaded after the paint, so the time to load them (needed for the
first snap) is reported separately. Every timed switch goes from one article to the
other (an untimed switch to the 1 MB article comes first: the window opens on the 5 KB
one). A paint that does not come within ``--timeout`` seconds is reported and makes
the script exit with status 1; it is never timed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from labelling import PaintWatch, build_db, make_window, wait_paint


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a paint")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        ids = build_db(db)
        app, w = make_window(db, str(Path(tmp) / "settings"))
        watch = PaintWatch(w.view.viewport())
        times: dict[str, list[float]] = {"small": [], "large": []}
        timeouts = {"small": 0, "large": 0}
        tokens: list[float] = []
        w.open_document(ids["large"])  # untimed: every timed switch is to the other article
        for _ in range(5):
            app.processEvents()
        for _ in range(args.runs):
            for name in ("small", "large"):
                before = watch.count
                t0 = time.perf_counter()
                w.open_document(ids[name])
                if wait_paint(app, watch, before, args.timeout):
                    times[name].append(time.perf_counter() - t0)
                else:
                    timeouts[name] += 1
                if name == "large":
                    w.navigator.preload.stop()
                    w.store._tok_cache.clear()  # measure a cold load of the offsets
                    t0 = time.perf_counter()
                    w.view.tokenization()
                    tokens.append(time.perf_counter() - t0)
                for _ in range(5):
                    app.processEvents()
        n_chars = len(w.store.document(ids["large"]).text)
        w.close()
        w.store.close()
    if timeouts["small"] or timeouts["large"]:
        raise SystemExit(
            f"no paint within {args.timeout:g} s after {timeouts['small']} of {args.runs} switches"
            f" to the 5 KB article and {timeouts['large']} of {args.runs} to the 1 MB one"
        )
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"switch to the 5 KB article     {med(times['small']):7.1f} ms (median of {args.runs})")
    print(
        f"switch to the 1 MB article     {med(times['large']):7.1f} ms ({n_chars:,} characters, to first paint)"
    )
    print(
        f"  then loading its tokens      {med(tokens):7.1f} ms (after the paint, before the first snap)"
    )


if __name__ == "__main__":
    main()
