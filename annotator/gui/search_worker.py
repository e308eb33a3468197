"""The search pane's worker: one thread per query, with its own read-only connection.

A :class:`SearchJob` walks two streams of the same hits (``annotator.search.find``
through ``annotator.search_filters.filter_hits``): one hands pages of hits to the list
when it asks for them (:meth:`SearchJob.request`), the other counts every hit without
keeping it. Nothing of it runs on the window's thread, so typing never waits for a
query (a regular expression over a large corpus, a filter that passes few articles).
The first page is as many hits as the list can show (``first``): the documents are read
and marked one at a time, and the first screen stops at the last hit it shows. Its
signals reach the window's thread queued; :meth:`SearchJob.cancel` stops it at the
next hit found (a regular expression that finds nothing reads on to the last article,
about a second for 50,000 of them) and says nothing more after that.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ..errors import AnnotatorError

if TYPE_CHECKING:
    from ..search import Hit
    from ..search_filters import HitFilter
    from ..store import Store

COUNT_SLICE_S = 0.05  # counting between two looks at the list's requests


class JobSignals(QObject):
    page = Signal(object, object, bool)  # job, list of hits, exhausted
    counted = Signal(object, int, int, bool)  # job, hits, articles, done
    failed = Signal(object, str)  # job, the one-line error


def hit_stream(store: Store, query: str, regex: bool, f: HitFilter) -> Iterator[Hit]:
    """The hits of ``query`` in ``store`` that pass ``f``, streamed."""
    from ..search import find
    from ..search_filters import filter_hits

    return filter_hits(store, find(store, query, regex=regex), f)


class SearchJob:
    """One query's worker thread (:meth:`start` it once its signals are connected)."""

    def __init__(
        self,
        path: Path,
        query: str,
        regex: bool,
        f: HitFilter,
        *,
        page: int,
        first: int | None = None,
        open_store: Callable[[Path], Store] | None = None,
    ) -> None:
        self.signals = JobSignals()  # no parent: it lives as long as the job
        self.path, self.query, self.regex, self.filter = path, query, regex, f
        self.page_size = page
        self._open = open_store or _open_read_only
        self._cond = threading.Condition()
        # hits the list has asked for: at first, the rows it can show (``first``), so the
        # first screen waits for no document beyond those it shows
        self._wanted = first if first else page
        self._given = 0
        self._cancelled = False
        self.thread = threading.Thread(target=self._run, name="search", daemon=True)

    def start(self) -> None:
        """Start the worker (its signals connected first: it may be done at once)."""
        self.thread.start()

    # -- from the window's thread ---------------------------------------------------------

    def request(self, n: int) -> None:
        """The list wants ``n`` more hits."""
        with self._cond:
            self._wanted = max(self._wanted, self._given) + n
            self._cond.notify()

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    # -- in the worker thread ---------------------------------------------------------------

    def _run(self) -> None:
        try:
            store = self._open(self.path)
        except (AnnotatorError, sqlite3.Error, OSError) as e:
            self._emit_failed(" ".join(str(e).split()))
            return
        try:
            if not self._cancelled:
                self._walk(store)
        except (AnnotatorError, sqlite3.Error) as e:
            if not self._cancelled:
                self._emit_failed(" ".join(str(e).split()))
        finally:
            store.close()

    def _walk(self, store: Store) -> None:
        def stream() -> Iterator[Hit]:
            from ..search import find
            from ..search_filters import filter_hits

            return filter_hits(
                store, self._watched(find(store, self.query, regex=self.regex)), self.filter
            )

        pages: Iterator[Hit] | None = stream()
        counter: Iterator[Hit] | None = stream()
        exhausted = False  # every hit was handed over
        hits = 0
        docs: set[int] = set()
        given_docs: set[int] = set()  # the articles of the hits handed over
        while not (exhausted and counter is None):
            with self._cond:
                idle = counter is None and self._wanted <= self._given
            if idle and pages is not None:
                # Nothing to do until the list asks for more: no statement is left
                # open (it would hold a read snapshot, and the file's log could not be
                # checkpointed); the stream is made again, past the hits given, then.
                close = getattr(pages, "close", None)
                if close is not None:
                    close()
                pages = None
            with self._cond:
                while not self._cancelled and counter is None and self._wanted <= self._given:
                    self._cond.wait()
                if self._cancelled:
                    return
                want = 0 if exhausted else self._wanted - self._given
                given = self._given
            if want > 0:
                if pages is None:
                    pages = itertools.islice(stream(), given, None)
                got: list[Hit] = []
                for hit in pages:
                    got.append(hit)
                    if len(got) >= min(want, self.page_size):
                        break
                else:
                    exhausted, pages = True, None
                with self._cond:
                    self._given += len(got)
                given_docs.update(h.doc_id for h in got)
                if self._cancelled:
                    return
                self.signals.page.emit(self, got, exhausted)
                if exhausted and counter is not None:  # every hit was handed over: counted
                    counter = None
                    self.signals.counted.emit(self, self._given, len(given_docs), True)
                continue
            if counter is not None:
                until = time.perf_counter() + COUNT_SLICE_S
                done = True
                for hit in counter:
                    hits += 1
                    docs.add(hit.doc_id)
                    if hits % 16 == 0 and (time.perf_counter() > until or self._cancelled):
                        done = False
                        break
                if done:
                    counter = None
                if self._cancelled:
                    return
                self.signals.counted.emit(self, hits, len(docs), done)

    def _watched(self, hits: Iterator[Hit]) -> Iterator[Hit]:
        """``hits`` until the job is cancelled (looked at every hit found, before the
        filters: a filter that passes few stops as soon)."""
        for hit in hits:
            if self._cancelled:
                return
            yield hit

    def _emit_failed(self, message: str) -> None:
        if not self._cancelled:
            self.signals.failed.emit(self, message)


def _open_read_only(path: Path) -> Any:
    from ..store import Store

    return Store(path, readonly=True)
