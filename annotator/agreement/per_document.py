"""Per-document span agreement, so the worst documents can be listed.

For each document: pairwise F1 (exact and overlap, mean over the coder pairs who both annotated
it), token α when tokens are given, and α_U (over the coders who annotated it) when lengths
are given — each computed on that document alone with the same definitions as the corpus-level functions in :mod:`.spans`.
For document fields use :func:`annotator.agreement.nominal.unit_agreement`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from .result import Stat
from .spans import Docs, Tokens, pairwise_f1, token_alpha, unitizing_alpha


@dataclass(frozen=True)
class DocumentAgreement:
    f1_exact: Stat
    f1_overlap: Stat
    token_alpha: Stat | None = None  # None when no tokens were given
    unitizing_alpha: Stat | None = None  # None when no lengths were given


METRICS = ("f1_exact", "f1_overlap", "token_alpha", "unitizing_alpha")


def per_document(
    docs: Docs,
    *,
    label: str | None = None,
    tokens_per_doc: Tokens | None = None,
    lengths: Mapping[Hashable, int] | None = None,
    coders: Sequence[str] | None = None,
) -> dict[Hashable, DocumentAgreement]:
    """Agreement of every document. ``label=None`` means all labels (token α then codes each
    token with the set of labels covering it); token α needs ``tokens_per_doc``."""
    out: dict[Hashable, DocumentAgreement] = {}
    for doc_id, doc in docs.items():
        one = {doc_id: doc}
        tok = None
        if tokens_per_doc is not None:
            tok = token_alpha(one, {doc_id: tokens_per_doc.get(doc_id, ())}, label, coders=coders)
        ua = None
        if lengths is not None:
            # α_U over the coders who annotated this document (it needs every coder it counts)
            here = None if coders is None else [c for c in coders if c in doc]
            ua = unitizing_alpha(one, {doc_id: lengths[doc_id]}, label, coders=here)
        out[doc_id] = DocumentAgreement(
            f1_exact=pairwise_f1(one, "exact", label, coders),
            f1_overlap=pairwise_f1(one, "overlap", label, coders),
            token_alpha=tok,
            unitizing_alpha=ua,
        )
    return out


def worst_documents(
    per_doc: Mapping[Hashable, DocumentAgreement], metric: str = "f1_overlap", k: int = 20
) -> list[tuple[Hashable, float]]:
    """The ``k`` documents with the lowest defined ``metric``, worst first (ties by id)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    scored = []
    for doc_id, agreement in per_doc.items():
        stat = getattr(agreement, metric)
        if stat is not None and stat.value is not None:
            scored.append((doc_id, stat.value))
    scored.sort(key=lambda item: (item[1], str(item[0])))
    return scored[:k]
