"""``annotator scheme ...``: codebook changes as recorded operations (issue 16).

Each command makes the next scheme version and applies it to the stored data in one
transaction (:mod:`annotator.codebook`); ``log`` lists the versions and ``worklist`` the
spans of split labels still to recode.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ._global import add_global_options
from ._util import open_db

if TYPE_CHECKING:
    from ..codebook import Change

BY_HELP = "Who makes the change, for the changelog (default: the operating system's user)."


def _by(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--by", "by", default=None, metavar="NAME", help=BY_HELP)(f)


def _report(change: Change) -> None:
    click.echo(f"Scheme {change.summary()}.")
    for doc, coder, start, end, label, n in change.duplicates:
        click.echo(
            f"Identical spans (kept, not collapsed): document {doc}, coder {coder},"
            f" [{start}, {end}) {label} x{n}"
        )
    if change.recode:
        click.echo(
            f"{change.recode} span(s) to recode: see 'annotator scheme worklist'; the split"
            " label stays readable until none is left."
        )


class _SchemeGroup(click.Group):
    """The subcommands get the global options (``--db`` after the command) too."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(add_global_options(cmd), name)


@click.group(cls=_SchemeGroup)
def scheme() -> None:
    """Change the codebook: rename, merge, split, add and retire labels and options.

    Each change makes a new scheme version with a changelog entry (who, when, what) and
    applies it to every coder's stored labels, the gold layer and the suggestions, in one
    transaction: all of it or nothing. Old labels stay readable in the history.
    """


@scheme.command(name="log")
@click.option("--json", "as_json", is_flag=True, help="A JSON array on stdout.")
@click.pass_context
def log_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the scheme versions and what changed in each."""
    from ..codebook import log, log_lines

    store = open_db(ctx, seeds=False, reading=True)
    if as_json:
        click.echo(json.dumps(log(store), indent=2, ensure_ascii=False))
    else:
        for line in log_lines(store):
            click.echo(line)


@scheme.command()
@click.option("--coder", default=None, help="Only this coder's spans.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of the spans on stdout.")
@click.pass_context
def worklist(ctx: click.Context, coder: str | None, as_json: bool) -> None:
    """The recode worklist: spans of split labels, per coder and document, with counts."""
    store = open_db(ctx, seeds=False, reading=True)
    if coder is not None:
        coder = store.resolve_coders([coder])[0]
    items = store.recode_worklist(coder)
    if as_json:
        click.echo(json.dumps([i._asdict() for i in items], indent=2, ensure_ascii=False))
        return
    if not items:
        click.echo("Nothing to recode.")
        return
    by_coder: dict[str, dict[int, list[str]]] = {}
    for i in items:
        by_coder.setdefault(i.coder, {}).setdefault(i.document_id, []).append(i.label)
    for name, docs in by_coder.items():
        total = sum(len(v) for v in docs.values())
        click.echo(f"{name}: {total} span(s) to recode in {len(docs)} document(s)")
        for doc, labels in docs.items():
            click.echo(f"  document {doc}: {len(labels)} ({', '.join(sorted(set(labels)))})")
    for label, into in store.split_labels().items():
        click.echo(f"'{label}' was split into {', '.join(map(repr, into))}")


@scheme.command(name="rename-label")
@click.argument("old")
@click.argument("new")
@_by
@click.pass_context
def rename_label_cmd(ctx: click.Context, old: str, new: str, by: str | None) -> None:
    """Rename span label OLD to NEW (every stored span follows)."""
    from ..codebook import rename_label

    _report(rename_label(open_db(ctx, seeds=False), old, new, by=by))


@scheme.command(name="rename-option")
@click.argument("field")
@click.argument("old")
@click.argument("new")
@_by
@click.pass_context
def rename_option_cmd(ctx: click.Context, field: str, old: str, new: str, by: str | None) -> None:
    """Rename option OLD of document field FIELD to NEW."""
    from ..codebook import rename_option

    _report(rename_option(open_db(ctx, seeds=False), field, old, new, by=by))


@scheme.command(name="rename-field")
@click.argument("old")
@click.argument("new")
@_by
@click.pass_context
def rename_field_cmd(ctx: click.Context, old: str, new: str, by: str | None) -> None:
    """Rename document field OLD to NEW."""
    from ..codebook import rename_field

    _report(rename_field(open_db(ctx, seeds=False), old, new, by=by))


@scheme.command(name="merge-labels")
@click.argument("labels", nargs=-1, required=True)
@click.option("--into", "into", required=True, help="The label they become (new or existing).")
@_by
@click.pass_context
def merge_labels_cmd(
    ctx: click.Context, labels: tuple[str, ...], into: str, by: str | None
) -> None:
    """Merge span labels A B ... into one (--into C). Spans of one coder that become
    identical are reported, not collapsed."""
    from ..codebook import merge_labels

    _report(merge_labels(open_db(ctx, seeds=False), labels, into, by=by))


@scheme.command(name="merge-options")
@click.argument("field")
@click.argument("options", nargs=-1, required=True)
@click.option("--into", "into", required=True, help="The option they become (new or existing).")
@_by
@click.pass_context
def merge_options_cmd(
    ctx: click.Context, field: str, options: tuple[str, ...], into: str, by: str | None
) -> None:
    """Merge options A B ... of document field FIELD into one (--into C); a multi field's
    value keeps the union."""
    from ..codebook import merge_options

    _report(merge_options(open_db(ctx, seeds=False), field, options, into, by=by))


@scheme.command(name="split-label")
@click.argument("label")
@click.argument("labels", nargs=-1, required=True)
@click.option("--into", "into", is_flag=True, help="Precedes the labels LABEL is split into.")
@_by
@click.pass_context
def split_label_cmd(
    ctx: click.Context, label: str, labels: tuple[str, ...], into: bool, by: str | None
) -> None:
    """Split span label LABEL --into B C ...: its spans go on their coders' recode
    worklist; LABEL is retired (kept for reading, no longer offered)."""
    from ..codebook import split_label

    if not into:
        raise click.UsageError("write: annotator scheme split-label LABEL --into B C", ctx)
    _report(split_label(open_db(ctx, seeds=False), label, labels, by=by))


@scheme.command(name="add-label")
@click.argument("name")
@click.option("--key", default=None, help="Its hotkey (default: the next free one).")
@click.option("--color", default=None, help="Its colour, #rrggbb (default: a free one).")
@click.option("--description", default="", help="Its codebook text.")
@_by
@click.pass_context
def add_label_cmd(
    ctx: click.Context,
    name: str,
    key: str | None,
    color: str | None,
    description: str,
    by: str | None,
) -> None:
    """Add span label NAME."""
    from ..codebook import add_label

    store = open_db(ctx, seeds=False)
    _report(add_label(store, name, key=key, color=color, description=description, by=by))


@scheme.command(name="add-option")
@click.argument("field")
@click.argument("option")
@_by
@click.pass_context
def add_option_cmd(ctx: click.Context, field: str, option: str, by: str | None) -> None:
    """Add OPTION to document field FIELD."""
    from ..codebook import add_option

    _report(add_option(open_db(ctx, seeds=False), field, option, by=by))


@scheme.command(name="retire-label")
@click.argument("label")
@_by
@click.pass_context
def retire_label_cmd(ctx: click.Context, label: str, by: str | None) -> None:
    """Retire span label LABEL: its spans stay readable, the window no longer offers it."""
    from ..codebook import retire_label

    _report(retire_label(open_db(ctx, seeds=False), label, by=by))
