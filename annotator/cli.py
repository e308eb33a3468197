"""Command line: a thin shell over the core. Each command parses options, calls one
core function and prints its result. User errors print one line and exit 1.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .adjudication import auto_gold
from .atomic import atomic_output
from .errors import AnnotatorError
from .export import export as export_any
from .formats import READ_FORMATS
from .formats.registry import EXPORT_FORMATS, EXPORT_KEYS, FOLDER_KEYS, export_format
from .ingest import import_paths
from .labels_import import MAX_ERRORS_SHOWN, import_label_files
from .merge import conflict_line, merge_databases
from .models import ImportReport
from .nlp import DEFAULT_PIPELINE
from .paths import check_output
from .project import DEFAULT_DB, open_store
from .reliability import compute_agreement
from .report_html import render_html
from .report_text import render_text
from .store import BUSY_TIMEOUT_S, GOLD, Store, check_coder_name, database_error

# The largest id SQLite can store; a larger number is no document's id.
MAX_ID = 2**63 - 1


def _one_line(message: str) -> str:
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


def _not_utf8(arg: str) -> bool:
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _Group(click.Group):
    """Turns core errors into one-line messages instead of tracebacks."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Bytes that are not UTF-8 reach Python as lone surrogates: refuse them here, before
        # they can become a file name or a stored value.
        for arg in args:
            if _not_utf8(arg):
                shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
                raise click.ClickException(
                    f'argument "{shown}" is not valid UTF-8 text; rename the file or convert'
                    " the text to UTF-8"
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as e:
            # click declares ``message`` Final, yet it is a plain attribute; a new exception
            # would lose the subclass (a UsageError's exit code and usage line)
            e.message = _one_line(e.message)  # type: ignore[misc]
            raise
        except AnnotatorError as e:
            raise click.ClickException(_one_line(str(e))) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; everything committed before this point is kept.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)
        except sqlite3.Error as e:  # e.g. a read refused by a lock held beyond the timeout
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            raise click.ClickException(
                _one_line(str(database_error(db, e, "database error")))
            ) from None
        except OSError as e:  # the disk or the file system refused (full, permissions, ...)
            where = f"{e.filename}: " if e.filename else ""
            raise click.ClickException(_one_line(f"{where}{e.strerror or e}")) from None
        except OverflowError as e:
            raise click.ClickException(f"a number is too large ({e})") from None
        except UnicodeDecodeError as e:  # a damaged database's text, as a last resort
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            raise click.ClickException(
                f"{db}: text that is not valid UTF-8 ({e.reason} at byte {e.start}); the"
                " database or an input is damaged"
            ) from None
        except (ValueError, IndexError, KeyError, TypeError) as e:
            # a stored value no code path expects: a damaged or hand-edited database (a
            # date, a token blob or a label's JSON), or a bug; one line either way
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            what = _one_line(f"{type(e).__name__}: {e}")[:160]
            raise click.ClickException(
                f"{db}: a stored value cannot be read ({what}); the database may be damaged"
                f" or edited by hand (check it with PRAGMA integrity_check), or this is a bug"
            ) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
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


def _report_import(report: ImportReport | None, what: str = "Imported", err: bool = False) -> None:
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
        click.echo(_one_line(f"skipped {line}"), err=True)


def _open(
    ctx: click.Context, scheme: str | None = None, seeds: bool = True, reading: bool = False
) -> Store:
    """The command's store; ``reading``: the command only reads, so a database that
    cannot be written is opened read-only."""
    with _progress("Importing seeds") as progress:
        store, report = open_store(
            ctx.obj["db"], scheme_path=scheme, seeds="seeds" if seeds else None,
            progress=progress, read_only_ok=reading, busy_timeout=ctx.obj["busy_timeout"],
        )  # fmt: skip
    if report is not None:
        _report_import(report, what="New database: imported the seed articles,", err=True)
    ctx.call_on_close(store.close)
    return store


