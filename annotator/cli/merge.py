"""Merge other coders' databases into this one."""

from __future__ import annotations

import click

from ..errors import AnnotatorError
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
    results = merge_databases(store, others, strict=strict)  # stops at the first refusal
    for i, result in enumerate(results):
        report = result.report
        if result.error is None and report is not None:
            click.echo(one_line(report.summary()))
        for c in report.conflicts if report is not None else ():
            click.echo(one_line(f"  {conflict_line(c)}"), err=True)
        if result.error is not None:
            raise _not_merged(result.path, result.error, others[i + 1 :])
        conflicts = conflicts or bool(report is not None and report.new_conflicts)
    if conflicts:
        ctx.exit(1)


def _not_merged(path: str, error: AnnotatorError, rest: tuple[str, ...]) -> AnnotatorError:
    """The refusal of ``path`` as one line that names it (a full disk or a lock names only
    this database) and the files after it, which were not tried: the lines above name the
    ones merged."""
    message = str(error)
    if not message.startswith(f"{path}:"):
        message = f"{path}: not merged: {message}"
    if rest:
        message += f" ({len(rest)} later file(s) not merged either: {', '.join(rest)})"
    return AnnotatorError(message)
