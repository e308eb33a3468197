"""Train a spaCy pipeline on the project's labels (issue 15)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from ._util import one_line, open_db


def _num(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}"


def _table(result: dict[str, Any]) -> list[str]:
    """The evaluation as aligned text lines."""
    spans = result["spans"]
    rows = [("spans", "precision", "recall", "f1", "gold", "predicted")]
    rows.append(("all", _num(spans["precision"]), _num(spans["recall"]), _num(spans["f1"]),
                 str(spans["n_gold"]), str(spans["n_predicted"])))  # fmt: skip
    for label, s in spans["by_label"].items():
        rows.append((label, _num(s["precision"]), _num(s["recall"]), _num(s["f1"]),
                     str(s["n_gold"]), str(s["n_predicted"])))  # fmt: skip
    lines = _aligned(rows)
    if result["doc_fields"]:
        fields = [("field", "accuracy", "macro-F1", "documents")]
        for field, f in result["doc_fields"].items():
            fields.append((field, _num(f["accuracy"]), _num(f["macro_f1"]), str(f["n_eval"])))
        lines += ["", *_aligned(fields)]
    return lines


def _aligned(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]


@click.command()
@click.option(
    "-o", "--output", "out_dir", required=True, type=click.Path(), metavar="MODEL_DIR",
    help="The model folder to write (new or empty).",
)  # fmt: skip
@click.option(
    "--from", "source", default="gold", show_default=True, metavar="gold|agreed|CODER",
    help="Train on the gold layer, on what every coder of a document agreed on, or on one"
    " coder's labels (coder:NAME for a coder named gold or agreed).",
)  # fmt: skip
@click.option(
    "--eval-split", type=float, default=0.2, show_default=True,
    help="Share of the documents held out for the evaluation (never the reliability sample).",
)  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--epochs", type=int, default=None, help="Passes over the training data [10].")
@click.option(
    "--include-reliability", is_flag=True,
    help="Train on the reliability sample too (it is never in the evaluation).",
)  # fmt: skip
@click.option("--name", default=None, help="The model's name (default: the folder's name).")
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as one JSON object.")
@click.pass_context
def train(
    ctx: click.Context,
    out_dir: str,
    source: str,
    eval_split: float,
    seed: int,
    epochs: int | None,
    include_reliability: bool,
    name: str | None,
    as_json: bool,
) -> None:
    """Train a spaCy pipeline on this project's labels and evaluate it.

    The pipeline (spancat for the span labels, a text classifier per document field) is
    written to MODEL_DIR, a plain spaCy pipeline folder (spacy.load reads it). Documents
    are held out by --eval-split for the evaluation: span precision, recall and F1 by
    exact match, and per field accuracy and macro-F1. The reliability sample is never
    held out and, unless --include-reliability, not trained on either.
    """
    from ..learn import DEFAULT_EPOCHS
    from ..training import train as train_model

    store = open_db(ctx, reading=True, seeds=False)
    total = epochs if epochs is not None else DEFAULT_EPOCHS
    shown = sys.stderr.isatty()

    def progress(epoch: int, loss: float) -> None:
        if shown:
            click.echo(f"epoch {epoch}/{total}  loss {loss:.3f}", err=True)

    result = train_model(
        store, out_dir, source=source, eval_split=eval_split, seed=seed, epochs=total,
        progress=progress, include_reliability=include_reliability, name=name,
    )  # fmt: skip
    for warning in result["warnings"]:
        click.echo(one_line(f"Warning: {warning}"), err=True)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    left = (
        f"; {result['n_reliability_excluded']} reliability-sample document(s) left out"
        if result["n_reliability_excluded"]
        else ("; the reliability sample trained on" if result["reliability_in_training"] else "")
    )
    click.echo(
        one_line(
            f"Trained {result['name']!r} on {result['n_train']} document(s) from"
            f" {result['source']} ({result['epochs']} epochs, seed {result['seed']},"
            f" {result['seconds']:.1f} s), evaluated on {result['n_eval']} held-out{left}."
        )
    )
    click.echo(one_line(f"Model written to {out_dir}"))
    if result["alignment"]["spans_expanded"]:
        n = result["alignment"]["spans_expanded"]
        click.echo(
            f"{n} span(s) did not fall on token boundaries and were widened to whole tokens."
        )
    click.echo("")
    for line in _table(result):
        click.echo(one_line(line))
