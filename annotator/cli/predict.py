"""Prediction over a whole archive with a trained pipeline (no database)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ._util import one_line

DEFAULT_BATCH = 16  # annotator.predict.DEFAULT_BATCH (not imported: --help stays light)

if TYPE_CHECKING:
    from ..predict import PredictProgress


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(),
    help="The trained spaCy pipeline folder (annotator train -o MODEL_DIR).",
)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The JSON lines file to write (an interrupted run resumes from it).",
)
@click.option(
    "--n-process",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes running the pipeline (spaCy's nlp.pipe n_process).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Documents per batch (and per flush of the output); memory grows with it.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="The least score of a span or field value written.",
)
@click.pass_context
def predict(
    ctx: click.Context,
    paths: tuple[str, ...],
    model_dir: str,
    out: str,
    n_process: int,
    batch_size: int,
    threshold: float,
) -> None:
    """Predict spans and document fields for .txt/.jsonl files or folders of them.

    The inputs need not be in any database; they are read as 'annotator import' reads them
    (an unreadable file or .jsonl line is skipped with its reason, and the exit code is 1).
    Writes one canonical-shaped JSON line per document, in input order, with
    "_annotator_id": "model:<name>" and a score per span and field (no tokens). Memory
    does not grow with the archive. An interrupted run (Ctrl+C, a kill, a crash) is
    resumed by running the same command again: the documents already in the output are
    skipped, a torn last line is cut off and the rest is appended.
    """
    from ..predict import predict as run

    show = sys.stderr.isatty()

    def progress(p: PredictProgress) -> None:
        if show:
            click.echo(f"\r{p.describe()}\x1b[K", nl=False, err=True)

    try:
        summary = run(
            model_dir,
            paths,
            out,
            n_process=n_process,
            batch_size=batch_size,
            threshold=threshold,
            progress=progress,
        )
    except KeyboardInterrupt:
        if show:
            click.echo("", err=True)
        click.echo(
            one_line(
                f"Interrupted; the predictions written so far are kept in {out}: run the same"
                " command again to go on."
            ),
            err=True,
        )
        ctx.exit(130)
    if show:
        click.echo("", err=True)
    resumed = f"; {summary.resumed:,} were already there" if summary.resumed else ""
    click.echo(
        f"Predicted {summary.predicted:,} document(s) with model '{summary.model}' into"
        f" {summary.output}{resumed}; {len(summary.skipped):,} skipped"
        f" ({summary.seconds:,.1f} s)."
    )
    for line in summary.skipped:
        click.echo(one_line(f"skipped {line}"), err=True)
    if summary.skipped:
        ctx.exit(1)
