"""Coder packages: one coder's part of a study, as a database to send them."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import AnnotatorError
from ._util import one_line, open_db


@click.command()
@click.option("--coder", required=True, help="The coder the pack is for.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The pack's file: a new file (an existing one is never replaced).",
)
@click.option("--round", "round_name", default=None, help="Only this round (default: every round).")
@click.option(
    "--with-labels",
    is_flag=True,
    help="Also other coders' labels and the gold layer (a revision round).",
)
@click.pass_context
def pack(
    ctx: click.Context, coder: str, output: str, round_name: str | None, with_labels: bool
) -> None:
    """Write a database for one coder: their assigned documents (with tokens), the scheme,
    their assignments in queue order, their own labels, and their name fixed in the file.

    Send it to the coder; 'annotator merge FILE' brings their work back. The pack does
    not tell the coder which documents are in the reliability sample. Other coders'
    labels are included only with --with-labels.
    """
    from ..coder_pack import pack_coder  # at call time, as every command's work

    db = Path(ctx.obj["db"])
    if not db.exists():
        raise AnnotatorError(f"{db}: no such database")
    store = open_db(ctx, seeds=False)
    report = pack_coder(store, coder, output, round=round_name, with_labels=with_labels)
    click.echo(one_line(report.summary()), err=True)
