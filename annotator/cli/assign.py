"""Plan a study: who codes which document, the reliability sample, the queues."""

from __future__ import annotations

import json

import click

from ._util import one_line, open_db


@click.command()
@click.option("--coders", default=None, help="Comma-separated coders, e.g. ana,ben,cy.")
@click.option(
    "--overlap",
    type=float,
    default=None,
    help="Share of the documents (0..1) that forms the reliability sample.",
)
@click.option(
    "--overlap-docs",
    type=int,
    default=None,
    help="Number of documents in the reliability sample (instead of --overlap).",
)
@click.option(
    "--per-doc",
    type=int,
    default=None,
    help="Coders per reliability document (2..coders-1; default: every coder).",
)
@click.option("--round", "round_name", default="main", show_default=True, help="Round name.")
@click.option(
    "--docs",
    type=int,
    default=None,
    help="The round takes only N of the documents, drawn at random (a pilot); the rest wait.",
)
@click.option("--seed", type=int, default=None, help="Seed (default: drawn, recorded, printed).")
@click.option("--stratify", default=None, help="Draw the sample in proportion to this meta field.")
@click.option(
    "--only-unassigned",
    is_flag=True,
    help="Extend the round with the documents not yet assigned; nothing assigned moves.",
)
@click.option("--plan", "planning", is_flag=True, help="Only say how large the sample should be.")
@click.option(
    "--alpha-min", type=float, default=None, help="With --plan: smallest acceptable alpha."
)
@click.option(
    "--p",
    "p_value",
    type=float,
    default=0.05,
    show_default=True,
    help="With --plan: significance level (one-tailed).",
)
@click.option(
    "--min-share",
    type=float,
    default=None,
    help="With --plan: share of the least frequent category (default: from the labels).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.pass_context
def assign(
    ctx: click.Context,
    coders: str | None,
    overlap: float | None,
    overlap_docs: int | None,
    per_doc: int | None,
    round_name: str,
    docs: int | None,
    seed: int | None,
    stratify: str | None,
    only_unassigned: bool,
    planning: bool,
    alpha_min: float | None,
    p_value: float,
    min_share: float | None,
    as_json: bool,
) -> None:
    """Assign the documents to coders for a round, with a reliability sample.

    The reliability sample (--overlap share or --overlap-docs number) goes to every coder,
    or with --per-doc K to K of them so that every pair of coders shares documents; the
    other documents go to one coder each, evenly. Documents assigned in another round
    are left out. --docs N takes only N of them, at random (a pilot round; the rest
    stay for the main round). Each coder's queue is in a random order, the sample at random
    positions. The same documents, options and seed give the same design; the round,
    seed and design are recorded in the database.

    With --plan --alpha-min A: how many reliability documents Krippendorff's guidance
    asks for (significance --p, least frequent category --min-share, else observed in
    the labels, else 1/options).
    """
    from ..errors import ValidationError

    if planning:
        if alpha_min is None:
            raise ValidationError("--plan needs --alpha-min, e.g. --alpha-min 0.8")
        _plan(ctx, alpha_min, p_value, min_share, as_json)
        return
    if alpha_min is not None or min_share is not None:
        raise ValidationError("--alpha-min and --min-share go with --plan")
    if coders is None:
        raise ValidationError("give the coders: --coders ana,ben,cy")
    if overlap is None and overlap_docs is None:
        raise ValidationError("give the reliability sample: --overlap 0.2 or --overlap-docs N")

    from ..assign import assign as run_assign
    from ..assign import parse_coders

    names = parse_coders(coders)
    store = open_db(ctx, seeds=False)
    result = run_assign(
        store,
        names,
        round=round_name,
        seed=seed,
        overlap=overlap,
        overlap_docs=overlap_docs,
        per_doc=per_doc,
        stratify=stratify,
        only_unassigned=only_unassigned,
        docs=docs,
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    design = result.design
    added = len(design.rows)
    head = (
        f"Round {result.round}: extended with {design.candidates} new document(s)"
        if result.extended
        else f"Round {result.round}: {design.candidates} document(s) assigned"
    )
    seed_note = " (drawn; recorded in the database)" if result.seed_drawn else ""
    click.echo(one_line(f"{head}, {added} assignment(s); seed {result.seed}{seed_note}."))
    if result.other_rounds:
        click.echo(
            f"{result.other_rounds} document(s) assigned in other rounds were left out"
            " (a pilot's documents are not drawn again)."
        )
    if result.left_for_later:
        click.echo(
            f"--docs {docs}: drawn at random; {result.left_for_later} document(s) are left"
            " unassigned for a later round."
        )
    click.echo(one_line(f"Reliability sample: {design.method}."))
    if design.strata:
        parts = ", ".join(f"{k} {d}/{n}" for k, (n, d) in design.strata.items())
        click.echo(one_line(f"Strata (drawn/documents): {parts}."))
    reliable = set(result.reliability)
    width = max([5, *(len(c) for c in result.queues)])
    click.echo(f"{'coder':<{width}}  documents  of which reliability")
    for coder, queue in result.queues.items():
        n_rel = sum(1 for d in queue if d in reliable)
        click.echo(one_line(f"{coder:<{width}}  {len(queue):>9}  {n_rel:>19}"))


def _plan(
    ctx: click.Context, alpha_min: float, p: float, min_share: float | None, as_json: bool
) -> None:
    from ..assign import plan
    from ..design import PLAN_FORMULA, PLAN_SOURCE

    store = open_db(ctx, seeds=False, reading=True)
    result = plan(store, alpha_min, p, min_share)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo(
        f"Reliability sample needed: {result.documents} documents (two coders; every coder"
        " of the sample codes each)."
    )
    click.echo(
        f"  alpha_min {result.alpha_min:g}, p {result.p:g} (one-tailed z {result.z:.3f}),"
        f" P_c {result.p_c:.4g}"
    )
    click.echo(one_line(f"  P_c: {result.p_c_from}"))
    if result.corpus:
        share = result.documents / result.corpus
        hint = (
            f"--overlap-docs {result.documents} ({share:.0%} of the {result.corpus} documents)"
            if result.documents <= result.corpus
            else f"more than the {result.corpus} documents of this database"
        )
        click.echo(one_line(f"  That is {hint}."))
    click.echo(f"  Formula: {PLAN_FORMULA}")
    click.echo(f"  Source: {PLAN_SOURCE}")