@click.group(cls=_Group, invoke_without_command=True)
@click.version_option(__version__, prog_name="annotator")
@click.option(
    "--db",
    "db",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The labels database (created on first use).",
)
@click.option("--annotator", "coder", default=None, help="Coder name for the window.")
@click.option(
    "--busy-timeout",
    type=click.FloatRange(0, 24 * 3600),
    default=BUSY_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait while another program holds the database's lock.",
)
@click.pass_context
def cli(ctx: click.Context, db: str, coder: str | None, busy_timeout: float) -> None:
    """Annotate news articles for framing: spans, document labels, agreement, exports.

    Without a command, opens the annotation window on the database.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["busy_timeout"] = busy_timeout
    if coder is not None:
        check_coder_name(coder)  # the window's coder: the one rule for names, one line
    ctx.obj["coder"] = coder
    if ctx.invoked_subcommand is None:
        _launch_gui(ctx)


def _launch_gui(ctx: click.Context) -> None:
    try:
        from .gui.app import run
    except ImportError:
        _open(ctx)
        click.echo(
            "The annotation window is not available in this version yet; use the commands"
            " below (see 'annotator --help')."
        )
        click.echo(ctx.get_help())
        return
    # Opened (and seeded if new) once, handed to the window: a database that cannot be
    # written opens read-only there, and --busy-timeout holds for it.
    store = _open(ctx, reading=True)
    ctx.exit(run(store, ctx.obj["coder"]))


@cli.command()
@click.option(
    "--scheme",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Framing scheme TOML (default: resources/labels.toml). On an existing database a"
    " scheme with a higher version is recorded as the new current version.",
)
@click.option("--seeds/--no-seeds", default=True, help="Import ./seeds/ into a new database.")
@click.pass_context
def init(ctx: click.Context, scheme: str | None, seeds: bool) -> None:
    """Create the database (or record a new scheme version in it)."""
    store = _open(ctx, scheme=scheme, seeds=seeds)
    s = store.scheme
    state = "Created" if store.created else "Database"
    click.echo(
        f"{state} {store.path}: scheme '{s.name}' v{s.version}, {store.document_count()} document(s)."
    )


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--spacy-model",
    default=DEFAULT_PIPELINE,
    show_default=True,
    help="spaCy pipeline for tokens and sentences: 'blank:<lang>' or an installed package.",
)
@click.pass_context
def import_cmd(ctx: click.Context, paths: tuple[str, ...], spacy_model: str) -> None:
    """Import articles: .txt files, folders of .txt/.jsonl, or .jsonl with {"text", "meta"} lines.

    Texts already in the database (same SHA-256) are not duplicated. Unreadable inputs
    are skipped with a reason, the rest are imported, and the exit code is 1.
    """
    store = _open(ctx)
    with _progress("Importing") as progress:
        report = import_paths(store, paths, pipeline=spacy_model, progress=progress)
    _report_import(report)
    if report.skipped:
        ctx.exit(1)


def _listed(names: tuple[str, ...]) -> str:
    """``a, b and c``."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


@cli.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(allow_dash=True),
    help=f"Output file ('-' for stdout), or folder for {_listed(FOLDER_KEYS)}. Written atomically.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_KEYS),
    default="jsonl",
    show_default=True,
    help="; ".join(f"{f.key}: {f.help}" for f in EXPORT_FORMATS) + ".",
)
@click.option("--all", "include_all", is_flag=True, help="Also write unlabelled documents.")
@click.option("--annotator", "coder", default=None, help="Only this coder's labels.")
@click.option("--gold", is_flag=True, help="Only the adjudicated gold layer.")
@click.option(
    "--csv-raw",
    is_flag=True,
    help="CSV: write cells exactly as stored (no ' before =, +, -, @; unsafe in spreadsheets).",
)
@click.pass_context
def export(
    ctx: click.Context,
    output: str,
    fmt: str,
    include_all: bool,
    coder: str | None,
    gold: bool,
    csv_raw: bool = False,
) -> None:
    """Export labels: canonical JSONL (default), Prodigy, doccano, spaCy, CSV or brat.

    The output is never the database (or its -wal/-shm), a folder (for file formats),
    a pipe or a device, and its folder must exist.
    """
    store = _open(ctx, reading=True)
    if gold:
        if coder is not None:
            raise click.ClickException("--gold and --annotator exclude each other")
        if not store.has_gold():
            raise click.ClickException("the database has no gold layer yet (see 'annotator gold')")
        coder = GOLD
    elif coder is not None:
        store.resolve_coders([coder])
    n = export_any(
        store, output, fmt=fmt, coder=coder, include_unlabelled=include_all, csv_raw=csv_raw
    )
    if output != "-":
        unit = export_format(fmt).unit
        click.echo(_one_line(f"Wrote {n} {unit} to {Path(output)} ({fmt})."), err=True)


