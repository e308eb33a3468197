"""Importing articles into a store: read, skip what is bad or known, tokenise, store.

spaCy runs once per new text; texts already in the database (same SHA-256) are
recognised before any tokenising. Documents are committed in batches of :data:`BATCH`,
so an interrupted or cancelled import keeps every batch that finished and nothing of the
batch it was in. :func:`import_paths` streams: a batch is read, tokenised and stored
while at most the next is read and tokenised, so memory does not grow with the input; a
document spaCy fails on is skipped with its reason. spaCy works on a thread of its own
(:class:`_Tokenizer`), on the texts after the batch being stored: storing is mostly
SQLite's work, the full-text index's included, done without Python's GIL, so on two
cores it mostly hides behind spaCy's.

Progress (:class:`ImportProgress`: files, records and bytes done of their totals,
documents and batches committed, a time estimate) goes to ``on_progress`` after each
file and each committed batch (and every :data:`TICK` seconds between); ``cancelled()``
is asked after each input, and when it says yes the import stops and raises
:class:`ImportCancelled`, which says exactly what was imported. Plain Python: the
window and the command line show it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import nlp
from .corpus import (
    JSONL_SUFFIXES,
    RawDocument,
    Skipped,
    count_jsonl_lines,
    derive_title,
    expand_paths,
    read_jsonl_at,
    read_text_file,
)
from .errors import AnnotatorError
from .models import ImportReport
from .nlp import DEFAULT_PIPELINE, TokenArrays, Untokenizable, tokenize_each
from .store import Store

BATCH = 200
TICK = 0.25  # seconds: the least time between two progress reports inside a file

# progress(done, total) is called as documents are stored (import_documents) or inputs
# are handled (import_paths: a text file, a .jsonl line).
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportProgress:
    """Where an import stands. Every count only grows during one import.

    ``records`` are inputs: a text file is one, a .jsonl file one per line; a record is
    done when it is stored, recognised as present or skipped (stored: in a batch that is
    committed or waiting to be). ``imported`` and ``batches`` count what is committed.
    """

    files_done: int = 0
    files_total: int = 0
    records_done: int = 0
    records_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    imported: int = 0
    batches: int = 0
    elapsed: float = 0.0  # seconds since the import started
    file: str = ""  # the file being read

    @property
    def fraction(self) -> float:
        """How much of the input is done, 0 to 1: by bytes (a long text weighs more),
        else by records."""
        if self.bytes_total:
            return min(1.0, self.bytes_done / self.bytes_total)
        if self.records_total:
            return min(1.0, self.records_done / self.records_total)
        return 0.0

    @property
    def seconds_left(self) -> float | None:
        """The rest at the rate so far; None until there is a rate to go by."""
        f = self.fraction
        if f < 0.02 or self.elapsed < 1.0:
            return None
        return self.elapsed * (1 - f) / f

    def describe(self) -> str:
        """One line: ``12 of 200 files · 812 imported · about 2 min left``."""
        parts = []
        if self.files_total != 1 or self.records_total <= 1:
            parts.append(f"{self.files_done:,} of {self.files_total:,} file(s)")
        if self.records_total != self.files_total:
            parts.append(f"{self.records_done:,} of {self.records_total:,} records")
        parts.append(f"{self.imported:,} imported")
        left = self.seconds_left
        if left is not None:
            parts.append(f"about {_duration(left)} left")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class ImportCancelled(AnnotatorError):
    """The import was cancelled: ``report`` and ``progress`` are what is committed (every
    batch that finished; nothing of the one it was in). Importing the same inputs again
    adds the rest (the texts already stored are recognised)."""

    def __init__(self, report: ImportReport, progress: ImportProgress):
        self.report, self.progress = report, progress
        rest = max(progress.records_total - progress.records_done, 0)
        super().__init__(
            f"Import cancelled: {len(report.added):,} article(s) imported,"
            f" {len(report.duplicates):,} already present, {len(report.skipped):,} skipped;"
            f" the other {rest:,} input(s) were not imported (import the same files again"
            " to add them)."
        )


def import_documents(
    store: Store,
    docs: Iterable[RawDocument],
    pipeline: str = DEFAULT_PIPELINE,
    progress: ProgressFn | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Store new documents (deduplicated by SHA-256), tokenised with ``pipeline``.

    ``docs`` is read into memory first, to count the new ones for ``progress``; use
    :func:`import_paths` for files of any size. A document spaCy fails on is listed in
    ``report.skipped`` with the reason; the others are stored.
    """
    report = report if report is not None else ImportReport()
    run = _Run(report)
    at = _At()
    steps = list(_fresh(store, ((d, at) for d in docs), run))
    total = sum(s.doc is not None for s in steps)
    if progress:
        progress(0, total)
    done = 0

    def committed(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    _Importer(store, pipeline, run, on_commit=committed).run(steps)
    return report


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    pipeline: str = DEFAULT_PIPELINE,
    progress: ProgressFn | None = None,
    on_progress: Callable[[ImportProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import .txt files, folders and .jsonl files; bad inputs are listed in ``skipped``.

    ``progress(done, total)`` counts inputs (records) handled; ``on_progress`` gets the
    whole :class:`ImportProgress` after each file, each committed batch and every
    :data:`TICK` seconds. When ``cancelled()`` returns true the import stops, keeps the
    batches committed so far and raises :class:`ImportCancelled`.
    """
    from .paths import check_inputs

    paths = check_inputs(paths, [store])  # never the open database: opening it drops its locks
    report = ImportReport()
    # Streamed, file by file and line by line, through tokenising into the store: memory
    # does not grow with the input. The totals come from a first pass that reads no file
    # whole (file sizes, and the lines of each .jsonl counted in blocks).
    reader = _Reader(paths)
    run = _Run(report)

    def report_progress(p: ImportProgress) -> None:
        if progress:
            progress(p.records_done, p.records_total)
        if on_progress:
            on_progress(p)

    importer = _Importer(
        store, pipeline, run, start=reader.start(), report=report_progress, cancelled=cancelled
    )
    importer.run(_fresh(store, iter(reader), run))
    return report


# --- the machinery ---------------------------------------------------------------------


@dataclass(frozen=True)
class _At:
    """How far reading has come once an input is read (counts over all files)."""

    files_done: int = 0
    records_done: int = 0
    bytes_done: int = 0
    file: str = ""


@dataclass(frozen=True)
class _Step:
    """One input, in input order, with what became of it before tokenising: a new text
    (``doc``), a text already present (``duplicate``, and ``repeat_of`` when it repeats a
    text of this run), a skipped input (``skipped``), or the end of a file (none)."""

    at: _At
    doc: RawDocument | None = None
    duplicate: str = ""
    repeat_of: str = ""
    skipped: str = ""


class _Reader:
    """The inputs in order, each with where reading stands after it; a ``None`` item marks
    the end of a file. The totals are known before the first file is read."""

    def __init__(self, paths: Iterable[str | Path]):
        self.items = list(expand_paths(paths))
        self.records: dict[int, int] = {}
        self.sizes: dict[int, int] = {}
        for i, item in enumerate(self.items):
            if isinstance(item, Path):
                jsonl = item.suffix.lower() in JSONL_SUFFIXES
                self.records[i] = count_jsonl_lines(item) if jsonl else 1
                try:
                    self.sizes[i] = item.stat().st_size
                except OSError:
                    self.sizes[i] = 0

    def start(self) -> ImportProgress:
        return ImportProgress(
            files_total=len(self.records),
            records_total=sum(self.records.values()),
            bytes_total=sum(self.sizes.values()),
        )

    def __iter__(self) -> Iterator[tuple[RawDocument | Skipped | None, _At]]:
        files = records = size = 0
        for i, item in enumerate(self.items):
            if isinstance(item, Skipped):
                yield item, _At(files, records, size, item.where)
                continue
            where = str(item)
            if item.suffix.lower() in JSONL_SUFFIXES:
                for rec, line, offset in read_jsonl_at(item):
                    yield rec, _At(files, records + line, size + offset, where)
            else:
                yield read_text_file(item), _At(files, records + 1, size + self.sizes[i], where)
            files, records, size = files + 1, records + self.records[i], size + self.sizes[i]
            yield None, _At(files, records, size, where)


class _Run:
    """One import's bookkeeping: hashes seen, copies of earlier texts, texts spaCy failed on."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.seen: set[str] = set()
        self.repeats: list[tuple[str, str]] = []  # (source, sha256) of copies within the run
        self.failed: dict[str, str] = {}  # sha256 -> why spaCy failed on it

    def finish(self) -> None:
        """A copy of a text spaCy failed on is skipped with that reason, not a duplicate."""
        for source, sha in self.repeats:
            if sha in self.failed:
                self.report.duplicates.remove(source)
                self.report.skipped.append(str(Skipped(source, self.failed[sha])))


def _fresh(
    store: Store,
    items: Iterable[tuple[RawDocument | Skipped | None, _At]],
    run: _Run,
) -> Iterator[_Step]:
    """Every input as a :class:`_Step`, in order; the texts in the store or earlier in
    the input (whose hashes go to ``run.seen``) are looked up a batch at a time."""
    seen = run.seen
    batch: list[tuple[RawDocument | Skipped | None, _At]] = []

    def flush() -> Iterator[_Step]:
        hashes: dict[int, str] = {}
        bad: set[int] = set()
        for i, (d, _at) in enumerate(batch):
            if isinstance(d, RawDocument):
                try:
                    hashes[i] = d.sha256
                except UnicodeEncodeError:  # a lone surrogate: not text that UTF-8 can store
                    bad.add(i)
        known = store.known_hashes(h for h in hashes.values() if h not in seen)
        for i, (d, at) in enumerate(batch):
            if d is None:
                yield _Step(at)
            elif isinstance(d, Skipped):
                yield _Step(at, skipped=str(d))
            elif i in bad:
                yield _Step(at, skipped=f"{d.source}: text contains a lone surrogate")
            elif (sha := hashes[i]) in known or sha in seen:
                yield _Step(at, duplicate=d.source, repeat_of=sha if sha in seen else "")
            else:
                seen.add(sha)
                yield _Step(at, doc=d)

    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


# Characters of text read ahead for spaCy beyond which no more is read (but for the rest
# of an nlp.pipe batch): long articles are not held a batch ahead.
AHEAD_CHARS = 20_000_000


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


# The threads of imports stopped while spaCy still had texts (not waited for then): the
# next import waits for them first, so that no pipeline is used by two threads at once.
_left: list[threading.Thread] = []


class _Tokenizer:
    """spaCy on a thread of its own: texts in, in order, and their tokens out, in order.

    The import's own thread stores a batch (one transaction, through its connection: only
    that thread ever uses it) while this one tokenises the texts read after it. Storing is
    mostly SQLite's work (the rows, the full-text index the triggers keep, the commit),
    done without Python's GIL; spaCy's is mostly done with it. On two cores, most of the
    store's time is thereby hidden behind spaCy's. A failure in this thread is raised,
    as it was, in the import's thread when it asks for the tokens (everything else works
    as before: spaCy failing on one text gives its :class:`~.nlp.Untokenizable`).
    """

    def __init__(self, pipeline: str):
        self._in: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._out: queue.SimpleQueue[TokenArrays | Untokenizable | _Failed] = queue.SimpleQueue()
        self._stopped = False
        self._failure: BaseException | None = None  # what ended the thread, if not the end
        self._raised = False
        self._owed = 0  # texts put whose tokens were not taken yet
        while _left:
            with contextlib.suppress(IndexError):  # another import's took it meanwhile
                _left.pop().join()
        self._thread = threading.Thread(
            target=self._work, args=(pipeline,), name="import-tokenize", daemon=True
        )
        self._thread.start()

    def put(self, text: str) -> None:
        self._owed += 1
        self._in.put(text)

    def close(self) -> None:
        """No more texts come."""
        self._in.put(None)

    def get(self) -> TokenArrays | Untokenizable:
        """The tokens of the next text put (waits for them)."""
        item = self._out.get()
        self._owed -= 1
        if isinstance(item, _Failed):
            self._raised = True
            raise item.error
        return item

    def __enter__(self) -> _Tokenizer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self._stopped = True  # texts not tokenised yet are dropped
        self.close()
        if self._owed and not self._raised:
            # Stopped with texts still owed (a cancel, an error, a second Ctrl+C): the
            # batch spaCy has in hand (seconds on long texts, read ahead) is not waited
            # for; the thread is a daemon and drops its tokens.
            _left.append(self._thread)
            return
        self._thread.join()
        if exc_type is None and self._failure is not None and not self._raised:
            # e.g. a pipeline that is not installed, when no new text asked for tokens:
            # the import fails as it did when spaCy ran on the import's thread
            raise self._failure

    def _texts(self) -> Iterator[str]:
        while (text := self._in.get()) is not None and not self._stopped:
            yield text

    def _work(self, pipeline: str) -> None:
        try:
            for tok in tokenize_each(self._texts(), pipeline):
                if self._stopped:
                    return
                self._out.put(tok)
        except BaseException as e:  # noqa: BLE001 - raised in the import's thread
            self._failure = e
            self._out.put(_Failed(e))


class _Importer:
    """Tokenise and store the steps' new texts in batches of BATCH, each committed on its
    own. What became of an input (stored, present, skipped) enters the report only with
    the batch that follows it, so the report is always what is committed."""

    def __init__(
        self,
        store: Store,
        pipeline: str,
        run: _Run,
        start: ImportProgress | None = None,
        report: Callable[[ImportProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        on_commit: Callable[[int], None] | None = None,
    ):
        self.store, self.pipeline, self.run_ = store, pipeline, run
        self.progress = start or ImportProgress()
        self.settled = self.progress  # where the last commit left the import
        self.report, self.cancelled, self.on_commit = report, cancelled, on_commit
        self.batch: list[tuple[RawDocument, TokenArrays, str]] = []
        self.duplicates: list[tuple[str, str]] = []  # (source, repeat_of) since the commit
        self.skipped: list[str] = []
        self.failed: dict[str, str] = {}
        self.stop = False
        self.t0 = time.monotonic()
        self.last_report = self.t0

    def run(self, steps: Iterable[_Step]) -> None:
        self._report(force=True)
        source = iter(steps)
        pending: deque[_Step] = deque()  # read, in order, not handled yet
        with _Tokenizer(self.pipeline) as spacy:
            fed = ahead = chars = 0  # texts given to spaCy; of those, not handled yet
            more = True
            pipe_batch = nlp.BATCH_SIZE
            while not self.stop:
                if pending and pending[0].doc is None:
                    self._handle(pending.popleft(), None)  # nothing before it waits
                elif more and (
                    fed % pipe_batch
                    or not ahead
                    or (ahead < BATCH + pipe_batch and chars < AHEAD_CHARS)
                ):
                    # Read on: spaCy is given the texts of a batch and of its own batch
                    # (nlp.pipe waits for that many, or for the end, before it gives any
                    # back) in front of the text handled, so that while _commit stores a
                    # batch, the next is being tokenised; never fewer than a whole
                    # nlp.pipe batch (its tokens would never come).
                    step = next(source, None)
                    if step is None:
                        more = False
                        spacy.close()
                        continue
                    pending.append(step)
                    if step.doc is not None:
                        spacy.put(step.doc.text)
                        fed, ahead, chars = fed + 1, ahead + 1, chars + len(step.doc.text)
                elif pending:
                    step = pending.popleft()
                    assert step.doc is not None
                    tok = spacy.get()
                    ahead, chars = ahead - 1, chars - len(step.doc.text)
                    self._handle(step, tok)
                else:
                    break
        if self.stop:
            self.run_.finish()
            raise ImportCancelled(self.run_.report, self.settled)
        self._commit()
        self.run_.finish()
        self._report(force=True)

    def _handle(self, step: _Step, tok: TokenArrays | Untokenizable | None) -> None:
        d = step.doc
        if d is not None:
            assert tok is not None  # a new text comes with its tokens
            if isinstance(tok, Untokenizable):
                self.skipped.append(str(Skipped(d.source, tok.reason)))
                self.failed[d.sha256] = tok.reason
            else:
                given = d.meta.get("title")
                title = " ".join(given.split()) if isinstance(given, str) else ""
                self.batch.append((d, tok, title or derive_title(d.text)))
        elif step.duplicate:
            self.duplicates.append((step.duplicate, step.repeat_of))
        elif step.skipped:
            self.skipped.append(step.skipped)
        p = self.progress
        at = step.at
        self.progress = replace(
            p,
            files_done=max(p.files_done, at.files_done),
            records_done=max(p.records_done, at.records_done),
            bytes_done=max(p.bytes_done, at.bytes_done),
            file=at.file or p.file,
        )
        if len(self.batch) >= BATCH:
            self._commit()
        else:
            end_of_file = d is None and not step.duplicate and not step.skipped
            self._report(force=end_of_file)
        if self.cancelled is not None and self.cancelled():
            self.stop = True

    def _commit(self) -> None:
        """Store the batch (one transaction) and settle what came before it."""
        report = self.run_.report
        if self.batch:
            # Store.add_documents takes any models.PackedOffsets (see its docstring), but is
            # annotated with Tokenization: store.py is being rewritten (issue 11)
            report.added.extend(self.store.add_documents(self.batch, self.pipeline))  # type: ignore[arg-type]
            self.progress = replace(
                self.progress,
                imported=self.progress.imported + len(self.batch),
                batches=self.progress.batches + 1,
            )
            if self.on_commit:
                self.on_commit(len(self.batch))
        for source, sha in self.duplicates:
            report.duplicates.append(source)
            if sha:
                self.run_.repeats.append((source, sha))
        report.skipped.extend(self.skipped)
        self.run_.failed.update(self.failed)
        self.batch, self.duplicates, self.skipped, self.failed = [], [], [], {}
        self.settled = self.progress
        self._report(force=True)

    def _report(self, force: bool) -> None:
        if self.report is None:
            return
        now = time.monotonic()
        if not force and now - self.last_report < TICK:
            return
        self.last_report = now
        self.progress = replace(self.progress, elapsed=now - self.t0)
        self.report(self.progress)
