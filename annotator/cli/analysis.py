"""Reading the labels together: counts, the gold layer, inter-coder agreement."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ..syslibs import one_blas_thread
from ._util import coder_list, one_line, open_db

if TYPE_CHECKING:
    from ..store import Store


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: documents, the coders' spans per label, the gold layer, documents done per
    coder."""
    store = open_db(ctx, reading=True)
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
    gold = data["gold"]
    if gold["documents"] or gold["spans"]:
        click.echo(f"Gold       {gold['spans']} span(s) on {gold['documents']} document(s)")
    click.echo(f"Coders     {len(data['annotators'])}")
    for name, row in data["per_annotator"].items():
        click.echo(
            f"  {name:<28} done {row['done']}/{data['documents']},"
            f" in progress {row['in_progress']}, spans {row['spans']}"
        )


@click.command()
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
    from ..adjudication import auto_gold  # at call time, as every command's work

    store = open_db(ctx, seeds=False)
    names = coder_list(store, coders)
    report = auto_gold(store, names)
    click.echo(report.summary())


@click.command()
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
@click.option(
    "--sample",
    type=click.Choice(["reliability"]),
    default=None,
    help="Only the round's reliability sample (the documents assigned to several coders).",
)
@click.option(
    "--round",
    "round_name",
    default=None,
    help="Only this round's documents and coders (default with --sample: the current round).",
)
@click.option(
    "--origin",
    type=click.Choice(["all", "manual", "assisted"]),
    default="all",
    show_default=True,
    help="Which labels count: all, human-only (manual) or those from suggestions (assisted).",
)
@click.option(
    "--with-source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Add a suggestion source as a coder named source:NAME (repeatable).",
)
@click.option(
    "--by",
    type=click.Choice(["round", "scheme-version", "week"]),
    default=None,
    help="Every statistic per group of documents: per round, per scheme version the labels"
    " were made under, or per ISO week of coding; codebook changes are marked and falls of"
    " more than 0.15 from the first group flagged.",
)
@click.option(
    "--methods",
    is_flag=True,
    help="Print a draft of the methods section's reliability paragraph (every number from"
    " the report); the HTML report includes it too.",
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
    sample: str | None,
    round_name: str | None,
    origin: str,
    sources: tuple[str, ...],
    by: str | None,
    methods: bool,
) -> None:
    """Inter-coder agreement: Krippendorff's alpha, kappas, span F1, token alpha, alpha_U.

    Document fields: alpha (nominal; missing values allowed), percent agreement, Cohen's
    kappa per coder pair, Fleiss' kappa (when every document has the same number of
    coders), and alpha per option of multi fields. Spans, per label and overall: pairwise
    F1 (exact and overlap), token-level alpha, and Krippendorff's unitizing alpha. 95%
    intervals resample documents (seeded). Undefined statistics are shown as n/a with
    the reason.

    On a designed study, --sample reliability computes every statistic on the round's
    reliability sample only, and --round on the round's documents; the coders are the
    round's (--annotators narrows them) and the report states the design above the
    numbers (round, coders, documents, coders per document, how it was drawn, seed).

    --origin manual counts human-only labels: a field value accepted from a suggestion is
    missing for its coder, and a coder with any span from a suggestion on a document is
    left out of that document's span agreement; --origin assisted counts the rest. When
    the labels have both origins, the report shows the other views side by side.
    --with-source NAME takes a suggestion source as a coder on the documents the coders
    coded, and compares it with each coder and with the gold layer.
    """
    # At call time: the statistics load numpy, which neither the window nor --help needs.
    one_blas_thread()
    from ..atomic import atomic_output
    from ..paths import check_output
    from ..reliability import compute_agreement
    from ..report_html import render_html
    from ..report_text import render_text

    store = open_db(ctx, seeds=False, reading=True)
    if report:
        check_output(report, databases=[store])  # before the statistics, which take a while
    names = coder_list(store, coders)
    if by is not None:
        if round_name is not None:
            raise click.UsageError("--by and --round cannot be combined (--by round: every round)")
        if methods:
            raise click.UsageError(
                "--methods describes one report and cannot be combined with --by"
                " (run --methods with --round or --sample reliability)"
            )
        _agreement_by(store, by, names, bootstrap, seed, sample, report, as_json, origin, sources)
        return
    data = compute_agreement(
        store,
        names,
        bootstrap=bootstrap,
        seed=seed,
        round=round_name,
        sample=sample,
        origin=origin,
        sources=sources,
    )
    paragraph = None
    if methods or report:
        from ..methods_text import methods_paragraph

        paragraph = methods_paragraph(data, store.stats()["gold"])
    if report:
        with atomic_output(report) as fh:
            fh.write(render_html(data, methods=paragraph))
        click.echo(one_line(f"Wrote {report}."), err=True)
    if as_json and methods:  # the report's object with the paragraph drafted from it
        import json

        click.echo(
            json.dumps({**data.to_dict(), "methods": paragraph}, indent=2, ensure_ascii=False)
        )
    elif as_json:
        click.echo(data.to_json())
    elif methods:
        click.echo(paragraph)
    else:
        click.echo(render_text(data, documents=documents))


def _agreement_by(
    store: Store,
    by: str,
    names: list[str] | None,
    bootstrap: int,
    seed: int,
    sample: str | None,
    report: str | None,
    as_json: bool,
    origin: str,
    sources: tuple[str, ...],
) -> None:
    """``agreement --by``: see :mod:`annotator.agreement_trend`."""
    from ..agreement_trend import compute_trend, render_trend_text
    from ..atomic import atomic_output
    from ..report_trend import render_trend_html

    trend = compute_trend(
        store, by, names, bootstrap, seed, sample=sample, origin=origin, sources=sources
    )
    if report:
        with atomic_output(report) as fh:
            fh.write(render_trend_html(trend))
        click.echo(one_line(f"Wrote {report}."), err=True)
    if as_json:
        click.echo(json.dumps(trend.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_trend_text(trend))
