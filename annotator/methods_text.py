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
from .report_text import percent

TENTATIVE, RELIABLE = 0.667, 0.8  # Krippendorff (2004, p. 241)
SOURCE = (
    "Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2nd ed.). Sage."
)


def apa(value: float, thresholds: tuple[float, ...] = ()) -> str:
    """``.81`` / ``-.05`` / ``1.00``: two decimals, no leading zero (APA 7, 6.36).

    With ``thresholds``, more decimals (up to six, the report's) where two would round the
    value up to a threshold it falls short of: α = .796875 is ``.797``, not ``.80`` beside
    "fell short of .800"."""
    for digits in range(2, 7):
        text = f"{value:.{digits}f}"
        if not any(value < t <= float(text) for t in thresholds):
            break
    if float(text) == 0:
        return "." + "0" * digits
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


def _with_ci(e: Estimate) -> str | None:
    if e.value is None:
        return None
    shown = apa(e.value, (TENTATIVE, RELIABLE))  # never rounded up to a threshold
    if e.ci is None:
        return shown
    return f"{shown}, 95% CI [{apa(e.ci[0])}, {apa(e.ci[1])}]"


def _words(n: int) -> str:
    small = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return small[n] if 0 <= n < len(small) else f"{n:,}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (", and " if len(items) > 2 else " and ") + items[-1]


def _count(n: int, one: str, many: str) -> str:
    """``"1 document"`` / ``"8 documents"``."""
    return f"{n:,} {one if n == 1 else many}"


def _coders_phrase(coders: tuple[str, ...]) -> str:
    """``"One coder (cy)"`` / ``"Two coders (ana and ben)"``."""
    noun = "coder" if len(coders) == 1 else "coders"
    return f"{_words(len(coders)).capitalize()} {noun} ({_join(list(coders))})"


def _assigned(per_document: Mapping[int, int]) -> str:
    """How many coders the documents were assigned to, as the design's counts say:
    ``"Each was assigned to two coders, to be coded independently."`` or ``"Of these, 6
    were assigned to two coders and 4 to one coder."``."""

    def coders(k: int) -> str:
        return f"{_words(k)} {'coder' if k == 1 else 'coders'}"

    groups = sorted(((k, n) for k, n in per_document.items() if n), reverse=True)
    if not groups:
        return ""
    if len(groups) == 1:
        k = groups[0][0]
        if k < 2:
            return f"Each was assigned to {coders(k)}."
        return f"Each was assigned to {coders(k)}, to be coded independently."
    (k0, n0), rest = groups[0], groups[1:]
    more = _join([f"{n:,} to {coders(k)}" for k, n in rest])
    return f"Of these, {n0:,} {'was' if n0 == 1 else 'were'} assigned to {coders(k0)} and {more}."


def _idle_sentence(report: AgreementReport, names: tuple[str, ...]) -> str:
    """The coders named who coded none of the documents (they add nothing to any
    coefficient): a reader must not count them among the coders."""
    idle = [c for c in names if report.coded.get(c, 1) == 0]
    if not idle:
        return ""
    verb = "was" if len(idle) == 1 else "were"
    if report.origin != "all":  # they may have coded, with codes of the other origin
        which = "human-only" if report.origin == "manual" else "suggestion-assisted"
        return (
            f" {_join(idle)} made no {which} codes on these documents and {verb} not counted here."
        )
    return (
        f" {_join(idle)} {verb} registered as {'a coder' if len(idle) == 1 else 'coders'}"
        f" but coded none of these documents and {verb} not counted."
    )


