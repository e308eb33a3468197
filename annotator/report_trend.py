"""The HTML page of ``agreement --by ... --report``: α per field and label across the
groups as a line chart (codebook changes marked), the table of values, the flagged
falls, and each group's own report below."""

from __future__ import annotations

from html import escape

from .agreement.axis import axis_start, axis_ticks
from .agreement_trend import DROP, TrendReport
from .report_html import CSS, render_html
from .report_text import number

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def trend_chart(trend: TrendReport, fields_only: bool = False) -> str:
    """An SVG line chart: one line per statistic across the groups, on a -0.5 .. 1 axis
    (lower when a value is: ``agreement.axis``), with Krippendorff's thresholds and the
    codebook changes as dashed lines."""
    keys = [g.key for g in trend.groups]
    series = {n: v for n, v in trend.series.items() if not fields_only or n.endswith("(alpha)")}
    width, left, right, top, bottom = 760, 50, 230, 20, 60
    height = 320
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = axis_start(v for values in series.values() for v in values), 1.0

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(len(keys), 1))

    def y(v: float) -> float:
        v = max(lo, min(hi, v))
        return top + (hi - v) / (hi - lo) * plot_h

    out = [
        f'<svg width="{width}" height="{height}" role="img"'
        f' aria-label="agreement by {escape(trend.by)}">'
    ]
    for tick in (*axis_ticks(lo), 0.667, 0.8, 1.0):
        dash = ' stroke-dasharray="3,3"' if tick in (0.667, 0.8) else ""
        out.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}"'
            f' stroke="#ccc"{dash}/><text x="{left - 6}" y="{y(tick) + 4:.1f}"'
            f' text-anchor="end">{tick:g}</text>'
        )
    changed = {key for key, _ in trend.changes}
    for i, key in enumerate(keys):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(key)}</text>"
        )
        if key in changed:
            cx = x(i) - plot_w / max(len(keys), 1) / 2
            version = dict(trend.changes)[key]
            out.append(
                f'<line x1="{cx:.1f}" y1="{top}" x2="{cx:.1f}" y2="{top + plot_h}"'
                f' stroke="#555" stroke-dasharray="6,4"><title>codebook v{version}</title></line>'
                f'<text x="{cx + 3:.1f}" y="{top + 12}" fill="#555">v{version}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = [(x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for px, py, v in points:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)}: {number(v)}</title></circle>"
            )
        ly = top + 14 * n
        out.append(
            f'<rect x="{left + plot_w + 12}" y="{ly}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + plot_w + 26}" y="{ly + 9}">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def render_trend_html(trend: TrendReport) -> str:
    keys = [g.key for g in trend.groups]
    h = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Agreement by {escape(trend.by)}</title><style>{CSS}</style>",
        f"<h1>Inter-coder agreement by {escape(trend.by)}</h1>",
    ]
    if not trend.groups:
        h.append(f"<p>No documents to group by {escape(trend.by)}.</p></html>")
        return "\n".join(h)
    first = trend.groups[0].report
    h.append(
        f"<p class='meta'>Database {escape(first.database)} · {len(keys)} group(s) ·"
        f" each group's statistics are computed on its own documents</p>"
    )
    h += [
        "<h2>Krippendorff's α across groups</h2>",
        trend_chart(trend),
        "<p class='note'>Dotted lines: α = 0.667 and 0.8. Dashed vertical lines: the codebook"
        " changed (a newer scheme version) before that group.</p>",
    ]
    if trend.flags:
        h.append(f"<h2>Falls of more than {DROP:.2f} from the first group</h2><ul>")
        h += [f"<li>{escape(f)}</li>" for f in trend.flags]
        h.append("</ul>")
    h.append("<h2>Values</h2><table><tr><th>statistic</th>")
    h += [f"<th>{escape(k)}</th>" for k in keys]
    h.append("</tr><tr><td>documents coded</td>")
    h += [f"<td class='n'>{g.report.n_documents}</td>" for g in trend.groups]
    h.append("</tr>")
    for name, values in trend.series.items():
        h.append(f"<tr><td>{escape(name)}</td>")
        h += [
            f"<td class='n{' na' if v is None else ''}'>{'n/a' if v is None else number(v)}</td>"
            for v in values
        ]
        h.append("</tr>")
    h.append("</table>")
    for group in trend.groups:
        body = render_html(group.report)
        inner = body.split("<h1>Inter-coder agreement</h1>", 1)[-1].removesuffix("</html>")
        h.append(f"<h2>{escape(trend.by)} {escape(group.key)}</h2><div class='group'>{inner}</div>")
    h.append("</html>")
    return "\n".join(h)
