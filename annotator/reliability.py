"""``annotator agreement``: the reliability report for a database.

Pulls the coders' labels out of the store and runs the statistics of
:mod:`annotator.agreement` over them. Which documents a coder *coded* matters for
the statistics: a coder coded a document when they have any label on it or its
status is past "new" (so a finished article with no spans counts as "nothing
here", while an article never opened is missing, not zero).

Units: document fields take each document as a unit; token α takes every stored
non-whitespace token as a unit; α_U takes each document as a continuum.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from .agreement import (
    Stat,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    percent_agreement,
    unit_agreement,
)
from .agreement.report import (
    AgreementReport,
    BootstrapSettings,
    Bounds,
    DocumentReport,
    Estimate,
    FieldAgreement,
    LabelAgreement,
    SpanReport,
)
from .agreement.streaming import SpanAgreement
from .store import GOLD, Store, resolve_coders

SPAN_METRICS = ("f1_exact", "f1_overlap", "alpha_token", "alpha_u")


def _round(x: float) -> float:
    """Six decimals, and never ``-0.0``: a tiny negative value rounds to zero, not to a
    signed zero that JSON readers print as ``-0.0`` (``-0.0 + 0.0`` is ``0.0``)."""
    return round(float(x), 6) + 0.0


def _num(stat: Stat | None) -> float | None:
    return None if stat is None or stat.value is None else _round(stat.value)


def _ci(stat: Stat) -> Bounds | None:
    if stat.ci is None or stat.ci.lo is None or stat.ci.hi is None:
        return None
    return (_round(stat.ci.lo), _round(stat.ci.hi))


def _estimate(stat: Stat, interval: bool = False) -> Estimate:
    """The reported form of a statistic: rounded, with its interval when ``interval``."""
    return Estimate(
        _num(stat),
        _ci(stat) if interval else None,
        stat.reason if stat.value is None else None,
    )


def compute_agreement(
    store: Store,
    coders: Iterable[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    worst: int | None = None,
) -> AgreementReport:
    """The full report (:meth:`AgreementReport.to_dict` is the ``--json`` output).

    The documents are read one at a time (:meth:`Store.iter_coding`) into per-document
    sufficient statistics (:class:`~annotator.agreement.streaming.SpanAgreement`), so memory
    grows with the number of documents by a small constant, never with their tokens; the
    values are exactly those of the corpus-level functions of :mod:`annotator.agreement`.
    """
    known = store.coders()
    chosen = known if coders is None else resolve_coders(sorted(set(coders)), known)
    chosen = [c for c in chosen if c != GOLD]
    scheme = store.scheme
    reasons: list[str] = []
    if len(chosen) < 2:
        reasons.append(f"only {len(chosen)} coder(s): agreement needs at least two")

    wanted = set(chosen)
    fields: dict[str, dict[Hashable, dict[str, Any]]] = {f.name: {} for f in scheme.doc_fields}
    spans_data = SpanAgreement(chosen, {*scheme.label_names, *store.span_labels()})
    documents: list[DocumentReport] = []
    n_documents = 0
    for doc_id, title, length, states, spans, doc_labels in store.iter_coding():
        # a coder coded a document when they labelled it or moved it past "new"
        coded: dict[str, list[tuple[int, int, str]]] = {}
        for coder, state in states:
            if coder in wanted and state != "new":
                coded.setdefault(coder, [])
        for coder, start, end, label in spans:
            if coder in wanted:
                coded.setdefault(coder, []).append((start, end, label))
        for coder, field, value in doc_labels:
            if coder in wanted:
                coded.setdefault(coder, [])
                if field in fields:
                    fields[field].setdefault(doc_id, {})[coder] = value
        if not coded:
            continue
        n_documents += 1
        tokens = store.word_tokens(doc_id) if len(coded) >= 2 else None
        agr = spans_data.add(doc_id, coded, tokens, length)
        field_values: dict[str, float | None] = {}
        for fname, units in fields.items():
            unit = units.get(doc_id)
            field_values[fname] = (
                None if unit is None else _num(unit_agreement({doc_id: unit})[doc_id])
            )
        documents.append(
            DocumentReport(
                doc_id=doc_id,
                title=title,
                coders=tuple(sorted(coded)),
                f1_exact=_num(agr.f1_exact),
                f1_overlap=_num(agr.f1_overlap),
                alpha_token=_num(agr.token_alpha),
                alpha_u=_num(agr.unitizing_alpha),
                fields=field_values,
            )
        )

    doc_fields: dict[str, FieldAgreement] = {}
    for f in scheme.doc_fields:
        units = fields[f.name]
        options: dict[str, Estimate] | None = None
        if f.kind == "multi":
            options = {
                str(option): _estimate(
                    krippendorff_alpha(ounits, bootstrap=bootstrap, seed=seed), True
                )
                for option, ounits in option_units(units, f.options).items()
            }
        doc_fields[f.name] = FieldAgreement(
            kind=f.kind,
            alpha=_estimate(krippendorff_alpha(units, bootstrap=bootstrap, seed=seed), True),
            percent=_estimate(percent_agreement(units)),
            fleiss_kappa=_estimate(fleiss_kappa(units)),
            cohen_kappa={k: _num(v) for k, v in cohen_kappa_pairs(units, chosen).items()},
            n_documents=sum(1 for u in units.values() if len(u) >= 2),
            options=options,
        )

    blocks: list[str | None] = [None, *scheme.label_names]
    tok = spans_data.token_alphas(blocks, bootstrap=bootstrap, seed=seed)
    alpha_u = spans_data.unitizing_alphas(blocks, bootstrap=bootstrap, seed=seed)

    def span_block(label: str | None) -> LabelAgreement:
        return LabelAgreement(
            f1_exact=_estimate(spans_data.f1("exact", label)),
            f1_overlap=_estimate(spans_data.f1("overlap", label)),
            alpha_token=_estimate(tok[label], True),
            alpha_u=_estimate(alpha_u[label], True),
            f1_pairs={k: _num(v) for k, v in spans_data.f1_pairs("overlap", label).items()},
        )

    documents.sort(key=_worst_first)
    if worst is not None:
        documents = documents[:worst]
    return AgreementReport(
        database=str(store.path),
        scheme_name=scheme.name,
        scheme_version=scheme.version,
        coders=tuple(chosen),
        n_documents=n_documents,
        bootstrap=BootstrapSettings(resamples=bootstrap, seed=seed, level=0.95),
        reasons=tuple(reasons),
        doc_fields=doc_fields,
        spans=SpanReport(
            overall=span_block(None),
            by_label={lab: span_block(lab) for lab in scheme.label_names},
        ),
        documents=tuple(documents),
    )


def _worst_first(row: DocumentReport) -> tuple[bool, float, float, int]:
    """Lowest overlap F1 first (then token α); documents with no defined value last."""
    f1 = row.f1_overlap
    tok = row.alpha_token
    return (
        f1 is None,
        f1 if f1 is not None else 0.0,
        tok if tok is not None else 2.0,
        row.doc_id,
    )
