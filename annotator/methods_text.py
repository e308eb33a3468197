"""``annotator agreement --methods``: the reliability paragraph of a methods section,
drafted from the report — coders, the reliability documents and how they were chosen
(the study design, issue 13), each variable's coefficient with its interval, the
thresholds, and how disagreements were adjudicated into gold. Every number comes from
the report or the database; none is typed by hand. A draft: the author edits the prose.

Numbers follow APA style: statistics that cannot exceed 1 without a leading zero
(α = .81), three decimals rounded to two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .agreement.report import AgreementReport, Estimate

TENTATIVE, RELIABLE = 0.667, 0.8  # Krippendorff (2004, p. 241)
SOURCE = (
    "Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2nd ed.). Sage."
)


def apa(value: float) -> str:
    """``.81`` / ``-.05`` / ``1.00``: two decimals, no leading zero (APA 7, 6.36)."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return ".00"
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


def _with_ci(e: Estimate) -> str | None:
    if e.value is None:
        return None
    if e.ci is None:
        return apa(e.value)
    return f"{apa(e.value)}, 95% CI [{apa(e.ci[0])}, {apa(e.ci[1])}]"


def _words(n: int) -> str:
    small = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return small[n] if 0 <= n < len(small) else f"{n:,}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (", and " if len(items) > 2 else " and ") + items[-1]


def _design_sentence(report: AgreementReport) -> str:
    design = report.design
    coders = len(report.coders)
    if design is None:
        return (
            f"{_words(coders).capitalize()} coders ({_join(list(report.coders))}) coded the"
            f" material; agreement was computed on the {report.n_documents:,} documents that"
            " at least one of them coded, of which those coded by two or more coders enter"
            " the coefficients."
        )
    drawn: Mapping[str, Any] = design.drawn
    method = drawn.get("method")
    how = "drawn at random" if method is None else f"drawn at random ({method}"
    if method is not None:
        seed = f"seed {design.seed}" if design.seed is not None else ""
        strat = drawn.get("stratify")
        extra = [x for x in (f"stratified by {strat}" if strat else "", seed) if x]
        how += (", " + ", ".join(extra) if extra else "") + ")"
    sample = "reliability sample" if design.sample == "reliability" else "documents"
    per_doc = max(design.coders_per_document, default=0)
    return (
        f"{_words(len(design.coders)).capitalize()} coders ({_join(list(design.coders))}) took"
        f" part in round {design.round!r}. The {sample} of {design.documents:,} documents was"
        f" {how} from the corpus and assigned so that each document was coded independently"
        f" by {_words(per_doc)} coders; coders were not told which documents were in the"
        f" sample. Of these, {design.coded_by_two:,} documents were coded by at least two"
        " coders and enter the coefficients below."
    )


def _reason(reason: str | None) -> str:
    """An undefined statistic's reason, short: "no variation: every token is outside
    (alpha undefined)" -> "no variation"."""
    text = (reason or "undefined").split(":")[0].split(" (")[0]
    return text.strip() or "undefined"


def methods_paragraph(report: AgreementReport, gold: Mapping[str, int] | None = None) -> str:
    """The draft paragraph (see the module's doc). ``gold``: ``{"documents", "spans"}``
    of the adjudicated layer (``Store.stats()["gold"]``)."""
    parts = [_design_sentence(report)]
    fields = []
    low: list[str] = []
    undefined: list[str] = []
    for name, f in report.doc_fields.items():
        shown = _with_ci(f.alpha)
        if shown is None:
            undefined.append(f"{name.replace('_', ' ')} ({_reason(f.alpha.reason)})")
            continue
        pct = f"; {f.percent.value * 100:.0f}% agreement" if f.percent.value is not None else ""
        fields.append(f"{name.replace('_', ' ')} (α = {shown}{pct})")
        if f.alpha.value is not None and f.alpha.value < RELIABLE:
            low.append(name.replace("_", " "))
    if fields:
        parts.append(
            "Agreement on the document-level variables, measured with Krippendorff's α"
            " (nominal), was: " + _join(fields) + "."
        )
    labels = []
    for name, block in report.spans.by_label.items():
        shown = _with_ci(block.alpha_token)
        if shown is None:
            undefined.append(
                f"the {name.replace('_', ' ')} passages ({_reason(block.alpha_token.reason)})"
            )
            continue
        labels.append(f"{name.replace('_', ' ')} (α = {shown})")
        if block.alpha_token.value is not None and block.alpha_token.value < RELIABLE:
            low.append(f"the {name.replace('_', ' ')} passages")
    overall = _with_ci(report.spans.overall.alpha_token)
    if labels:
        head = (
            "For the coded passages, agreement was measured per token (each word a unit,"
            " coded by the frame labels covering it)"
        )
        head += f": α = {overall} over all labels, and " if overall else ": "
        parts.append(head + _join(labels) + ".")
    if undefined:
        parts.append(
            "α could not be computed for " + _join(undefined) + ": a coefficient of agreement"
            " is undefined where nothing was coded or the coders' values do not vary."
        )
    boot = report.bootstrap
    if boot.resamples:
        parts.append(
            f"Confidence intervals are percentile bootstrap intervals over documents"
            f" ({boot.resamples:,} resamples, seed {boot.seed})."
        )
    parts.append(
        "Following Krippendorff (2004), we regard α ≥ .800 as reliable and .667 ≤ α < .800"
        " as acceptable only for tentative conclusions."
    )
    if low:
        parts.append(f"By this standard, {_join(low)} fell short of .800.")
    elif fields or labels:
        parts.append("Every variable reached this standard.")
    if gold and (gold.get("documents") or gold.get("spans")):
        parts.append(
            f"Disagreements were resolved by adjudication: {gold.get('documents', 0):,}"
            f" documents were reviewed and their {gold.get('spans', 0):,} adjudicated passages"
            " and document codes form the gold standard used in the analysis."
        )
    else:
        parts.append("No disagreements have been adjudicated into a gold standard yet.")
    return " ".join(parts)
