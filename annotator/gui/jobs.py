"""Long jobs (import, export) in a worker thread behind a progress dialog.

The job gets its own :class:`~annotator.store.Store` connection in the worker
thread (SQLite connections stay in the thread that made them), reports progress
through a signal, and can be cancelled: the next progress report raises
:class:`Cancelled` inside the job, so the core's own cleanup runs (an export's
temporary file is removed; an import keeps the batches already committed).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..errors import AnnotatorError
from ..project import open_database
from ..store import Store


class Cancelled(Exception):
    pass


class JobProgress:
    """What a job is given to report with: ``progress(done, total)`` or ``progress(done,
    total, text)`` (the text replaces the dialog's "<title> done of total" line) raises
    :class:`Cancelled` once the user cancelled; ``progress.cancelled()`` asks without
    raising, for a job that stops by itself and says what it kept (an import)."""

    def __init__(self, worker: _Worker):
        self._worker = worker

    def __call__(self, done: int, total: int, text: str = "") -> None:
        self._worker._progress(done, total, text)

    def cancelled(self) -> bool:
        return self._worker.cancelled


# job(store, progress) -> result; progress(done, total[, text]) may raise Cancelled.
Job = Callable[[Store, JobProgress], Any]

# A progress dialog is at least this wide, so that its title bar is not cut
# ("Impor…otator") and a progress line fits on one line.
DIALOG_MIN_WIDTH = 520


class _Worker(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(
        self, db_path: Path, job: Job, parent: QObject | None = None, readonly: bool = False
    ):
        super().__init__(parent)
        self.db_path, self.job = db_path, job
        self.readonly = readonly  # the window's database was opened read-only
        self.cancelled = False
        self.dialog: QProgressDialog | None = None  # run_job's dialog (tests look at it)

    def _progress(self, done: int, total: int, text: str = "") -> None:
        if self.cancelled:
            raise Cancelled()
        self.progressed.emit(done, total, text)

    def run(self) -> None:
        try:
            with open_database(self.db_path, readonly=self.readonly) as store:
                result = self.job(store, JobProgress(self))
        except Cancelled:
            self.failed.emit("Cancelled.")
        except AnnotatorError as e:
            self.failed.emit(str(e))
        except Exception as e:  # a bug: show it rather than lose it
            traceback.print_exc()
            self.failed.emit(f"{type(e).__name__}: {e}")
        else:
            self.succeeded.emit(result)


def run_job(
    parent: QWidget,
    title: str,
    db_path: Path,
    job: Job,
    on_success: Callable[[Any], None],
    on_failure: Callable[[str], None],
    readonly: bool = False,
    window_title: str = "",
) -> _Worker:
    """Start ``job`` in a thread with a window-modal progress dialog; returns the thread.
    ``window_title`` is the dialog's (short) title, ``title`` its first line."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setObjectName("jobProgress")
    dialog.setWindowTitle(window_title or title.rstrip("…"))
    dialog.setMinimumWidth(DIALOG_MIN_WIDTH)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    worker = _Worker(db_path, job, parent, readonly)
    worker.dialog = dialog

    def progressed(done: int, total: int, text: str) -> None:
        if worker.cancelled:  # "Cancelling…" stays until the job has stopped
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(f"{title}\n{text}")
        else:
            dialog.setLabelText(f"{title} {done} of {total}" if total else title)

    def finish() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    def cancel() -> None:
        worker.cancelled = True
        dialog.setLabelText("Cancelling… (what is already done is kept)")

    def succeeded(result: Any) -> None:
        finish()
        on_success(result)

    def failed(message: str) -> None:
        finish()
        on_failure(message)

    worker.progressed.connect(progressed)
    worker.succeeded.connect(succeeded)
    worker.failed.connect(failed)
    # The thread object stays owned by ``parent`` (not deleteLater'd): callers and tests
    # may still hold and disconnect it after it finished.
    dialog.canceled.connect(cancel)
    worker.start()
    return worker


def run_background(
    parent: QObject,
    db_path: Path,
    job: Job,
    on_success: Callable[[Any], None],
    on_failure: Callable[[str], None],
    readonly: bool = False,
) -> _Worker:
    """Like :func:`run_job` without a progress dialog (the caller shows its own state)."""
    worker = _Worker(db_path, job, parent, readonly)
    worker.succeeded.connect(on_success)
    worker.failed.connect(on_failure)
    worker.start()
    return worker


class Jobs:
    """The worker threads a window started, until each finishes (``window.jobs``).

    Closing the window cancels the ones still running and waits for them (:meth:`cancel`),
    so no thread outlives the window's database connection.
    """

    def __init__(self, parent: QWidget):
        self.parent = parent
        self._running: list[_Worker] = []

    def __contains__(self, worker: object) -> bool:
        return worker in self._running

    def __iter__(self) -> Iterator[_Worker]:
        return iter(list(self._running))

    def __len__(self) -> int:
        return len(self._running)

    def start(
        self,
        title: str,
        db_path: Path,
        job: Job,
        on_success: Callable[[Any], None],
        on_failure: Callable[[str], None],
        readonly: bool = False,
        window_title: str = "",
    ) -> _Worker:
        """:func:`run_job` (behind a progress dialog), tracked until it finishes."""
        worker = run_job(
            self.parent, title, db_path, job, on_success, on_failure, readonly, window_title
        )
        return self._track(worker)

    def start_background(
        self,
        db_path: Path,
        job: Job,
        on_success: Callable[[Any], None],
        on_failure: Callable[[str], None],
        readonly: bool = False,
    ) -> _Worker:
        """:func:`run_background` (no dialog), tracked until it finishes."""
        worker = run_background(self.parent, db_path, job, on_success, on_failure, readonly)
        return self._track(worker)

    def _track(self, worker: _Worker) -> _Worker:
        self._running.append(worker)
        worker.finished.connect(
            lambda: self._running.remove(worker) if worker in self._running else None
        )
        return worker

    def cancel(self, wait_ms: int = 5000) -> None:
        """Cancel every running job and wait (at most ``wait_ms`` each) for it to stop."""
        for worker in list(self._running):
            worker.cancelled = True
            worker.wait(wait_ms)
