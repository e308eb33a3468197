"""A self-contained HTML agreement report (tables and SVG charts, no external files),
for a supervisor or a paper's appendix."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from .report_text import (
    COEFFICIENT_HEADERS,
    ORIGIN_TITLES,
    SPAN_BELOW_HEADERS,
    coefficient_rows,
    design_lines,
    fmt,
    idle_notes,
    number,
    origin_table,
    resample_notes,
    source_tables,
    span_below_rows,
)

if TYPE_CHECKING:
    from .agreement.report import AgreementReport, PairValues

CSS = """
body{font:15px/1.5 Georgia,'DejaVu Serif',serif;color:#222;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f6f6}
.na{color:#999}.note{color:#666;font-size:.85rem}svg text{font:12px sans-serif}
"""


def _cell(value: float | None, ci: Sequence[float] | None = None) -> str:
    cls = "n" if value is not None else "n na"
    return f'<td class="{cls}">{escape(fmt(value, ci))}</td>'


def _alpha_chart(rows: list[tuple[str, float | None, Sequence[float] | None]]) -> str:
    """Horizontal bars of alpha with 95% interval whiskers, on a -0.5 .. 1 axis."""
    lo_axis, hi_axis = -0.5, 1.0
    width, label_w, row_h = 640, 230, 26
    plot_w = width - label_w - 20
    height = row_h * len(rows) + 40

    def x(v: float) -> float:
        v = max(lo_axis, min(hi_axis, v))
        return label_w + (v - lo_axis) / (hi_axis - lo_axis) * plot_w

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="alpha per label">']
    for tick in (-0.5, 0.0, 0.667, 0.8, 1.0):
        tx = x(tick)
        dash = ' stroke-dasharray="3,3"' if tick in (0.667, 0.8) else ""
        parts.append(
            f'<line x1="{tx:.1f}" y1="10" x2="{tx:.1f}" y2="{height - 25}" stroke="#bbb"{dash}/>'
            f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle">{tick:g}</text>'
        )
    for i, (name, value, ci) in enumerate(rows):
        y = 14 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{escape(name)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{x(0) + 4:.1f}" y="{y + 13}" fill="#999">undefined</text>')
            continue
        x0, x1 = sorted((x(0.0), x(value)))
        color = "#2ca02c" if value >= 0.8 else "#ff7f0e" if value >= 0.667 else "#d62728"
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="14"'
            f' fill="{color}" opacity="0.75"><title>{escape(name)}: {number(value)}</title></rect>'
        )
        if ci:
            a, b = x(ci[0]), x(ci[1])
            parts.append(
                f'<line x1="{a:.1f}" y1="{y + 10}" x2="{b:.1f}" y2="{y + 10}" stroke="#222"/>'
                f'<line x1="{a:.1f}" y1="{y + 5}" x2="{a:.1f}" y2="{y + 15}" stroke="#222"/>'
                f'<line x1="{b:.1f}" y1="{y + 5}" x2="{b:.1f}" y2="{y + 15}" stroke="#222"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _heat_map(coders: Sequence[str], pairs: PairValues, title: str) -> str:
    """Coder-by-coder matrix of a pairwise statistic (0 red .. 1 green)."""
    cell, left, top = 54, 90, 28
    width = left + cell * len(coders) + 10
    height = top + cell * len(coders) + 10
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}">']
    for i, a in enumerate(coders):
        parts.append(
            f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4}" text-anchor="end">'
            f"{escape(a[:12])}</text>"
            f'<text x="{left + i * cell + cell / 2}" y="{top - 8}" text-anchor="middle">'
            f"{escape(a[:8])}</text>"
        )
        for j, b in enumerate(coders):
            if a == b:
                value: float | None = 1.0
            else:
                value = pairs.get("|".join(sorted((a, b))))
            if value is None:
                fill, label = "#eee", "n/a"
            else:
                t = max(0.0, min(1.0, value))
                fill = f"rgb({int(214 - 170 * t)},{int(39 + 121 * t)},{int(40 + 4 * t)})"
                label = number(value, 2)
            parts.append(
                f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}"'
                f' height="{cell - 2}" fill="{fill}"/>'
                f'<text x="{left + j * cell + cell / 2 - 1}" y="{top + i * cell + cell / 2 + 4}"'
                f' text-anchor="middle" fill="#fff">{label}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _plain_table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    """A titled table of text cells (numbers already formatted; ``n/a`` greyed)."""
    out = [f"<p>{escape(title)}</p><table><tr>"]
    out += [f"<th>{escape(x)}</th>" for x in headers]
    out.append("</tr>")
    for row in rows:
        cells = [f"<td>{escape(row[0])}</td>"]
        cells += [f"<td class='{'n na' if c == 'n/a' else 'n'}'>{escape(c)}</td>" for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def render_html(report: AgreementReport, methods: str | None = None) -> str:
    """The whole report as one HTML document (``methods``: the drafted methods paragraph,
    :mod:`annotator.methods_text`, shown after the design)."""
    coders = report.coders
    boot = report.bootstrap
    h = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Agreement — {escape(report.scheme_name)}</title><style>{CSS}</style>",
        "<h1>Inter-coder agreement</h1>",
        f"<p class='meta'>Database {escape(report.database)} · scheme"
        f" {escape(report.scheme_name)} v{report.scheme_version} · coders"
        f" {escape(', '.join(coders) or 'none')} · {report.n_documents} document(s) coded · "
        + (
            f"95% percentile bootstrap intervals over documents ({boot.resamples} resamples,"
            f" seed {boot.seed})"
            if boot.resamples
            else "no bootstrap (no intervals)"
        )
        + "</p>",
    ]
    if report.origin != "all":
        h.append(f"<p class='meta'>Labels counted: {escape(ORIGIN_TITLES[report.origin])}</p>")
    if report.design is not None:
        h.append("<h2>Design</h2><ul class='design'>")
        h += [f"<li>{escape(line)}</li>" for line in design_lines(report.design)]
        h.append("</ul>")
    h += [f"<p class='note'>{escape(r)}</p>" for r in (*report.reasons, *idle_notes(report))]
    if methods:
        h += [
            "<h2>Methods paragraph (draft)</h2>",
            f"<blockquote class='methods'>{escape(methods)}</blockquote>",
            "<p class='note'>Drafted from the numbers below (annotator agreement --methods);"
            " edit the prose, not the numbers.</p>",
        ]

    chart_rows: list[tuple[str, float | None, Sequence[float] | None]] = []
    for name, f in report.doc_fields.items():
        chart_rows.append((f"field {name}", f.alpha.value, f.alpha.ci))
        for option, o in (f.options or {}).items():
            chart_rows.append((f"  {name} = {option}", o.value, o.ci))
    spans = [("all labels", report.spans.overall), *report.spans.by_label.items()]
    for name, b in spans:
        chart_rows.append((f"spans {name} (token)", b.alpha_token.value, b.alpha_token.ci))
        chart_rows.append((f"spans {name} (α_U)", b.alpha_u.value, b.alpha_u.ci))
    h += [
        "<h2>Krippendorff's α with 95% intervals</h2>",
        _alpha_chart(chart_rows),
        "<p class='note'>Dashed lines: α = 0.667 and 0.8, Krippendorff's thresholds for"
        " tentative and reliable conclusions.</p>",
        "<h2>Document fields</h2><table><tr><th>field</th><th>α [95% CI]</th>"
        "<th>agreement (0–1)</th><th>Fleiss' κ</th><th>documents</th></tr>",
    ]
    notes = []
    for name, f in report.doc_fields.items():
        h.append(
            f"<tr><td>{escape(name)}</td>{_cell(f.alpha.value, f.alpha.ci)}"
            f"{_cell(f.percent.value)}{_cell(f.fleiss_kappa.value)}"
            f"<td class='n'>{f.n_documents}</td></tr>"
        )
        for option, o in (f.options or {}).items():
            h.append(
                f"<tr><td>&nbsp;&nbsp;{escape(name)} = {escape(option)}</td>"
                f"{_cell(o.value, o.ci)}<td></td><td></td><td></td></tr>"
            )
        notes += [f"{name}: {k} undefined — {r}" for k, r in f.reasons().items()]
    field_resamples, span_resamples = resample_notes(report)
    notes += field_resamples
    h.append("</table>")
    h += [f"<p class='note'>{escape(n)}</p>" for n in notes]
    h += _coefficient_table(report)

    h.append("<h2>Spans</h2><table><tr><th>label</th><th>F1 exact</th><th>F1 overlap</th>"
             "<th>token α [95% CI]</th><th>α_U [95% CI]</th></tr>")  # fmt: skip
    notes = []
    for name, b in spans:
        h.append(
            f"<tr><td>{escape(name)}</td>{_cell(b.f1_exact.value)}{_cell(b.f1_overlap.value)}"
            f"{_cell(b.alpha_token.value, b.alpha_token.ci)}"
            f"{_cell(b.alpha_u.value, b.alpha_u.ci)}</tr>"
        )
        notes += [f"{name}: {k} undefined — {r}" for k, r in b.reasons().items()]
    notes += span_resamples
    h.append("</table>")
    h += [f"<p class='note'>{escape(n)}</p>" for n in notes]
    h.append(
        "<p class='note'>F1: pairwise between coders (exact: same start, end and label;"
        " overlap: same label and a shared character, matched one to one), averaged over"
        " coder pairs. Token α: each non-whitespace token a unit, coded by the labels covering"
        " it. α_U: Krippendorff's unitizing α (2004), each document a continuum.</p>"
    )
    h += _span_below_table(report)

    table = origin_table(report)
    if table is not None:
        h.append("<h2>Human-only and assisted labels side by side</h2>")
        h.append(_plain_table(*table))
    tables = source_tables(report)
    if tables:
        h.append("<h2>Suggestion sources against the coders and the gold layer</h2>")
        h += [_plain_table(*t) for t in tables]

    if len(coders) >= 2:
        h.append("<h2>Coder by coder</h2>")
        h.append("<p>Span F1 (overlap, all labels)</p>")
        h.append(_heat_map(coders, report.spans.overall.f1_pairs, "span F1 by pair"))
        for name, f in report.doc_fields.items():
            h.append(f"<p>Cohen's κ, {escape(name)}</p>")
            h.append(_heat_map(coders, f.cohen_kappa, f"Cohen's kappa, {name}"))

    h.append("<h2>Documents, worst first</h2><table><tr><th>id</th><th>title</th>"
             "<th>coders</th><th>F1 overlap</th><th>token α</th><th>α_U</th></tr>")  # fmt: skip
    for d in report.documents:
        h.append(
            f"<tr><td class='n'>{d.doc_id}</td><td>{escape(d.title)}</td>"
            f"<td>{escape(', '.join(d.coders))}</td>{_cell(d.f1_overlap)}"
            f"{_cell(d.alpha_token)}{_cell(d.alpha_u)}</tr>"
        )
    h.append("</table></html>")
    return "\n".join(h)


def _coefficient_table(report: AgreementReport) -> list[str]:
    """Gwet's AC1, Brennan-Prediger, P(α below .667/.800) and the prevalence flag per field
    (issue 16; the rows of :func:`~annotator.report_text.coefficient_rows`)."""
    rows, notes = coefficient_rows(report)
    if not rows:
        return []
    head = "".join(f"<th>{escape(h)}</th>" for h in COEFFICIENT_HEADERS)
    h = ["<h3>Beside α</h3>", f"<table class='beside'><tr>{head}</tr>"]
    for row in rows:
        label, *cells = row
        name = escape(label.strip())
        if label.startswith(" "):  # an option of a multi field
            name = "&nbsp;&nbsp;" + name
        tds = "".join(
            f"<td class='{'n na' if c == 'n/a' else 'n'}'>{escape(c)}</td>" for c in cells[:-1]
        )
        skewed = cells[-1].endswith("SKEWED")
        flag = " class='skewed' style='color:#b00;font-weight:bold'" if skewed else ""
        h.append(f"<tr><td>{name}</td>{tds}<td{flag}>{escape(cells[-1])}</td></tr>")
    h.append("</table>")
    h += [f"<p class='note'>{escape(n.strip())}</p>" for n in notes]
    h.append(
        "<p class='note'>P(α &lt; t): the share of bootstrap resamples whose α fell below t"
        " (Hayes &amp; Krippendorff 2007). AC1 and Brennan–Prediger correct percent agreement"
        " for chance without using the coders' marginal distribution, so a category that holds"
        " most codings does not pull them down as it does κ and α.</p>"
    )
    return h


def _span_below_table(report: AgreementReport) -> list[str]:
    """P(token α / α_U below .667 and .800) per span block (issue 16), when bootstrapped."""
    rows = span_below_rows(report)
    if not rows:
        return []
    head = "".join(f"<th>{escape(h)}</th>" for h in SPAN_BELOW_HEADERS)
    h = ["<h3>Spans: bootstrap probability that α is below .667 and .800</h3>"]
    h.append(f"<table><tr>{head}</tr>")
    for name, *cells in rows:
        tds = "".join(
            f"<td class='{'n na' if c == 'n/a' else 'n'}'>{escape(c)}</td>" for c in cells
        )
        h.append(f"<tr><td>{escape(name)}</td>{tds}</tr>")
    h.append("</table>")
    return h
