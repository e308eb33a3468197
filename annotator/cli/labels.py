"""The labels: export them in a format, import them from files."""

from __future__ import annotations

from pathlib import Path

import click

from ..formats import READ_FORMATS
from ..formats.registry import EXPORT_FORMATS, EXPORT_KEYS, FOLDER_KEYS, export_format
from ..store import GOLD
from ._util import listed, one_line, open_db, progress_bar


@click.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(allow_dash=True),
    help=f"Output file ('-' for stdout), or folder for {listed(FOLDER_KEYS)}. Written atomically.",
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
@click.option(
    "--suggestions",
    is_flag=True,
    help="Write the suggestion layer instead of labels (canonical JSONL only).",
)
@click.option("--source", default=None, help="--suggestions: only this source's.")
@click.pass_context
def export(
    ctx: click.Context,
    output: str,
    fmt: str,
    include_all: bool,
    coder: str | None,
    gold: bool,
    csv_raw: bool = False,
    suggestions: bool = False,
    source: str | None = None,
) -> None:
    """Export labels: canonical JSONL (default), Prodigy, doccano, spaCy, CSV or brat.

    The output is never the database (or its -wal/-shm), a folder (for file formats),
    a pipe or a device, and its folder must exist. --suggestions writes the suggestion
    layer (every source, or --source's) as canonical JSONL instead.
    """
    from ..export import export as export_any  # at call time, as every command's work

    if suggestions or source is not None:
        _export_suggestions(ctx, output, fmt, include_all or gold or csv_raw or bool(coder),
                            suggestions, source)  # fmt: skip
        return
    store = open_db(ctx, reading=True)
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
        click.echo(one_line(f"Wrote {n} {unit} to {Path(output)} ({fmt})."), err=True)


def _export_suggestions(
    ctx: click.Context, output: str, fmt: str, other: bool, suggestions: bool, source: str | None
) -> None:
    """``export --suggestions``: the suggestion layer as canonical JSONL."""
    from ..suggestions_io import export_suggestions

    if not suggestions:
        raise click.UsageError("--source goes with --suggestions")
    if fmt != "jsonl":
        raise click.UsageError(f"--suggestions writes canonical JSONL only, not {fmt}")
    if other:
        raise click.UsageError("--suggestions takes no --all, --annotator, --gold or --csv-raw")
    n = export_suggestions(open_db(ctx, reading=True), output, source)
    if output != "-":
        click.echo(one_line(f"Wrote {n} line(s) of suggestions to {Path(output)}."), err=True)


@click.command(name="import-labels")
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
@click.option(
    "--replace",
    is_flag=True,
    help="Make each coder's labels on the files' documents exactly what the files say"
    " (stored ones the files lack are deleted); all files or none.",
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
    replace: bool = False,
) -> None:
    """Import annotations: the canonical JSONL, Prodigy JSONL or doccano JSONL.

    Each file is all or nothing: a bad line is reported as FILE:LINE: reason and nothing
    from that file is written. Importing a file twice changes nothing. Exit code 1 if any
    file was refused.

    By default an import only adds. With --replace, on every document a file has a record
    of a coder for (the coder the record names, or --annotator), that coder's spans, field
    values and status become exactly the file's: a relabelled span replaces the old one.
    Other documents, other coders and gold are untouched; all files are written in one
    transaction, or none if any is refused.
    """
    from ..labels_import import MAX_ERRORS_SHOWN, import_label_files

    store = open_db(ctx)
    with progress_bar("Importing labels") as progress:
        results = import_label_files(
            store, files, fmt=fmt, coder=coder, all_answers=all_answers,
            add_labels=add_labels, field_name=field_name, progress=progress, replace=replace,
        )  # fmt: skip
    for r in results:
        click.echo(one_line(r.summary()), err=not r.ok)
        for line in r.errors[:MAX_ERRORS_SHOWN]:
            click.echo(one_line(f"  {line}"), err=True)
        if len(r.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  ... and {len(r.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if not all(r.ok for r in results):
        ctx.exit(1)
