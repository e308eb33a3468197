"""Issue 12, point 13 (the core): an import reports its progress per file and per
committed batch, with counts that only grow, and a cancel keeps exactly the batches
committed; importing the same inputs again adds the rest, without duplicates. Real files,
a real SQLite file, spaCy's blank pipeline."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from annotator import ingest
from annotator.corpus import text_hash
from annotator.ingest import ImportCancelled, ImportProgress, import_paths
from annotator.store import Store

N_TXT = 7
N_LINES = 23


def headline(i: int) -> str:
    return f"Russia and North Korea deepen military ties, report {i} says\n\nBody of article {i}."


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """A folder of seven .txt files and a .jsonl of 23 lines (one blank, one bad)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(N_TXT):
        (folder / f"a{i:02}.txt").write_text(headline(i), encoding="utf-8")
    lines = [json.dumps({"text": headline(100 + i), "meta": {"n": i}}) for i in range(N_LINES)]
    lines[5] = ""  # blank: nothing, but a line
    lines[9] = "{not json"
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [folder, tmp_path / "big.jsonl"]


N_DOCS = N_TXT + N_LINES - 2  # the blank and the bad line are no document


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "labels.db")
    yield s
    s.close()


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 4)
    monkeypatch.setattr(ingest, "TICK", 3600.0)  # only the reports that must come


def check_monotonic(reports: list[ImportProgress]) -> None:
    counts = [f.name for f in fields(ImportProgress) if f.name not in ("file",)]
    for a, b in zip(reports, reports[1:], strict=False):
        for name in counts:
            assert getattr(b, name) >= getattr(a, name), (name, a, b)
    totals = {(p.files_total, p.records_total, p.bytes_total) for p in reports}
    assert len(totals) == 1, totals


