"""Readable plain-text tables of an agreement report (what ``annotator agreement`` prints)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only: importing the statistics package loads numpy
    from .agreement.report import AgreementReport, Estimate, SampleDesign
    from .agreement.sources import PairField

# How the report names the views of ``agreement --origin``.
ORIGIN_TITLES = {"all": "all labels", "manual": "human-only", "assisted": "assisted"}
Table = tuple[str, list[str], list[list[str]]]  # title, headers, rows

# Keys of a round's recorded design that say how its sample was drawn, shown first.
DRAWN_KEYS = ("method", "overlap", "overlap_docs", "per_doc", "stratify")


def number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, the one way every shown number is written (CLI,
    HTML report, window): never ``-0.000`` (a negative value that rounds to zero, or -0.0)."""
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


def percent(share: float) -> str:
    """A share as a percentage, ``"67%"``; a share short of 1 (or above 0) never rounds to
    100% (or 0%): one disagreement in 250 is 99.6%, not the 100% of no disagreement."""
    for digits in range(0, 5):
        text = number(share * 100, digits)
        if (float(text) < 100 or share >= 1) and (float(text) > 0 or share <= 0):
            break
    return f"{text}%"


def fmt(value: float | None, ci: Sequence[float] | None = None) -> str:
    if value is None:
        return "n/a"
    text = number(value)
    if ci:
        text += f" [{number(ci[0])}, {number(ci[1])}]"
    return text


def resample_notes(report: AgreementReport) -> tuple[list[str], list[str]]:
    """The intervals over fewer resamples than requested (the statistic was undefined in the
    others, e.g. every value the same): ``(field notes, span notes)``, shown under each table
    (text and HTML). Those intervals and P(α below) leave out the resamples of, e.g.,
    perfect agreement with no variation, so a reader must know how many there were."""
    requested = report.bootstrap.resamples

    def note(label: str, what: str, e: Estimate) -> list[str]:
        if e.used is None:
            return []
        return [
            f"{label}: {what}'s interval is over the {e.used} of {requested} resamples where"
            f" it was defined ({requested - e.used} undefined, e.g. no variation)"
        ]

    fields: list[str] = []
    for name, f in report.doc_fields.items():
        fields += note(name, "alpha", f.alpha)
        for option, o in (f.options or {}).items():
            fields += note(f"{name}={option}", "alpha", o)
    spans: list[str] = []
    for name, b in [("overall", report.spans.overall), *report.spans.by_label.items()]:
        spans += note(name, "alpha_token", b.alpha_token) + note(name, "alpha_u", b.alpha_u)
    return fields, spans


def idle_notes(report: AgreementReport) -> list[str]:
    """The coders named who coded none of the documents read (e.g. one who only opened the
    window): listed among the coders, they add nothing to any statistic."""
    what = "coded none of these documents"
    if report.origin != "all":  # they may have coded, with labels of the other origin
        what = f"has no {ORIGIN_TITLES[report.origin]} labels on these documents"
    return [f"{c} {what} (no statistic counts them)" for c, n in report.coded.items() if n == 0]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out


def _value(value: object) -> str:
    if isinstance(value, dict):  # e.g. the strata: {"taz": {"candidates": 10, "drawn": 2}}
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    return "none" if value is None else str(value)