def _design_sentence(report: AgreementReport) -> str:
    design = report.design
    machine = {s.coder for s in report.sources.values()}  # --with-source: not people
    people = tuple(c for c in report.coders if c not in machine)
    if design is None:
        # a coder who coded none of the documents (e.g. only opened the window) did not
        # code the material
        idle = _idle_sentence(report, people)
        people = tuple(c for c in people if report.coded.get(c, 1) > 0)
        coders = [c for c in report.coders if report.coded.get(c, 1) > 0]
        docs = _count(report.n_documents, "document", "documents")
        if len(coders) < 2:
            return (
                f"{_coders_phrase(people)} coded the material ({docs}); with fewer"
                " than two coders no agreement coefficient can be computed."
                + idle
                + _sources_sentence(report)
                + _origin_sentence(report)
            )
        return (
            (
                f"{_coders_phrase(people)} coded the material; agreement was computed on"
                f" the {docs} that at least one of them coded, of which those coded by two or"
                " more coders enter the coefficients."
            )
            + idle
            + _sources_sentence(report)
            + _origin_sentence(report)
        )
    drawn: Mapping[str, Any] = design.drawn
    method = drawn.get("method")
    seed = f"; seed {design.seed}" if design.seed is not None else ""
    # each ``assign --only-unassigned`` drew its own sample, under its own method
    extensions = drawn.get("extensions")
    seed += "".join(
        f"; then extended with documents not yet assigned: {e['method']}"
        for e in (extensions if isinstance(extensions, list) else ())
        if isinstance(e, dict) and isinstance(e.get("method"), str)
    )
    docs = _count(design.documents, "document", "documents")
    reliability = design.sample == "reliability"
    parts = [f"{_coders_phrase(design.coders)} took part in round {design.round!r}."]
    # A round drawn by `annotator assign` records its method (always a seeded random draw,
    # annotator.design); a round without one (made from a coder's pack, or by hand) says
    # nothing about how its documents were chosen, and neither does the paragraph.
    if reliability and method is not None:
        parts.append(
            f"The reliability sample of {docs} was drawn at random from the round's"
            f" documents ({method}{seed})."
        )
    elif reliability:
        parts.append(
            f"The reliability sample comprised {docs}; how its documents were chosen is not"
            " recorded."
        )
    elif method is not None:
        parts.append(f"The round comprised {docs}, assigned by its design ({method}{seed}).")
    else:
        parts.append(f"The round comprised {docs}; how its documents were chosen is not recorded.")
    assigned = _assigned(design.coders_per_document)
    if assigned:
        parts.append(assigned)
    if reliability and method is not None:
        parts.append("The coding tool did not show coders which documents were in the sample.")
    two = design.coded_by_two
    parts.append(
        f"In all, {_count(two, 'document was', 'documents were')} coded by at least two"
        f" coders and {'enters' if two == 1 else 'enter'} the coefficients below."
        + _idle_sentence(report, design.coders)
    )
    return " ".join(parts) + _sources_sentence(report) + _origin_sentence(report)


def _skewed_sentences(report: AgreementReport) -> list[str]:
    """For a field where one value holds more than 80 % of the codings (the report's
    prevalence flag), the share and the coefficients that a skewed category does not sink:
    α and κ can be low there although coders nearly always agree (Feinstein & Cicchetti,
    1990)."""
    out = []
    for name, f in report.doc_fields.items():
        chance = f.chance
        if chance is None or not chance.skewed or chance.prevalence is None:
            continue
        if f.alpha.value is None:
            continue
        value = chance.prevalence.value
        if isinstance(value, (list, tuple, frozenset)):  # a multi field's set of options
            shown = repr(", ".join(value)) if value else "no option chosen"
        else:
            shown = repr(str(value))
        beside = [
            f"{what} = {apa(v)}"
            for what, v in (
                ("Gwet's AC1", chance.gwet_ac1),
                ("Brennan and Prediger's coefficient", chance.brennan_prediger),
            )
            if v is not None
        ]
        out.append(
            f"For {name.replace('_', ' ')}, one value ({shown}) holds"
            f" {percent(chance.prevalence.share)} of the codings, where α can be low although"
            " the coders nearly always agree (Feinstein & Cicchetti, 1990)"
            + ("; " + " and ".join(beside) if beside else "")
            + "."
        )
    return out


def _origin_sentence(report: AgreementReport) -> str:
    """Which codes count, when some were accepted from automated suggestions (``agreement
    --origin``): a reader must know whether the coefficients are human-only."""
    if report.origin == "manual":
        return (
            " Only codes the coders made without an automated suggestion count: a document"
            " code accepted from a suggestion is treated as missing, and a coder's passages"
            " on a document where any came from a suggestion are left out for that document."
        )
    if report.origin == "assisted":
        return (
            " Only codes accepted from automated suggestions count here (as they were or"
            " after the coder changed them); the coders' other codes are left out."
        )
    if report.by_origin:
        return (
            " Some codes were accepted from automated suggestions (as they were or after the"
            " coder changed them); the coefficients count them as the coders' own."
        )
    return ""


def _sources_sentence(report: AgreementReport) -> str:
    """With ``--with-source``, every coefficient counts a suggestion source as one more
    coder: the paragraph must say so, and not count it among the people."""
    if not report.sources:
        return ""
    names = _join([repr(name) for name in report.sources])
    which = "source" if len(report.sources) == 1 else "sources"
    left_out = [(name, s.n_trained_on) for name, s in report.sources.items() if s.n_trained_on]
    out_of_sample = (
        " A source's model is counted only on documents it was not trained on ("
        + _join([f"{n} document(s) of {name!r} left out" for name, n in left_out])
        + ")."
        if left_out
        else ""
    )
    return (
        f" The coefficients below also count the suggestions of the automated {which}"
        f" {names} as a further coder on the documents the coders coded; a document coded"
        " by one coder and a source counts as coded by two." + out_of_sample
    )


def _reason(reason: str | None) -> str:
    """An undefined statistic's reason, short: "no variation: every token is outside
    (alpha undefined)" -> "no variation"."""
    text = (reason or "undefined").split(":")[0].split(" (")[0]
    return text.strip() or "undefined"


