"""Start-up in two steps: what the first screen needs, then the rest.

The window is ready for a coder when its label panel has been painted and the label keys
are bound (``bench/startup.py`` times that moment: a label key pressed then labels the
selection). The window builds the panel with its other panes, so the panel's first paint
is the window's (:class:`FirstPaint` tells the window). Work the first screen does not
need waits in :class:`AfterStart` until the panel has been painted, and then runs one
job per turn of the event loop, so that a key pressed meanwhile waits for one job at
most.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaint(QObject):
    """Calls ``then`` once, from the event loop, after ``widget`` is first painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:
        if e.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False


class AfterStart(QObject):
    """Jobs kept off the start-up path: they run, in the order added, one per turn of the
    event loop, once :meth:`start` is called (the window calls it after its label panel's
    first paint). A job added after that runs on a later turn, never at once."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._jobs: deque[Callable[[], None]] = deque()
        self._started = False
        self._scheduled = False

    def add(self, job: Callable[[], None]) -> None:
        self._jobs.append(job)
        self._schedule()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def waiting(self) -> int:
        """How many jobs have not run yet."""
        return len(self._jobs)

    def start(self) -> None:
        self._started = True
        self._schedule()

    def drop(self) -> None:
        """Forget the waiting jobs (the window closes)."""
        self._jobs.clear()

    def run_all(self) -> None:
        """Run every waiting job now (e.g. before the window closes)."""
        while self._jobs:
            self._jobs.popleft()()

    def _schedule(self) -> None:
        if self._started and self._jobs and not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self._next)

    def _next(self) -> None:
        self._scheduled = False
        if self._jobs:
            self._jobs.popleft()()
        self._schedule()