def test_progress_is_reported_per_file_and_per_batch_and_only_grows(store, inputs, small_batches):
    reports: list[ImportProgress] = []
    report = import_paths(store, inputs, on_progress=reports.append)
    assert len(report.added) == N_DOCS and len(report.skipped) == 1
    check_monotonic(reports)
    first, last = reports[0], reports[-1]
    sizes = sum(p.stat().st_size for p in [*inputs[0].iterdir(), inputs[1]])
    assert (first.files_total, first.records_total, first.bytes_total) == (
        N_TXT + 1,
        N_TXT + N_LINES,
        sizes,
    )
    assert (first.files_done, first.records_done, first.bytes_done, first.imported) == (0, 0, 0, 0)
    assert (last.files_done, last.records_done, last.bytes_done) == (
        N_TXT + 1,
        N_TXT + N_LINES,
        sizes,
    )
    assert last.imported == N_DOCS and last.batches == -(-N_DOCS // 4)
    assert last.fraction == 1.0
    # every file's end and every batch are reported
    assert {p.files_done for p in reports} == set(range(N_TXT + 2))
    assert {p.batches for p in reports} == set(range(last.batches + 1))
    # inside the .jsonl the batches move the counts before the file's end
    inside = [p for p in reports if p.files_done == N_TXT and p.file.endswith("big.jsonl")]
    assert len({p.records_done for p in inside}) >= 4
    assert any(0 < p.bytes_done - inside[0].bytes_done < inputs[1].stat().st_size for p in inside)


def test_progress_done_total_counts_records(store, inputs, small_batches):
    calls: list[tuple[int, int]] = []
    import_paths(store, inputs, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, N_TXT + N_LINES) and calls[-1] == (N_TXT + N_LINES,) * 2
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


@pytest.mark.parametrize("k", [0, 1, 3])
def test_cancel_after_batch_k_keeps_exactly_k_batches(store, inputs, small_batches, k):
    seen: list[ImportProgress] = []
    asked_after_k: list[bool] = []

    def cancelled() -> bool:
        """Yes once batch k is committed and three more inputs have been read: the batch
        being filled then holds some of them, and must not be written."""
        if seen and seen[-1].batches >= k:
            asked_after_k.append(True)
        return len(asked_after_k) > 3

    with pytest.raises(ImportCancelled) as caught:
        import_paths(store, inputs, on_progress=seen.append, cancelled=cancelled)
    e = caught.value
    assert store.document_count() == 4 * k == len(e.report.added) == e.progress.imported
    assert e.progress.batches == k
    assert sorted(e.report.added) == store.document_ids()
    rest = N_TXT + N_LINES - e.progress.records_done
    assert rest > 0
    assert f"{4 * k:,} article(s) imported" in str(e)
    assert f"the other {rest:,} input(s) were not imported" in str(e)
    # the report counts what is committed: every input up to the last stored one
    accounted = len(e.report.added) + len(e.report.duplicates) + len(e.report.skipped)
    assert accounted <= e.progress.records_done
    # the database is consistent: every stored text complete, with its tokens
    for doc_id in store.document_ids():
        doc = store.document(doc_id)
        assert text_hash(doc.text) == doc.sha256 and doc.text.startswith("Russia")
        tok = store.tokenization(doc_id)
        assert len(tok) > 10 and tok.token_ends[-1] == len(doc.text)
    store.close()
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again_store = Store(store.path)
    try:
        again = import_paths(again_store, inputs)
        assert len(again.added) == N_DOCS - 4 * k and len(again.duplicates) == 4 * k
        assert again_store.document_count() == N_DOCS
        hashes = [again_store.document(i).sha256 for i in again_store.document_ids()]
        assert len(set(hashes)) == N_DOCS
    finally:
        again_store.close()


def test_a_cancel_before_anything_is_committed_keeps_nothing(store, inputs, small_batches):
    with pytest.raises(ImportCancelled) as caught:
        import_paths(store, inputs, cancelled=lambda: True)
    assert store.document_count() == 0
    assert caught.value.report.added == [] and caught.value.progress.batches == 0
    assert "0 article(s) imported" in str(caught.value)


def test_the_time_estimate_and_the_line():
    p = ImportProgress(
        files_done=50,
        files_total=200,
        records_done=50,
        records_total=200,
        bytes_done=250,
        bytes_total=1000,
        imported=40,
        batches=0,
        elapsed=30.0,
    )
    assert p.fraction == 0.25 and p.seconds_left == pytest.approx(90.0)
    assert p.describe() == "50 of 200 file(s) · 40 imported · about 2 min left"
    assert ImportProgress(bytes_done=1, bytes_total=1000, elapsed=5).seconds_left is None
    assert ImportProgress(bytes_done=500, bytes_total=1000, elapsed=0.5).seconds_left is None
    one = ImportProgress(
        files_total=1, records_done=1400, records_total=5000, bytes_done=28, bytes_total=100,
        elapsed=14.0,
    )  # fmt: skip
    assert one.describe() == "1,400 of 5,000 records · 0 imported · about 36 s left"


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_the_command_line_import_keeping_whole_batches(tmp_path):
    """``annotator import`` on a real process: Ctrl+C (SIGINT) once some batches are
    committed stops it with one line saying how many articles were imported; exactly
    those are stored, in whole batches of 200."""
    n = 6000
    with (tmp_path / "wire.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"text": headline(i) + " More text." * 20}) + "\n")
    db = tmp_path / "x.db"
    cli = [sys.executable, "-m", "annotator", "--db", str(db)]
    subprocess.run([*cli, "init", "--no-seeds"], check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen(
        [*cli, "import", str(tmp_path / "wire.jsonl")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def stored() -> int:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    deadline = time.monotonic() + 120
    while stored() < ingest.BATCH and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    kept = stored()
    assert proc.returncode == 1, (out, err)
    assert 0 < kept < n and kept % ingest.BATCH == 0
    assert err.strip().splitlines()[-1] == (
        f"Error: Import cancelled: {kept:,} article(s) imported, 0 already present,"
        f" 0 skipped; the other {n - kept:,} input(s) were not imported (import the same"
        " files again to add them)."
    )
    assert "Traceback" not in err
