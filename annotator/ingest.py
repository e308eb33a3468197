"""Importing articles into a store: read, skip what is bad or known, tokenise, store.

spaCy runs once per new text; texts already in the database (same SHA-256) are
recognised before any tokenising. Documents are committed in batches, so an
interrupted import keeps every batch that finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .corpus import RawDocument, Skipped, derive_title, read_sources
from .models import ImportReport
from .nlp import DEFAULT_PIPELINE, tokenize_arrays
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
    """Store new documents (deduplicated by SHA-256), tokenised with ``pipeline``."""
    report = report if report is not None else ImportReport()
    fresh: list[RawDocument] = []
    seen: set[str] = set()
    docs = list(docs)
    known = store.known_hashes(d.sha256 for d in docs)
    for d in docs:
        sha = d.sha256
        if sha in known or sha in seen:
            report.duplicates.append(d.source)
        else:
            seen.add(sha)
            fresh.append(d)
    total = len(fresh)
    if progress:
        progress(0, total)
    tokens = tokenize_arrays((d.text for d in fresh), pipeline) if fresh else iter(())
    batch: list = []
    done = 0
    for d, tok in zip(fresh, tokens, strict=True):
        given = d.meta.get("title")
        title = " ".join(given.split()) if isinstance(given, str) else ""
        batch.append((d, tok, title or derive_title(d.text)))
        if len(batch) >= BATCH:
            report.added.extend(store.add_documents(batch, pipeline))
            done += len(batch)
            batch = []
            if progress:
                progress(done, total)
    if batch:
        report.added.extend(store.add_documents(batch, pipeline))
        done += len(batch)
        if progress:
            progress(done, total)
    return report


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
    docs: list[RawDocument] = []
    for item in read_sources(paths):
        if isinstance(item, Skipped):
            report.skipped.append(str(item))
        else:
            docs.append(item)
    return import_documents(store, docs, pipeline, progress, report)