def methods_paragraph(report: AgreementReport, gold: Mapping[str, int] | None = None) -> str:
    """The draft paragraph (see the module's doc). ``gold``: ``{"documents", "spans"}``
    of the adjudicated layer (``Store.stats()["gold"]``), used only for a report that does
    not count it itself: the report's own count is on its documents (a round's sample),
    not on the whole database."""
    if report.gold is not None:
        gold = report.gold
    parts = [_design_sentence(report)]
    fields = []
    low: list[tuple[str, float]] = []  # (variable, α) below .800
    undefined: list[str] = []
    for name, f in report.doc_fields.items():
        shown = _with_ci(f.alpha)
        if shown is None:
            undefined.append(f"{name.replace('_', ' ')} ({_reason(f.alpha.reason)})")
            continue
        pct = f"; {percent(f.percent.value)} agreement" if f.percent.value is not None else ""
        fields.append(f"{name.replace('_', ' ')} (α = {shown}{pct})")
        if f.alpha.value is not None and f.alpha.value < RELIABLE:
            low.append((name.replace("_", " "), f.alpha.value))
    if fields:
        parts.append(
            "Agreement on the document-level variables, measured with Krippendorff's α"
            " (nominal), was: " + _join(fields) + "."
        )
        parts += _skewed_sentences(report)
        multi = [
            n.replace("_", " ")
            for n, f in report.doc_fields.items()
            if f.kind == "multi" and f.alpha.value is not None
        ]
        if multi:
            parts.append(
                f"For {_join(multi)}, where coders could choose several options, each"
                " combination of options chosen counts as one value."
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
            low.append((f"the {name.replace('_', ' ')} passages", block.alpha_token.value))
    overall = _with_ci(report.spans.overall.alpha_token)
    if labels:
        head = (
            "For the coded passages, agreement was measured per token (each word or"
            " punctuation mark a unit, coded for each label as inside or outside the coder's"
            " passages of it, and over all labels by the set of labels covering it)"
        )
        head += f": α = {overall} over all labels, and " if overall else ": "
        parts.append(head + _join(labels) + ".")
    if undefined:
        parts.append(
            "α could not be computed for " + _join(undefined) + ": a coefficient of agreement"
            " is undefined where fewer than two coders coded the same units or the coders'"
            " values do not vary."
        )
    boot = report.bootstrap
    if boot.resamples:
        parts.append(
            f"Confidence intervals are percentile bootstrap intervals over documents"
            f" ({boot.resamples:,} resamples, seed {boot.seed})."
        )
        # an interval over fewer resamples (α undefined in the others: no variation, such
        # as a resample of documents all coded alike) must say so
        fewer = [
            (name.replace("_", " "), f.alpha.used)
            for name, f in report.doc_fields.items()
            if f.alpha.value is not None and f.alpha.used is not None
        ] + [
            (f"the {name.replace('_', ' ')} passages", b.alpha_token.used)
            for name, b in report.spans.by_label.items()
            if b.alpha_token.value is not None and b.alpha_token.used is not None
        ]
        if fewer:
            parts.append(
                "α was undefined on some resamples' documents (no variation, or none coded by"
                " two coders): in "
                + _join([f"{boot.resamples - used:,} resamples for {name}" for name, used in fewer])
                + "; "
                + ("its interval is" if len(fewer) == 1 else "their intervals are")
                + " over the remaining resamples."
            )
    parts.append(
        "Following Krippendorff (2004), we regard α ≥ .800 as reliable and .667 ≤ α < .800"
        " as acceptable only for tentative conclusions."
    )
    if low:
        # below .667 is not even tentative (Krippendorff 2004): say which, not only ".800"
        unusable = [name for name, value in low if value < TENTATIVE]
        also = ""
        if len(unusable) == len(low):
            also = " and also of .667, too low even for tentative conclusions"
        elif unusable:
            also = f"; {_join(unusable)} also of .667, too low even for tentative conclusions"
        parts.append(f"By this standard, {_join([n for n, _ in low])} fell short of .800{also}.")
    elif (fields or labels) and undefined:
        parts.append("Every variable for which α could be computed reached this standard.")
    elif fields or labels:
        parts.append("Every variable reached this standard.")
    if gold and (gold.get("documents") or gold.get("spans")):
        n_spans, n_codes = gold.get("spans", 0), gold.get("document_codes")
        if n_codes is None:  # counted on the whole database (Store.stats): passages only
            what = (
                f"their {_count(n_spans, 'adjudicated passage', 'adjudicated passages')}"
                " and document codes form"
            )
        else:  # what the layer holds on these documents, each kind it has
            kinds = [
                _count(n, one, many)
                for n, one, many in (
                    (n_spans, "adjudicated passage", "adjudicated passages"),
                    (n_codes, "adjudicated document code", "adjudicated document codes"),
                )
                if n
            ]
            what = f"their {_join(kinds)} {'forms' if n_spans + n_codes == 1 else 'form'}"
        parts.append(
            "Disagreements were resolved by adjudication:"
            f" {_count(gold.get('documents', 0), 'document was', 'documents were')} reviewed"
            f" and {what} the gold standard used in the analysis."
        )
    else:
        parts.append("No disagreements have been adjudicated into a gold standard yet.")
    return " ".join(parts)
