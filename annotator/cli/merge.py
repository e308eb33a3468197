"""Merge other coders' databases into this one."""

from __future__ import annotations

import click

from ._util import one_line, open_db


@click.command()
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
    from ..merge import conflict_line, merge_databases  # at call time

    store = open_db(ctx, seeds=False)
    conflicts = False
    for result in merge_databases(store, others, strict=strict):  # stops at the first refusal
        report = result.report
        if result.error is None and report is not None:
            click.echo(one_line(report.summary()))
        for c in report.conflicts if report is not None else ():
            click.echo(one_line(f"  {conflict_line(c)}"), err=True)
        if result.error is not None:
            raise result.error
        conflicts = conflicts or bool(report is not None and report.new_conflicts)
    if conflicts:
        ctx.exit(1)
