"""The documents: create the database, import articles, list and retitle them."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..nlp import DEFAULT_PIPELINE
from ._util import MAX_ID, open_db, progress_bar, report_import


@click.command()
@click.option(
    "--scheme",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Framing scheme TOML (default: resources/labels.toml). On an existing database a"
    " scheme with a higher version is recorded as the new current version.",
)
@click.option("--seeds/--no-seeds", default=True, help="Import ./seeds/ into a new database.")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="OLD=NEW",
    help="With --scheme on an existing database: what a label or field the new scheme lacks"
    " becomes (FIELD:OLD=NEW for an option); repeatable.",
)
@click.option("--by", default=None, metavar="NAME", help="Who changes the scheme (changelog).")
@click.pass_context
def init(
    ctx: click.Context, scheme: str | None, seeds: bool, mapping: tuple[str, ...], by: str | None
) -> None:
    """Create the database (or record a new scheme version in it).

    On an existing database, --scheme names what differs from the current scheme and
    refuses a scheme lacking a label, field or option that stored labels use, unless
    --map says what it becomes (see 'annotator scheme log').
    """
    db = Path(ctx.obj["db"])
    if scheme is not None and db.is_file() and db.stat().st_size > 0:
        from ..codebook import adopt_scheme  # at call time
        from ..scheme import load_scheme

        new = load_scheme(scheme)
        store = open_db(ctx, seeds=seeds)
        adoption = adopt_scheme(store, new, mapping, by=by, source=scheme)
        if adoption.change is not None:
            click.echo(f"Scheme {adoption.change.summary()}.")
    elif mapping:
        raise click.UsageError("--map needs --scheme and an existing database", ctx)
    else:
        store = open_db(ctx, scheme=scheme, seeds=seeds)
    s = store.scheme
    state = "Created" if store.created else "Database"
    click.echo(
        f"{state} {store.path}: scheme '{s.name}' v{s.version}, {store.document_count()} document(s)."
    )
    for line in s.colour_warnings():  # look-alike label colours (annotator.colours)
        click.echo(f"Warning: {line}", err=True)


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--spacy-model",
    default=DEFAULT_PIPELINE,
    show_default=True,
    help="spaCy pipeline for tokens and sentences: 'blank:<lang>' or an installed package.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Replace the texts of articles already stored with these corrected versions"
    " (matched by meta.id, else source path, else file name), carrying every span onto"
    " the new text; spans are reported as moved, changed (flagged) or lost (kept in the"
    " history).",
)
@click.option("--json", "as_json", is_flag=True, help="With --update: the report as JSON.")
@click.pass_context
def import_cmd(
    ctx: click.Context, paths: tuple[str, ...], spacy_model: str, update: bool, as_json: bool
) -> None:
    """Import articles: .txt files, folders of .txt/.jsonl, or .jsonl with {"text", "meta"} lines.

    Texts already in the database (same SHA-256) are not duplicated. Unreadable inputs
    are skipped with a reason, the rest are imported, and the exit code is 1. Ctrl+C stops
    after the input being read, keeping every batch already committed, and says how many
    articles were imported (a second Ctrl+C stops at once).
    """
    if update:
        _update(ctx, paths, None if spacy_model == DEFAULT_PIPELINE else spacy_model, as_json)
        return
    from ..ingest import import_paths  # at call time: the window's launch does not need it

    store = open_db(ctx)
    with progress_bar("Importing") as progress, _interrupt_stops() as interrupted:
        report = import_paths(
            store, paths, pipeline=spacy_model, progress=progress, cancelled=interrupted
        )
    report_import(report)
    if report.skipped:
        ctx.exit(1)


def _update(
    ctx: click.Context, paths: tuple[str, ...], pipeline: str | None, as_json: bool
) -> None:
    """``import --update``: see :mod:`annotator.updating`."""
    import json

    from ..updating import update_paths

    store = open_db(ctx)
    with progress_bar("Updating") as progress:
        report = update_paths(store, paths, pipeline=pipeline, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for doc_id, source, version in report.updated:
            click.echo(f"Updated document {doc_id} ({source}): text version {version}.")
        for change in report.changes:
            shown = change.old_text if len(change.old_text) <= 60 else change.old_text[:57] + "..."
            where = "" if change.outcome == "lost" else f" now [{change.start}, {change.end})"
            click.echo(
                f"  {change.outcome}: document {change.document_id}, {change.coder}'s"
                f" {change.label!r} span {shown!r}{where}"
            )
        n = report.as_json()["spans"]
        assert isinstance(n, dict)
        click.echo(
            f"{len(report.updated)} document(s) updated, {len(report.unchanged)} unchanged;"
            f" spans: {n['unchanged']} unchanged, {n['moved']} moved, {n['changed']} changed"
            f" (flagged for their coders), {n['lost']} lost (kept in the history)."
        )
    for item in report.not_found + report.skipped:
        click.echo(f"Skipped {item}", err=True)
    if report.not_found or report.skipped:
        ctx.exit(1)


@contextmanager
def _interrupt_stops() -> Iterator[Callable[[], bool]]:
    """Ctrl+C (SIGINT) asks the import to stop (``ingest.ImportCancelled`` then says what
    was kept); a second one interrupts at once. Outside the main thread: nothing changes."""
    asked: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(True)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield lambda: False
        return
    try:
        yield lambda: bool(asked)
    finally:
        signal.signal(signal.SIGINT, previous)


@click.command()
@click.argument("doc_id", type=int, required=False)
@click.argument("new_title", metavar="[TITLE]", required=False)
@click.pass_context
def title(ctx: click.Context, doc_id: int | None, new_title: str | None) -> None:
    """List the documents' ids and titles, show one title, or set it to TITLE.

    Titles are derived from the text at import; the text itself never changes.
    """
    if doc_id is not None and not 0 <= doc_id <= MAX_ID:
        raise click.ClickException(f"no document with id {doc_id}")
    store = open_db(ctx, reading=new_title is None)
    if doc_id is None:
        for d in store.list_documents():
            click.echo(f"{d.id}\t{d.title}")
    elif new_title is None:
        click.echo(store.document(doc_id).title)
    else:
        click.echo(store.set_title(doc_id, new_title))
