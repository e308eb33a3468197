"""Importing articles into a store: read, skip what is bad or known, tokenise, store.

spaCy runs once per new text; texts already in the database (same SHA-256) are
recognised before any tokenising. Documents are committed in batches, so an
interrupted import keeps every batch that finished. :func:`import_paths` streams: a
batch is read, tokenised and stored before the next is read, so memory does not grow
with the input; a document spaCy fails on is skipped with its reason.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .corpus import RawDocument, Skipped, count_inputs, derive_title, read_sources
from .models import ImportReport
from .nlp import DEFAULT_PIPELINE, TokenArrays, Untokenizable, tokenize_each
from .store import Store

BATCH = 200

# progress(done, total) is called as documents are stored.
ProgressFn = Callable[[int, int], None]


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
    fresh = list(_fresh(store, docs, run))
    total = len(fresh)
    if progress:
        progress(0, total)
    done = 0

    def stored(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    _store(store, fresh, pipeline, run, stored)
    run.finish()
    return report


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
    docs: Iterable[RawDocument],
    run: _Run,
    read: Callable[[int], None] | None = None,
) -> Iterator[RawDocument]:
    """The documents not in the store nor earlier in ``docs`` (whose hashes go to
    ``run.seen``), looked up a batch at a time; ``read(n)`` after each batch of inputs."""
    report, seen = run.report, run.seen
    batch: list[RawDocument] = []

    def flush() -> Iterator[RawDocument]:
        hashes = []
        usable = []
        for d in batch:
            try:
                hashes.append(d.sha256)
            except UnicodeEncodeError:  # a lone surrogate: not text that UTF-8 can store
                report.skipped.append(f"{d.source}: text contains a lone surrogate")
                continue
            usable.append(d)
        known = store.known_hashes(h for h in hashes if h not in seen)
        for d, sha in zip(usable, hashes, strict=True):
            if sha in known or sha in seen:
                report.duplicates.append(d.source)
                if sha in seen:
                    run.repeats.append((d.source, sha))
            else:
                seen.add(sha)
                yield d
        if read:
            read(len(batch))

    for d in docs:
        batch.append(d)
        if len(batch) >= BATCH:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _store(
    store: Store,
    fresh: Iterable[RawDocument],
    pipeline: str,
    run: _Run,
    stored: Callable[[int], None],
) -> None:
    """Tokenise and store ``fresh`` in batches of BATCH, each committed on its own;
    ``stored(n)`` after each. Streams: a batch and spaCy's own batch are in memory."""
    report = run.report
    pending: deque[RawDocument] = deque()

    def texts() -> Iterator[str]:
        for d in fresh:
            pending.append(d)
            yield d.text

    batch: list[tuple[RawDocument, TokenArrays, str]] = []

    def store_batch() -> None:
        # Store.add_documents takes any models.PackedOffsets (see its docstring), but is
        # annotated with Tokenization: store.py is being rewritten (issue 11)
        report.added.extend(store.add_documents(batch, pipeline))  # type: ignore[arg-type]
        stored(len(batch))

    for tok in tokenize_each(texts(), pipeline):
        d = pending.popleft()
        if isinstance(tok, Untokenizable):
            report.skipped.append(str(Skipped(d.source, tok.reason)))
            run.failed[d.sha256] = tok.reason
            continue
        given = d.meta.get("title")
        title = " ".join(given.split()) if isinstance(given, str) else ""
        batch.append((d, tok, title or derive_title(d.text)))
        if len(batch) >= BATCH:
            store_batch()
            batch = []
    if batch:
        store_batch()


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    pipeline: str = DEFAULT_PIPELINE,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import .txt files, folders and .jsonl files; bad inputs are listed in ``skipped``."""
    from .paths import check_inputs

    paths = check_inputs(paths, [store])  # never the open database: opening it drops its locks
    report = ImportReport()
    # Streamed, file by file and line by line, through tokenising into the store: memory
    # does not grow with the input. Progress counts inputs (a text file, a .jsonl line)
    # read, out of a first count that reads no file whole.
    paths = list(paths)
    total = count_inputs(paths) if progress else 0
    handled = 0

    def read(n: int) -> None:
        nonlocal handled
        handled += n
        if progress:
            progress(min(handled, total), total)

    def documents() -> Iterator[RawDocument]:
        for item in read_sources(paths):
            if isinstance(item, Skipped):
                report.skipped.append(str(item))
                read(1)
            else:
                yield item

    if progress:
        progress(0, total)
    run = _Run(report)
    _store(store, _fresh(store, documents(), run, read), pipeline, run, lambda n: None)
    run.finish()
    if progress:
        progress(total, total)
    return report