def design_lines(design: SampleDesign) -> list[str]:
    """The design a report was computed on, in a few plain lines (the text report, the
    HTML report and the window state it above the numbers)."""
    what = "its reliability sample" if design.sample == "reliability" else "all its documents"
    per_doc = "; ".join(
        f"{k} coder(s): {n} document(s)" for k, n in design.coders_per_document.items()
    )
    # what was not used (no stratification, no --per-doc ...) is left out
    drawn = {k: v for k, v in design.drawn.items() if v not in (None, "", [], {})}
    keys = [k for k in DRAWN_KEYS if k in drawn]
    keys += sorted(k for k in drawn if k not in DRAWN_KEYS and k not in ("coders", "seed"))
    extensions = drawn.get("extensions")
    if isinstance(extensions, list):  # each extension's own record: counted here
        drawn["extensions"] = f"{len(extensions)} (assign --only-unassigned)"
    how = ", ".join(f"{k} {_value(drawn[k])}" for k in keys) or "not recorded"
    method = drawn.get("method")
    if isinstance(method, str) and "candidates" in drawn:
        # ``annotator assign``'s own sentence says how (its other keys are in --json)
        how = method + "".join(
            f"; {k} {_value(drawn[k])}" for k in ("strata", "extensions") if k in drawn
        )
    return [
        f"Round {design.round}, {what}: {design.documents} document(s),"
        f" {design.coded_by_two} of them coded by at least two coders",
        f"Coders: {', '.join(design.coders) or 'none'}",
        f"Coders assigned per document: {per_doc or 'none'}",
        f"Drawn: {how}; seed {_value(design.seed)}",
    ]


def origin_table(report: AgreementReport) -> Table | None:
    """The views of the labels by origin side by side (the report's own first): documents,
    α per field, token α and overlap F1 per span label; None when origins were not told
    apart."""
    if not report.by_origin:
        return None
    views = [(report.origin, report), *report.by_origin.items()]
    rows = [["documents coded", *(str(r.n_documents) for _, r in views)]]
    for name in report.doc_fields:
        rows.append(
            [f"field {name}: alpha", *(fmt(r.doc_fields[name].alpha.value) for _, r in views)]
        )
    for label in ["overall", *report.spans.by_label]:
        blocks = [
            r.spans.overall if label == "overall" else r.spans.by_label[label] for _, r in views
        ]
        rows.append([f"spans {label}: token alpha", *(fmt(b.alpha_token.value) for b in blocks)])
        rows.append([f"spans {label}: F1 overlap", *(fmt(b.f1_overlap.value) for b in blocks)])
    title = (
        "By origin: human-only = labels made without suggestions (a coder with a span from"
        " a suggestion on a document is left out of its span agreement; a field value from"
        " a suggestion is missing); assisted = the rest"
    )
    return title, ["", *(ORIGIN_TITLES[o] for o, _ in views)], rows


def source_tables(report: AgreementReport) -> list[Table]:
    """Each suggestion source against each coder, and against the gold layer."""
    out: list[Table] = []
    for name, src in report.sources.items():
        left_out = (
            f"; {src.n_trained_on} more left out: its model was trained on them"
            if src.n_trained_on
            else ""
        )
        who = f"Source {name} (the coder {src.coder}, on {src.n_documents} document(s){left_out})"
        coders = list(src.vs_coders)
        if coders:
            heads = [h for c in coders for h in (f"{c} F1 exact", f"{c} F1 overlap")]
            rows = []
            for label in ["overall", *report.spans.by_label]:
                cells = []
                for c in coders:
                    v = src.vs_coders[c]
                    pair = v.overall if label == "overall" else v.by_label[label]
                    cells += [fmt(pair.f1_exact), fmt(pair.f1_overlap)]
                rows.append([label, *cells])
            out.append((f"{who} against each coder: spans", ["label", *heads], rows))
            heads = [h for c in coders for h in (f"{c} alpha", f"{c} Cohen k")]
            rows = [
                [f, *(x for c in coders for x in _pair_field(src.vs_coders[c].doc_fields[f]))]
                for f in report.doc_fields
            ]
            if rows:
                out.append((f"{who} against each coder: document fields", ["field", *heads], rows))
        gold = src.vs_gold
        if gold is None:
            continue
        rows = []
        for label in ["overall", *gold.by_label]:
            modes = gold.overall if label == "overall" else gold.by_label[label]
            cells = []
            for m in ("exact", "overlap"):
                p = modes[m]
                cells += [fmt(p.precision), fmt(p.recall), fmt(p.f1)]
            rows.append([label, *cells])
        heads = ["P exact", "R exact", "F1 exact", "P overlap", "R overlap", "F1 overlap"]
        out.append(
            (f"{who} against gold ({gold.n_documents} document(s)): spans", ["label", *heads], rows)
        )
        rows = [
            [f, fmt(a.accuracy), str(a.n_documents), str(a.n_predicted)]
            for f, a in gold.doc_fields.items()
        ]
        if rows:
            heads = ["field", "accuracy", "gold values", "predicted"]
            out.append((f"{who} against gold: document fields", heads, rows))
    return out


