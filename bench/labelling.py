"""Labelling latency: hotkey -> span stored and repainted, on a 1 MB and a 5 KB article.

Run: QT_QPA_PLATFORM=offscreen python bench/labelling.py [--labels 200]

Builds a temporary database (spaCy tokenises the two articles once), opens the real
window, and for each label selects a word, sends the label's hotkey as a real key
event, and stops the clock when the article view has repainted. The two articles take
turns in blocks (5 KB, 1 MB, 1 MB, 5 KB, ...), so neither always goes first. A repaint
that does not come within ``--timeout`` seconds is counted and reported, never timed:
the statistics are over the labels that were repainted, and any timeout makes the
script exit with status 1. Prints the medians and the 1 MB / 5 KB ratio (target <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def article(size: int) -> str:
    """Real seed prose repeated up to ``size`` characters, with an emoji per paragraph."""
    paras = [
        p.strip()
        for f in sorted(SEEDS.glob("*.txt"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p.strip()) > 200
    ]
    out, n, i = [], 0, 0
    while n < size:
        p = f"{paras[i % len(paras)]} 🌍 ({i})"
        out.append(p)
        n += len(p) + 2
        i += 1
    return "\n\n".join(out)[:size].rstrip()


def build_db(path: Path) -> dict[str, int]:
    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents
    from annotator.store import Store

    with Store(path) as store:
        report = import_documents(
            store,
            [
                RawDocument(article(5_000), "small.txt", {"title": "5 KB article"}),
                RawDocument(article(999_000), "large.txt", {"title": "1 MB article"}),
            ],
        )
    small, large = report.added
    return {"small": small, "large": large}


class PaintWatch:
    """Counts paint events on a widget."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        class F(QObject):
            count = 0

            def eventFilter(self, obj, ev):
                if ev.type() == QEvent.Type.Paint:
                    F.count += 1
                return False

        self.filter = F()
        self.cls = F
        widget.installEventFilter(self.filter)

    @property
    def count(self) -> int:
        return self.cls.count


def wait_paint(app, watch: PaintWatch, before: int, timeout: float = 5.0) -> bool:
    """Process events until ``watch`` sees a paint; False if none came within ``timeout``."""
    end = time.perf_counter() + timeout
    while watch.count == before:
        if time.perf_counter() >= end:
            return False
        app.processEvents()
    return True


def make_window(db: Path, settings_dir: str):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from annotator.gui import main_window

    w = main_window(db, "bench", settings=QSettings())
    w.resize(1400, 900)
    w.show()
    w.activateWindow()
    for _ in range(10):
        app.processEvents()
    return app, w


def label_latencies(
    app, w, watch: PaintWatch, doc_id: int, first: int, n: int, timeout: float
) -> tuple[list[float], int]:
    """Label the ``first``..``first + n - 1``-th words of a document; returns the times of
    the labels that were repainted, and how many were not repainted within ``timeout``."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    w.open_document(doc_id)
    for _ in range(5):
        app.processEvents()
    tok = w.view.tokenization()
    words = [i for i in range(len(tok)) if i not in tok.space_tokens][first : first + n]
    assert len(words) == n, "the article has too few words"
    times, timeouts = [], 0
    for k, i in enumerate(words, first):
        w.view.select_cp(tok.token_starts[i], tok.token_ends[i])
        for _ in range(3):
            app.processEvents()
        before = watch.count
        t0 = time.perf_counter()
        QTest.keyClick(w.view, (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3)[k % 3])
        if wait_paint(app, watch, before, timeout):
            times.append(time.perf_counter() - t0)
        else:
            timeouts += 1
    return times, timeouts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", type=int, default=200, help="labels per article")
    ap.add_argument("--blocks", type=int, default=4, help="turns each article takes")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a repaint")
    args = ap.parse_args()
    times: dict[str, list[float]] = {"small": [], "large": []}
    timeouts = {"small": 0, "large": 0}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t = time.perf_counter()
        ids = build_db(db)
        print(f"(built the database in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
        app, w = make_window(db, str(Path(tmp) / "settings"))
        watch = PaintWatch(w.view.viewport())
        sizes = [
            args.labels // args.blocks + (b < args.labels % args.blocks) for b in range(args.blocks)
        ]
        done = 0
        for b, n in enumerate(sizes):
            for name in ("small", "large") if b % 2 == 0 else ("large", "small"):
                got, missed = label_latencies(app, w, watch, ids[name], done, n, args.timeout)
                times[name] += got
                timeouts[name] += missed
            done += n
        for name in ("small", "large"):
            stored = len(w.store.spans(ids[name], "bench"))
            assert stored == args.labels, f"{name}: {stored} of {args.labels} labels stored"
        w.close()
        w.store.close()
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9)] * 1000  # noqa: E731
    print(f"labels per article       {args.labels} (in {args.blocks} alternating blocks)")
    for name, what in (("small", "5 KB"), ("large", "1 MB")):
        xs = times[name]
        missed = (
            f", {timeouts[name]} NOT REPAINTED within {args.timeout:g} s" if timeouts[name] else ""
        )
        if xs:
            print(
                f"{what} article   median    {ms(xs):7.2f} ms   (p90 {p90(xs):.2f} ms;"
                f" {len(xs)} repainted{missed})"
            )
        else:
            print(f"{what} article   no label was repainted{missed}")
    if times["small"] and times["large"]:
        ratio = statistics.median(times["large"]) / statistics.median(times["small"])
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        print(f"ratio 1 MB / 5 KB        {ratio:7.2f}x   (target <= 1.5x) {verdict}")
    if timeouts["small"] or timeouts["large"]:
        raise SystemExit(
            f"{timeouts['small'] + timeouts['large']} labels were stored but not repainted"
            f" within {args.timeout:g} s: the figures above leave them out"
        )


if __name__ == "__main__":
    main()
