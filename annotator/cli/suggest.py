"""Suggestions (issue 15): compute them from the codebook or a trained model, list and
clear their sources, import outside predictions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._util import one_line, open_db, progress_bar


@click.command()
@click.option("--patterns", is_flag=True, help="From the scheme's cue phrases and patterns.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(),
    default=None,
    help="From a trained spaCy pipeline folder (annotator train).",
)
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="--model: the lowest score suggested (0 to 1).",
)
@click.option(
    "--source",
    default=None,
    help="--model: the source name (default: the pipeline's name).",
)
@click.option("--list", "listing", is_flag=True, help="List the sources with their counts.")
@click.option("--clear", "clear", default=None, metavar="SOURCE", help="Remove a source.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@click.pass_context
def suggest(
    ctx: click.Context,
    patterns: bool,
    model_dir: str | None,
    threshold: float,
    source: str | None,
    listing: bool,
    clear: str | None,
    as_json: bool,
) -> None:
    """Compute suggestions for every document, list their sources, or clear one.

    --patterns matches each span label's cue phrases (case-insensitively, on whole
    tokens) and token patterns, as source 'patterns'; --model MODEL_DIR stores what a
    trained pipeline predicts (spans and field values scoring at least --threshold), as
    its name or --source. A new run replaces the source's suggestions. Suggestions are a
    layer of their own: never a coder's labels until a coder accepts one.
    """
    modes = [m for m, on in (("--patterns", patterns), ("--model", model_dir is not None),
                             ("--list", listing), ("--clear", clear is not None)) if on]  # fmt: skip
    if len(modes) != 1:
        raise click.UsageError("give one of --patterns, --model MODEL_DIR, --list, --clear SOURCE")
    if source is not None and model_dir is None:
        raise click.UsageError("--source goes with --model (patterns are source 'patterns')")
    if listing:
        store = open_db(ctx, reading=True, seeds=False)
        rows = store.suggestion_sources()
        if as_json:
            data = [{"source": s, "spans": n, "field_values": m} for s, n, m in rows]
            click.echo(json.dumps({"sources": data}, indent=2, ensure_ascii=False))
        elif not rows:
            click.echo("No suggestions stored.", err=True)
        for s, n, m in [] if as_json else rows:
            click.echo(f"{s}\t{n} span(s)\t{m} field value(s)")
        return
    store = open_db(ctx, seeds=False)
    if clear is not None:
        known = [s for s, _n, _m in store.suggestion_sources()]
        if clear not in known:
            raise click.ClickException(
                one_line(
                    f"no suggestions from source {clear!r} (sources: {', '.join(known) or 'none'})"
                )
            )
        trained = len(store.trained_on(clear))  # removed with them
        n = store.delete_suggestions(clear)
        if as_json:
            cleared = {"source": clear, "removed": n, "trained_on_removed": trained}
            click.echo(json.dumps(cleared, indent=2, ensure_ascii=False))
        else:
            also = ""
            if trained:
                also = f" and the record of {trained} document(s) its model was trained on"
            click.echo(one_line(f"Removed {n} suggestion(s){also} from '{clear}'."))
        return
    from ..suggesting import suggest_model, suggest_patterns

    with progress_bar("Suggesting") as progress:
        if patterns:
            report = suggest_patterns(store, progress=progress)
        else:
            assert model_dir is not None
            report = suggest_model(
                store, Path(model_dir), threshold, progress=progress, source=source
            )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(one_line(report.summary()))


@click.command(name="import-suggestions")
@click.argument("file", type=click.Path())
@click.option("--source", required=True, help="The source's name (e.g. gpt-run-1).")
@click.option(
    "--skip-missing", is_flag=True,
    help="Pass over records whose text is not a document of the database (counted).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_context
def import_suggestions_cmd(
    ctx: click.Context, file: str, source: str, skip_missing: bool, as_json: bool
) -> None:
    """Import outside predictions (canonical or Prodigy JSONL) as suggestions.

    All or nothing: a bad line is reported as FILE:LINE: reason and nothing is stored.
    Every record's text must be a document of the database (--skip-missing passes over
    the others, as in 'annotator predict' over a whole archive). On each document the file
    has a record for, the source's suggestions become exactly the file's; a span's
    "score" and a record's "doc_label_scores" are kept. Exit code 1 if refused.
    """
    from ..labels_import import MAX_ERRORS_SHOWN
    from ..suggestions_io import import_suggestions

    store = open_db(ctx, seeds=False)
    result = import_suggestions(store, file, source, skip_missing=skip_missing)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(one_line(result.summary()), err=not result.ok)
    if not as_json or not result.ok:
        for line in result.errors[:MAX_ERRORS_SHOWN]:
            click.echo(one_line(f"  {line}"), err=True)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  ... and {len(result.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if not result.ok:
        ctx.exit(1)
