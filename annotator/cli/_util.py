"""What the commands share: one-line messages, the progress bar, opening the database."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..models import ImportReport
from ..project import open_store
from ..store import Store, index_progress

# The largest id SQLite can store; a larger number is no document's id.
MAX_ID = 2**63 - 1


def one_line(message: str) -> str:
    """``message`` with control characters and line separators escaped (``\\n``): a file
    name may hold a line break or a terminal escape, and a message is one line."""
    if message.isprintable():
        return message
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Zl", "Zp")
        else c
        for c in message
    )


def not_utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr; yields a ``progress(done, total)`` callback."""
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < 2 or not sys.stderr.isatty():
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def report_import(report: ImportReport | None, what: str = "Imported", err: bool = False) -> None:
    """The import summary, on stdout; ``err`` for the seeds' first-use import, which a
    command whose stdout is data (``export -o -``, ``title``) must not mix into it."""
    if report is None:
        return
    click.echo(
        f"{what} {len(report.added)} document(s); {len(report.duplicates)} already present;"
        f" {len(report.skipped)} skipped.",
        err=err,
    )
    for line in report.skipped:
        click.echo(one_line(f"skipped {line}"), err=True)


def open_db(
    ctx: click.Context, scheme: str | None = None, seeds: bool = True, reading: bool = False
) -> Store:
    """The command's store; ``reading``: the command only reads, so a database that
    cannot be written is opened read-only."""
    with (
        progress_bar("Importing seeds") as progress,
        progress_bar("Indexing articles for search") as indexing,
    ):
        index_progress.append(indexing)  # a database made before the search index
        try:
            store, report = open_store(
                ctx.obj["db"], scheme_path=scheme, seeds="seeds" if seeds else None,
                progress=progress, read_only_ok=reading, busy_timeout=ctx.obj["busy_timeout"],
            )  # fmt: skip
        finally:
            index_progress.remove(indexing)
    if report is not None:
        report_import(report, what="New database: imported the seed articles,", err=True)
    ctx.call_on_close(store.close)
    return store


def coder_list(store: Store, coders: str | None) -> list[str] | None:
    if coders is None:
        return None
    return store.resolve_coders(n.strip() for n in coders.split(",") if n.strip())


def listed(names: tuple[str, ...]) -> str:
    """``a, b and c``."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
