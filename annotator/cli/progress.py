"""``annotator progress``: how far each coder of a round is, for the study lead."""

from __future__ import annotations

import click

from ._util import open_db


@click.command()
@click.option("--round", "round_name", default=None, help="The round (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.pass_context
def progress(ctx: click.Context, round_name: str | None, as_json: bool) -> None:
    """Progress of a round, per coder: assigned, coded (labelled or past "new"), done,
    remaining, reliability documents coded of those assigned, median minutes per coded
    document, last activity, and an estimated finish date from the coder's pace (done
    per day between their first and last activity, projected from the last).
    """
    from ..progress import render_progress, round_progress  # at call time

    store = open_db(ctx, seeds=False, reading=True)
    data = round_progress(store, round_name)
    click.echo(data.to_json() if as_json else render_progress(data))
