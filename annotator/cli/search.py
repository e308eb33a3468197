"""Search the corpus: keyword-in-context listings, JSON hits, and coding every hit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from ._util import one_line, open_db

if TYPE_CHECKING:
    from ..search import Hit


@click.command()
@click.argument("query")
@click.option("--regex", is_flag=True, help="QUERY is a Python regular expression.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (JSON Lines).")
@click.option("--label", default=None, help="With --apply: the span label to give every hit.")
@click.option(
    "--coder", "--annotator", "coder", default=None, help="With --apply: the coder who labels."
)
@click.option("--apply", "apply_", is_flag=True, help="Label every hit (one transaction).")
@click.option(
    "--snap",
    type=click.Choice(["tokens", "exact"]),
    default="tokens",
    show_default=True,
    help="With --apply: widen each hit to whole tokens, as the window does, or keep it exact.",
)
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    regex: bool,
    limit: int | None,
    as_json: bool,
    label: str | None,
    coder: str | None,
    apply_: bool,
    snap: str,
) -> None:
    """Find QUERY in every article's text.

    QUERY is SQLite FTS5's syntax: words, "a phrase", prefix*, AND / OR / NOT, NEAR(a b, 5);
    case and Latin accents are ignored ("resume" finds "résumé"). With --regex it is a
    Python regular expression, exact as written ((?i) ignores case). Prints each hit in
    context, aligned on it; --json prints {"doc_id", "title", "start", "end", "text",
    "left", "right"} per hit, offsets in code points of the stored text, end exclusive.

    With --apply --label L --coder C every hit is labelled L for C in one transaction;
    hits C already labelled L are skipped, so applying twice adds nothing. In a coder's
    pack --coder defaults to the coder it was packed for.
    """
    from ..search import apply_label, find, kwic_lines

    coder = coder or ctx.obj.get("coder")
    if apply_ and label is None:
        raise click.UsageError("--apply needs --label and --coder")
    if not apply_ and label is not None:
        raise click.UsageError("--label labels only with --apply")
    store = open_db(ctx, reading=not apply_)
    if apply_ and not coder:
        coder = store.pack_coder()  # a coder's pack codes as its coder
        if not coder:
            raise click.UsageError("--apply needs --label and --coder")
    hits = find(store, query, regex=regex, limit=limit)
    if apply_:
        assert label is not None and coder is not None
        done = apply_label(store, hits, coder, label, snap="exact" if snap == "exact" else "tokens")
        click.echo(
            f"Added {done.added} {label} span(s) for {one_line(coder)} in {done.documents}"
            f" article(s); skipped {done.skipped} already labelled."
        )
        return
    count = 0
    docs: set[int] = set()
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
        return

    def counted() -> Iterator[Hit]:
        nonlocal count
        for hit in hits:
            count += 1
            docs.add(hit.doc_id)
            yield hit

    for line in kwic_lines(counted()):
        click.echo(one_line(line))
    more = " (--limit reached)" if limit is not None and count >= limit else ""
    click.echo(f"{count} hit(s) in {len(docs)} article(s){more}.", err=True)
