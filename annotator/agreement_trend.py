"""``annotator agreement --by round|scheme-version|week``: every statistic per group of
documents, to see agreement across a study's rounds, codebook versions or weeks.

Each group's report is exactly the report ``annotator agreement`` computes on that
group's documents (:func:`annotator.reliability.compute_agreement`), so the cost is the
sum of the groups' costs plus one query that groups the documents. A group is:

- ``round``: the documents of a round (its coders, or those named who are in it;
  ``--sample reliability``: its sample;
  a round without one is a group with every statistic undefined, not an error);
- ``scheme-version``: the documents whose newest label was made under that version;
- ``week``: the documents last coded in that ISO week.

A codebook change is marked at the first group whose labels were made under a newer
scheme version than the group before. A statistic that falls more than :data:`DROP`
below its value in the first group where it is defined is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .agreement.report import AgreementReport
from .reliability import compute_agreement
from .report_text import number
from .store import GOLD, Store

DROP = 0.15  # a fall of more than this from the first group is flagged


@dataclass(frozen=True)
class TrendGroup:
    key: str
    documents: int  # documents in the group
    scheme_version: int | None  # the newest scheme version among its labels
    report: AgreementReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "documents": self.documents,
            "scheme_version": self.scheme_version,
            "report": self.report.to_dict(),
        }


@dataclass(frozen=True)
class TrendReport:
    by: str
    groups: tuple[TrendGroup, ...]
    series: dict[str, list[float | None]]  # a statistic's value in each group, in order
    changes: tuple[tuple[str, int], ...]  # (group, scheme version) where the codebook changed
    flags: tuple[str, ...]  # falls of more than DROP from the first group

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "groups": [g.to_dict() for g in self.groups],
            "series": self.series,
            "codebook_changes": [{"group": g, "scheme_version": v} for g, v in self.changes],
            "flags": list(self.flags),
            "drop_threshold": DROP,
        }


def series_of(report: AgreementReport) -> dict[str, float | None]:
    """The statistics a trend follows: α of every field, token α of every label and of
    the spans overall."""
    out: dict[str, float | None] = {}
    for name, field in report.doc_fields.items():
        out[f"{name} (alpha)"] = field.alpha.value
    out["spans, all labels (token alpha)"] = report.spans.overall.alpha_token.value
    for label, block in report.spans.by_label.items():
        out[f"{label} (token alpha)"] = block.alpha_token.value
    return out


def compute_trend(
    store: Store,
    by: str,
    coders: Iterable[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    *,
    sample: str | None = None,
    worst: int | None = 10,
    origin: str = "all",
    sources: Iterable[str] = (),
) -> TrendReport:
    """The report of every group (see the module's doc), in order; ``origin`` and
    ``sources`` as for :func:`~annotator.reliability.compute_agreement`."""
    names = None if coders is None else list(coders)
    keys, order = store.document_groups(by, names)
    versions, _ = store.document_groups("scheme-version", names)
    named = [] if names is None else store.resolve_coders(names)  # NotFoundError if unknown
    members: dict[Any, list[int]] = {k: [] for k in order}
    for doc_id, key in keys.items():
        members.setdefault(key, []).append(doc_id)
    groups: list[TrendGroup] = []
    for key in order:
        docs = members[key]
        in_round: list[str] | None = None
        if by == "round":
            # the round's coders, or those named who are in it (one may have joined later)
            here = [c for c in store.round_coders(str(key)) if c != GOLD]
            in_round = None if names is None else [c for c in named if c in here]
        if by == "round" and sample == "reliability" and not store.reliability_documents(str(key)):
            # a round without a reliability sample is a group with nothing to agree on
            # (every statistic undefined), not an error that hides the other rounds
            report = compute_agreement(
                store, here if in_round is None else in_round, bootstrap, seed, worst,
                documents=(), origin=origin, sources=tuple(sources),
            )  # fmt: skip
            reason = f"round {key!r} has no reliability sample"
            report = replace(report, reasons=(*report.reasons, reason))
            docs = []
        elif by == "round":
            report = compute_agreement(
                store, in_round, bootstrap, seed, worst, round=str(key), sample=sample,
                origin=origin, sources=tuple(sources),
            )  # fmt: skip
            # the documents the report was computed on: the round's (or its sample's)
            docs = sorted(
                store.reliability_documents(str(key))
                if sample == "reliability"
                else store.assigned_documents(str(key))
            )
        else:
            report = compute_agreement(
                store, names, bootstrap, seed, worst, documents=docs, sample=sample,
                origin=origin, sources=tuple(sources),
            )  # fmt: skip
        newest = max((versions[d] for d in docs if d in versions), default=None)
        groups.append(TrendGroup(str(key), len(docs), newest, report))
    series: dict[str, list[float | None]] = {}
    for i, group in enumerate(groups):
        for name, value in series_of(group.report).items():
            series.setdefault(name, [None] * len(groups))[i] = value
    changes: list[tuple[str, int]] = []
    last: int | None = None
    for group in groups:
        v = group.scheme_version
        if v is not None:
            if last is not None and v > last:
                changes.append((group.key, v))
            last = v if last is None else max(last, v)
    flags: list[str] = []
    for name, values in series.items():
        # the first group where the statistic is defined (a pilot without a reliability
        # sample, or where nobody coded the field, is no baseline)
        start = next((i for i, v in enumerate(values) if v is not None), None)
        if start is None:
            continue
        first = values[start]
        assert first is not None
        for group, value in zip(groups[start + 1 :], values[start + 1 :], strict=True):
            if value is not None and first - value > DROP:
                flags.append(
                    f"{name}: {number(value)} in {by} {group.key}, {number(first - value)}"
                    f" below {number(first)} in {groups[start].key}"
                )
    return TrendReport(by, tuple(groups), series, tuple(changes), tuple(flags))


def render_trend_text(trend: TrendReport) -> str:
    """A table: one row per statistic, one column per group; codebook changes and flags
    below."""
    if not trend.groups:
        return f"No documents to group by {trend.by}."
    keys = [g.key for g in trend.groups]
    width = max(8, *(len(k) for k in keys))
    name_w = max(20, *(len(n) for n in trend.series))
    lines = [f"Agreement by {trend.by}", ""]
    lines.append(" " * name_w + "  " + "  ".join(k.rjust(width) for k in keys))
    lines.append(
        "documents".ljust(name_w)
        + "  "
        + "  ".join(str(g.report.n_documents).rjust(width) for g in trend.groups)
    )
    for name, values in trend.series.items():
        cells = ["n/a" if v is None else number(v) for v in values]
        lines.append(name.ljust(name_w) + "  " + "  ".join(c.rjust(width) for c in cells))
    if trend.changes:
        lines.append("")
        for key, version in trend.changes:
            lines.append(f"Codebook changed before {trend.by} {key} (scheme v{version}).")
    lines.append("")
    if trend.flags:
        lines.append(f"Falls of more than {DROP:.2f} from the first {trend.by}:")
        lines += [f"  ! {f}" for f in trend.flags]
    else:
        lines.append(f"No statistic falls more than {DROP:.2f} below the first {trend.by}.")
    return "\n".join(lines)