def _pair_field(p: PairField) -> tuple[str, str]:
    return fmt(p.alpha), fmt(p.cohen_kappa)


def render_text(report: AgreementReport, documents: int = 10) -> str:
    boot = report.bootstrap
    shown = "" if report.origin == "all" else f"; labels counted: {ORIGIN_TITLES[report.origin]}"
    out = [
        f"Agreement: {report.database} (scheme {report.scheme_name} v{report.scheme_version})"
        + shown,
        f"Coders: {', '.join(report.coders) or 'none'};"
        f" {report.n_documents} document(s) coded; "
        + (
            f"95% bootstrap intervals over documents ({boot.resamples} resamples, seed {boot.seed})"
            if boot.resamples
            else "no bootstrap (no intervals)"
        ),
    ]
    if report.design is not None:
        out += ["", "Design", *(f"  {line}" for line in design_lines(report.design))]
    out += [f"Note: {r}" for r in (*report.reasons, *idle_notes(report))]
    out += ["", "Document fields"]
    rows = []
    notes = []
    for name, f in report.doc_fields.items():
        rows.append(
            [name, fmt(f.alpha.value, f.alpha.ci), fmt(f.percent.value), fmt(f.fleiss_kappa.value),
             str(f.n_documents)]
        )  # fmt: skip
        for option, o in (f.options or {}).items():
            rows.append([f"  {name}={option}", fmt(o.value, o.ci), "", "", ""])
        notes += [f"  {name}: {k} undefined: {r}" for k, r in f.reasons().items()]
    out += _table(
        ["field", "Krippendorff's alpha [95% CI]", "agreement (0-1)", "Fleiss k", "docs"], rows
    )
    field_resamples, span_resamples = resample_notes(report)
    out += notes + [f"  {n}" for n in field_resamples]
    out += coefficient_lines(report)
    pairs = sorted({p for f in report.doc_fields.values() for p in f.cohen_kappa})
    if pairs:
        out += ["", "Cohen's kappa per coder pair"]
        rows = [
            [name, *(fmt(f.cohen_kappa.get(p)) for p in pairs)]
            for name, f in report.doc_fields.items()
        ]
        out += _table(["field", *pairs], rows)
    out += ["", "Spans"]
    rows = []
    notes = []
    blocks = [("overall", report.spans.overall), *report.spans.by_label.items()]
    for name, b in blocks:
        rows.append(
            [name, fmt(b.f1_exact.value), fmt(b.f1_overlap.value),
             fmt(b.alpha_token.value, b.alpha_token.ci), fmt(b.alpha_u.value, b.alpha_u.ci)]
        )  # fmt: skip
        notes += [f"  {name}: {k} undefined: {r}" for k, r in b.reasons().items()]
    out += _table(
        ["label", "F1 exact", "F1 overlap", "token alpha [95% CI]", "alpha_U [95% CI]"], rows
    )
    out += notes + [f"  {n}" for n in span_resamples]
    out += span_below_lines(report)
    table = origin_table(report)
    for title, headers, rows in [*([table] if table else []), *source_tables(report)]:
        out += ["", title, *_table(headers, rows)]
    if report.documents:
        out += ["", f"Documents, worst first (first {min(documents, len(report.documents))})"]
        rows = [
            [str(d.doc_id), d.title[:50], fmt(d.f1_overlap), fmt(d.alpha_token), fmt(d.alpha_u)]
            for d in report.documents[:documents]
        ]
        out += _table(["id", "title", "F1 overlap", "token alpha", "alpha_U"], rows)
    return "\n".join(out)