@cli.command(name="import-labels")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("auto", *READ_FORMATS)),
    default="auto",
    show_default=True,
    help="Input format, detected per file by default.",
)
@click.option(
    "--annotator",
    "coder",
    default=None,
    help="The coder (overrides _annotator_id; required for doccano).",
)
@click.option(
    "--all-answers", is_flag=True, help="Prodigy: also import tasks not answered 'accept'."
)
@click.option(
    "--add-labels",
    is_flag=True,
    help="Extend the scheme with unknown labels, fields and options (a new scheme version).",
)
@click.option(
    "--field",
    "field_name",
    default=None,
    help="Document field for bare choice / category labels (Prodigy 'accept', doccano 'label').",
)
@click.pass_context
def import_labels_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    fmt: str,
    coder: str | None,
    all_answers: bool,
    add_labels: bool,
    field_name: str | None,
) -> None:
    """Import annotations: the canonical JSONL, Prodigy JSONL or doccano JSONL.

    Each file is all or nothing: a bad line is reported as FILE:LINE: reason and nothing
    from that file is written. Importing a file twice changes nothing. Exit code 1 if any
    file was refused.
    """
    store = _open(ctx)
    with _progress("Importing labels") as progress:
        results = import_label_files(
            store, files, fmt=fmt, coder=coder, all_answers=all_answers,
            add_labels=add_labels, field_name=field_name, progress=progress,
        )  # fmt: skip
    for r in results:
        click.echo(_one_line(r.summary()), err=not r.ok)
        for line in r.errors[:MAX_ERRORS_SHOWN]:
            click.echo(_one_line(f"  {line}"), err=True)
        if len(r.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  ... and {len(r.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if not all(r.ok for r in results):
        ctx.exit(1)


@cli.command()
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--strict", is_flag=True, help="Stop, writing nothing from that database, on any conflict."
)
@click.pass_context
def merge(ctx: click.Context, others: tuple[str, ...], strict: bool) -> None:
    """Merge other coders' databases into this one (documents matched by SHA-256).

    Every coder's labels stay under their own name; nothing is overwritten and merging
    twice changes nothing. When a coder labelled a document differently in the two
    databases, the other version is kept beside this one as CODER@OTHERFILE and reported
    (or, with --strict, the merge of that database stops). Exit code 1 on conflicts.
    """
    store = _open(ctx, seeds=False)
    conflicts = False
    for result in merge_databases(store, others, strict=strict):  # stops at the first refusal
        report = result.report
        if result.error is None and report is not None:
            click.echo(_one_line(report.summary()))
        for c in report.conflicts if report is not None else ():
            click.echo(_one_line(f"  {conflict_line(c)}"), err=True)
        if result.error is not None:
            raise result.error
        conflicts = conflicts or bool(report is not None and report.new_conflicts)
    if conflicts:
        ctx.exit(1)


@cli.command()
@click.argument("doc_id", type=int, required=False)
@click.argument("new_title", metavar="[TITLE]", required=False)
@click.pass_context
def title(ctx: click.Context, doc_id: int | None, new_title: str | None) -> None:
    """List the documents' ids and titles, show one title, or set it to TITLE.

    Titles are derived from the text at import; the text itself never changes.
    """
    if doc_id is not None and not 0 <= doc_id <= MAX_ID:
        raise click.ClickException(f"no document with id {doc_id}")
    store = _open(ctx, reading=new_title is None)
    if doc_id is None:
        for d in store.list_documents():
            click.echo(f"{d.id}\t{d.title}")
    elif new_title is None:
        click.echo(store.document(doc_id).title)
    else:
        click.echo(store.set_title(doc_id, new_title))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: documents, coders, spans per label, documents done per coder."""
    store = _open(ctx, reading=True)
    data = store.stats()
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"Database   {data['database']}")
    click.echo(f"Scheme     {data['scheme']['name']} v{data['scheme']['version']}")
    click.echo(f"Documents  {data['documents']}")
    click.echo(f"Spans      {data['spans']}")
    for label, n in data["spans_per_label"].items():
        click.echo(f"  {label:<28} {n}")
    click.echo(f"Coders     {len(data['annotators'])}")
    for name, row in data["per_annotator"].items():
        click.echo(
            f"  {name:<28} done {row['done']}/{data['documents']},"
            f" in progress {row['in_progress']}, spans {row['spans']}"
        )


@cli.command()
@click.option(
    "--auto",
    is_flag=True,
    required=True,
    help="Accept into gold what every coder of a document agrees on exactly.",
)
@click.option(
    "--annotators",
    "coders",
    default=None,
    help="Comma-separated coders to consider (default: all).",
)
@click.pass_context
def gold(ctx: click.Context, auto: bool, coders: str | None) -> None:
    """Build the gold (adjudicated) layer.

    With --auto, spans that all coders of a document marked identically (same start, end
    and label) and document fields they all set to the same value are accepted, with the
    coders recorded as their sources; everything else is left for review in the window.
    Gold decisions already made are never overwritten.
    """
    store = _open(ctx, seeds=False)
    names = _coder_list(store, coders)
    report = auto_gold(store, names)
    click.echo(report.summary())


@cli.command()
@click.option("--annotators", "coders", default=None, help="Comma-separated coders (default: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write a self-contained HTML report (tables and charts) to this file.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0, 100_000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples of documents for the 95% intervals (0: none).",
)
@click.option(
    "--seed", type=click.IntRange(0), default=0, show_default=True, help="Bootstrap seed."
)
@click.option(
    "--documents",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="Worst documents to list.",
)
@click.pass_context
def agreement(
    ctx: click.Context,
    coders: str | None,
    as_json: bool,
    report: str | None,
    bootstrap: int,
    seed: int,
    documents: int,
) -> None:
    """Inter-coder agreement: Krippendorff's alpha, kappas, span F1, token alpha, alpha_U.

    Document fields: alpha (nominal; missing values allowed), percent agreement, Cohen's
    kappa per coder pair, Fleiss' kappa (when every document has the same number of
    coders), and alpha per option of multi fields. Spans, per label and overall: pairwise
    F1 (exact and overlap), token-level alpha, and Krippendorff's unitizing alpha. 95%
    intervals resample documents (seeded). Undefined statistics are shown as n/a with
    the reason.
    """
    store = _open(ctx, seeds=False, reading=True)
    if report:
        check_output(report, databases=[store])  # before the statistics, which take a while
    names = _coder_list(store, coders)
    data = compute_agreement(store, names, bootstrap=bootstrap, seed=seed)
    if report:
        with atomic_output(report) as fh:
            fh.write(render_html(data))
        click.echo(_one_line(f"Wrote {report}."), err=True)
    if as_json:
        click.echo(data.to_json())
    else:
        click.echo(render_text(data, documents=documents))


def _coder_list(store: Store, coders: str | None) -> list[str] | None:
    if coders is None:
        return None
    return store.resolve_coders(n.strip() for n in coders.split(",") if n.strip())


def main() -> None:
    cli(prog_name="annotator")
