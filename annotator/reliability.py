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

from collections.abc import Iterable
from typing import Any

from .agreement import (
    Stat,
    cohen_kappa_pairs,
    f1_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    pairwise_f1,
    per_document,
    percent_agreement,
    token_alpha,
    unit_agreement,
    unitizing_alpha,
)
from .errors import AnnotatorError
from .store import GOLD, Store

SPAN_METRICS = ("f1_exact", "f1_overlap", "alpha_token", "alpha_u")


def _num(stat: Stat | None) -> float | None:
    return None if stat is None or stat.value is None else round(float(stat.value), 6)


def _ci(stat: Stat) -> list[float] | None:
    if stat.ci is None or stat.ci.lo is None:
        return None
    return [round(float(stat.ci.lo), 6), round(float(stat.ci.hi), 6)]


class _Data:
    """Everything the statistics need, read once from the store."""

    def __init__(self, store: Store, coders: list[str]):
        self.coders = coders
        self.titles: dict[int, str] = {}
        self.lengths: dict[int, int] = {}
        self.tokens: dict[int, list[tuple[int, int]]] = {}
        self.spans: dict[int, dict[str, list[tuple[int, int, str]]]] = {}
        self.fields: dict[str, dict[int, dict[str, Any]]] = {
            f.name: {} for f in store.scheme.doc_fields
        }
        wanted = set(coders)
        for summary in store.list_documents():
            doc_id = summary.id
            coded: dict[str, list[tuple[int, int, str]]] = {}
            for coder, (state, _secs) in store.statuses(doc_id).items():
                if coder in wanted and state != "new":
                    coded.setdefault(coder, [])
            for s in store.spans(doc_id):
                if s.annotator in wanted:
                    coded.setdefault(s.annotator, []).append((s.start, s.end, s.label))
            for dl in store.all_doc_labels(doc_id):
                if dl.annotator in wanted:
                    coded.setdefault(dl.annotator, [])
                    if dl.field in self.fields:
                        self.fields[dl.field].setdefault(doc_id, {})[dl.annotator] = dl.value
            if not coded:
                continue
            self.spans[doc_id] = coded
            self.titles[doc_id] = summary.title
            self.lengths[doc_id] = summary.length
            if len(coded) >= 2:
                tok = store.tokenization(doc_id)
                self.tokens[doc_id] = [
                    (a, b)
                    for i, (a, b) in enumerate(zip(tok.token_starts, tok.token_ends, strict=True))
                    if i not in tok.space_tokens
                ]


def compute_agreement(
    store: Store,
    annotators: Iterable[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    worst: int | None = None,
) -> dict[str, Any]:
    """The full report as plain data (the ``--json`` output)."""
    known = store.annotators()
    if annotators is None:
        coders = known
    else:
        coders = sorted(set(annotators))
        unknown = [c for c in coders if c not in known]
        if unknown:
            raise AnnotatorError(
                f"unknown annotator {unknown[0]!r} (known: {', '.join(known) or 'none'})"
            )
    coders = [c for c in coders if c != GOLD]
    data = _Data(store, coders)
    scheme = store.scheme
    reasons: list[str] = []
    if len(coders) < 2:
        reasons.append(f"only {len(coders)} coder(s): agreement needs at least two")

    doc_fields: dict[str, Any] = {}
    for f in scheme.doc_fields:
        units = data.fields[f.name]
        alpha = krippendorff_alpha(units, bootstrap=bootstrap, seed=seed)
        fleiss = fleiss_kappa(units)
        entry: dict[str, Any] = {
            "kind": f.kind,
            "alpha": _num(alpha),
            "alpha_ci": _ci(alpha),
            "percent": _num(percent_agreement(units)),
            "fleiss_kappa": _num(fleiss),
            "cohen_kappa": {k: _num(v) for k, v in cohen_kappa_pairs(units, coders).items()},
            "n_documents": sum(1 for u in units.values() if len(u) >= 2),
            "reasons": {
                k: s.reason
                for k, s in (("alpha", alpha), ("fleiss_kappa", fleiss))
                if s.value is None
            },
        }
        if f.kind == "multi":
            entry["options"] = {}
            for option, ounits in option_units(units, f.options).items():
                oa = krippendorff_alpha(ounits, bootstrap=bootstrap, seed=seed)
                entry["options"][option] = {
                    "alpha": _num(oa),
                    "alpha_ci": _ci(oa),
                    **({"reason": oa.reason} if oa.value is None else {}),
                }
        doc_fields[f.name] = entry

    def span_block(label: str | None) -> dict[str, Any]:
        exact = pairwise_f1(data.spans, "exact", label, coders)
        overlap = pairwise_f1(data.spans, "overlap", label, coders)
        tok = token_alpha(data.spans, data.tokens, label, bootstrap=bootstrap, seed=seed)
        alpha_u = unitizing_alpha(
            data.spans, data.lengths, label, coders=coders, bootstrap=bootstrap, seed=seed
        )
        stats = {"f1_exact": exact, "f1_overlap": overlap, "alpha_token": tok, "alpha_u": alpha_u}
        block: dict[str, Any] = {k: _num(v) for k, v in stats.items()}
        block["alpha_token_ci"] = _ci(tok)
        block["alpha_u_ci"] = _ci(alpha_u)
        block["f1_pairs"] = {
            k: _num(v) for k, v in f1_pairs(data.spans, "overlap", label, coders).items()
        }
        block["reasons"] = {k: v.reason for k, v in stats.items() if v.value is None}
        return block

    spans = {
        "overall": span_block(None),
        "by_label": {lab: span_block(lab) for lab in scheme.label_names},
    }

    per_doc = per_document(
        data.spans, tokens_per_doc=data.tokens, lengths=data.lengths, coders=coders
    )
    field_agreement = {f: unit_agreement(units) for f, units in data.fields.items()}
    documents = []
    for doc_id, agr in per_doc.items():
        row: dict[str, Any] = {
            "doc_id": doc_id,
            "title": data.titles[doc_id],
            "coders": sorted(data.spans[doc_id]),
            "f1_exact": _num(agr.f1_exact),
            "f1_overlap": _num(agr.f1_overlap),
            "alpha_token": _num(agr.token_alpha),
            "alpha_u": _num(agr.unitizing_alpha),
        }
        for fname, per_unit in field_agreement.items():
            row[f"agreement_{fname}"] = _num(per_unit.get(doc_id))
        documents.append(row)
    documents.sort(key=_worst_first)
    if worst is not None:
        documents = documents[:worst]
    return {
        "database": str(store.path),
        "scheme": {"name": scheme.name, "version": scheme.version},
        "annotators": coders,
        "n_documents": len(data.spans),
        "bootstrap": {"resamples": bootstrap, "seed": seed, "level": 0.95},
        "reasons": reasons,
        "doc_fields": doc_fields,
        "spans": spans,
        "documents": documents,
    }


def _worst_first(row: dict[str, Any]) -> tuple:
    """Lowest overlap F1 first (then token α); documents with no defined value last."""
    f1 = row.get("f1_overlap")
    tok = row.get("alpha_token")
    return (
        f1 is None,
        f1 if f1 is not None else 0.0,
        tok if tok is not None else 2.0,
        row["doc_id"],
    )