# -- beside α: AC1, Brennan-Prediger, P(α below), prevalence (issue 16) ---------------------

COEFFICIENT_HEADERS = [
    "field",
    "Gwet's AC1",
    "Brennan-Prediger",
    "P(alpha < .667)",
    "P(alpha < .800)",
    "commonest value (share of codings)",
]

KAPPA_PARADOX = (
    "one value holds more than 80% of the codings: kappa and alpha can then be low although"
    " the coders nearly always agree (the 'kappa paradox'), so read them beside percent"
    " agreement, Gwet's AC1 and Brennan-Prediger."
)


def _commonest(value: object) -> str:
    if isinstance(value, bool):  # a multi field's option: chosen or not
        return "chosen" if value else "not chosen"
    if isinstance(value, (list, tuple, frozenset)):
        return ", ".join(str(v) for v in value) or "nothing chosen"
    return str(value)


def coefficient_rows(report: AgreementReport) -> tuple[list[list[str]], list[str]]:
    """Per document field (and per option of a multi field): AC1, Brennan-Prediger, the
    bootstrap probability that α is below .667 and .800, and the commonest value with its
    share ("SKEWED" above 80%); and the notes: why a coefficient is undefined, and which
    fields are skewed (the text and HTML reports show both)."""
    rows: list[list[str]] = []
    notes: list[str] = []
    skewed: list[str] = []
    for name, f in report.doc_fields.items():
        if f.chance is None:
            continue
        blocks = [
            (name, f.chance),
            *((f"{name}={o}", c) for o, c in (f.chance.options or {}).items()),
        ]
        for i, (label, c) in enumerate(blocks):
            below = c.alpha_below or {}
            prev = c.prevalence
            common = "n/a"
            if prev is not None:
                common = f"{_commonest(prev.value)} ({percent(prev.share)})"
                if prev.skewed:
                    common += " SKEWED"
                    skewed.append(label)
            rows.append(
                [label if i == 0 else f"  {label}", fmt(c.gwet_ac1), fmt(c.brennan_prediger),
                 fmt(below.get("0.667")), fmt(below.get("0.8")), common]
            )  # fmt: skip
            known = set(f.reasons().values()) if i == 0 else set()
            notes += [
                f"  {label}: {k} undefined: {r}" for k, r in c.reasons.items() if r not in known
            ]
    if skewed:
        notes.append(f"  Skewed ({', '.join(skewed)}): {KAPPA_PARADOX}")
    return rows, notes


def coefficient_lines(report: AgreementReport) -> list[str]:
    """The text report's table of the coefficients beside α (see :func:`coefficient_rows`)."""
    rows, notes = coefficient_rows(report)
    if not rows:
        return []
    return ["", "Beside alpha (chance corrections that a skewed category does not sink)",
            *_table(COEFFICIENT_HEADERS, rows), *notes]  # fmt: skip


def span_below_rows(report: AgreementReport) -> list[list[str]]:
    """Per span block (overall, then each label): the bootstrap probability that token α and
    α_U are below .667 and .800; no rows without a bootstrap."""
    blocks = [("overall", report.spans.overall), *report.spans.by_label.items()]
    rows = []
    for name, b in blocks:
        tok, unit = b.alpha_token_below or {}, b.alpha_u_below or {}
        if tok or unit:
            rows.append([name, *(fmt(d.get(t)) for d in (tok, unit) for t in ("0.667", "0.8"))])
    return rows


SPAN_BELOW_HEADERS = [
    "label",
    "token alpha: P(< .667)",
    "P(< .800)",
    "alpha_U: P(< .667)",
    "P(< .800)",
]


def span_below_lines(report: AgreementReport) -> list[str]:
    """The text report's table of :func:`span_below_rows`."""
    rows = span_below_rows(report)
    if not rows:
        return []
    return ["", "Spans: bootstrap probability that alpha is below Krippendorff's thresholds",
            *_table(SPAN_BELOW_HEADERS, rows)]  # fmt: skip
