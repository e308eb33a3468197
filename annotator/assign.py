"""Assign the documents of a database to coders for a round of a study (``annotator
assign``), and plan how large the reliability sample should be (``assign --plan``).

The use case around :mod:`annotator.design`: it reads the documents (id, SHA-256, meta)
from the store, leaves out those assigned in any other round (a pilot's documents are not
drawn again into the main round), draws the design and records the round (name, seed and
a description of the design) and every assignment in one transaction.

Extending a round (``only_unassigned``) draws over the documents not yet assigned in any
round, with the round's recorded seed, and appends to each coder's queue; nothing already
assigned moves. What it drew is added to the round's stored design (``extensions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import __version__
from .design import (
    PLAN_FORMULA,
    PLAN_SOURCE,
    Candidate,
    Design,
    DesignRequest,
    Placed,
    check_round_docs,
    draw_design,
    draw_round_documents,
    new_seed,
    required_sample_size,
)
from .errors import ValidationError
from .store import Store, check_coder_name, check_coder_option, check_round_name

DEFAULT_ROUND = "main"


@dataclass(frozen=True)
class AssignResult:
    """What ``assign`` did, and the whole round after it."""

    round: str
    seed: int
    seed_drawn: bool  # no seed was given: this one was drawn and recorded
    extended: bool  # the round existed; new documents were added to it
    design: Design  # this run's draw
    other_rounds: int  # documents left out because they are assigned in another round
    reliability: list[int]  # the round's reliability documents, by id
    queues: dict[str, list[int]]  # every coder of the round: their documents in queue order
    left_for_later: int = 0  # candidates --docs left unassigned, for a later round

    def to_dict(self) -> dict[str, Any]:
        """The ``assign --json`` object."""
        return {
            "round": self.round,
            "seed": self.seed,
            "reliability": self.reliability,
            "assignments": self.queues,
        }


def parse_coders(text: str) -> tuple[str, ...]:
    """``ana,ben,cy`` as names, each checked by the store's rule for new coders (a
    ``source:`` name for its spelling only: :func:`assign` knows the database's coders)."""
    return tuple(check_coder_option(name) for name in text.split(","))


def assign(
    store: Store,
    coders: tuple[str, ...],
    *,
    round: str = DEFAULT_ROUND,
    seed: int | None = None,
    overlap: float | None = None,
    overlap_docs: int | None = None,
    per_doc: int | None = None,
    stratify: str | None = None,
    only_unassigned: bool = False,
    docs: int | None = None,
) -> AssignResult:
    """Draw and record the design of ``round`` (see :mod:`annotator.design` for the
    procedure). Refuses, in one line and writing nothing, a round that already has
    assignments unless ``only_unassigned``, and whatever the design refuses.

    ``docs``: the round takes only that many of the candidate documents, a seeded random
    sample (:func:`annotator.design.draw_round_documents`); the others stay unassigned for
    a later round (a pilot of 20 articles, then the main round over the rest).

    Refused in a coder's pack: the study is designed in the lead's database (a round drawn
    in the pack would come back by ``merge`` with a design and sample the lead's database
    never drew)."""
    packed_for = store.pack_coder()
    if packed_for is not None:
        raise ValidationError(
            f"{store.path.name} is {packed_for}'s pack: assign in the lead's database, then"
            " pack again"
        )
    round = check_round_name(round)
    known = store.coders()  # a coder the database has keeps their name
    for name in coders:
        check_coder_name(name, known)
    if docs is not None:
        check_round_docs(docs)
    names = [r.name for r in store.rounds()]
    exists = round in names
    existing = store.assignments(round=round) if exists else []
    if existing and not only_unassigned:
        raise ValidationError(
            f"round {round!r} already has {len(existing)} assignments; use --only-unassigned"
            " to add new articles"
        )
    seed_drawn = False
    unseeded = False  # the round exists without a seed (merged from a pack)
    if exists:
        drawn = store.get_round(round)
        recorded = drawn.seed
        unseeded = recorded is None
        if existing and docs is None and "docs" in drawn.design:
            # the unassigned documents are not only new ones: those --docs left for later
            raise ValidationError(
                f"round {round!r} took {drawn.design['docs']} of the documents (--docs) and"
                " left the others for a later round; say how many unassigned documents to"
                " add with --docs N"
            )
        if recorded is not None:
            if seed is not None and seed != recorded:
                raise ValidationError(
                    f"round {round!r} was drawn with seed {recorded}; an extension uses the"
                    f" same seed (leave --seed out or give --seed {recorded})"
                )
            seed = recorded
    if seed is None:
        seed, seed_drawn = new_seed(), True
    request = DesignRequest(
        round=round,
        coders=tuple(coders),
        seed=seed,
        overlap=overlap,
        overlap_docs=overlap_docs,
        per_doc=per_doc,
        stratify=stratify,
    )
    other: set[int] = set()
    for name in names:
        if name != round:
            other |= store.assigned_documents(name)
    here = {a.doc_id for a in existing}
    keys = store.document_keys()
    candidates = [
        Candidate(ident, sha, meta)
        for ident, sha, meta in keys
        if ident not in other and ident not in here
    ]
    if not candidates:
        if not keys:
            raise ValidationError("the database has no documents to assign; import some first")
        where = f"round {round!r} or another round" if here else "other rounds"
        raise ValidationError(
            f"no documents to assign: all {len(keys)} are assigned already (in {where})"
        )
    left_for_later = 0
    if docs is not None:
        chosen = draw_round_documents(seed, round, candidates, docs)
        left_for_later = len(candidates) - len(chosen)
        candidates = chosen
    placed = [Placed(a.coder, a.doc_id, bool(a.reliability), a.position) for a in existing]
    design = draw_design(request, candidates, placed)
    with store.transaction():
        if not exists:
            store.create_round(round, seed, design_record(design, len(other), docs, left_for_later))
        else:  # the round's record says what each extension added
            entry = design_record(design, len(other), docs, left_for_later)
            if unseeded:  # the seed of this draw is recorded with it
                entry["seed"] = seed
            store.record_round_extension(round, entry)
        store.add_assignments(
            round, ((p.coder, p.doc_id, p.reliability, p.position) for p in design.rows)
        )
    queues: dict[str, list[int]] = {c: [] for c in coders}
    for a in store.assignments(round=round):  # by coder, then position
        queues.setdefault(a.coder, []).append(a.doc_id)
    return AssignResult(
        round=round,
        seed=seed,
        seed_drawn=seed_drawn,
        extended=bool(existing),
        design=design,
        other_rounds=len(other & {k[0] for k in keys}),
        left_for_later=left_for_later,
        reliability=store.reliability_documents(round),
        queues=queues,
    )


def design_record(
    design: Design, other_rounds: int, docs: int | None = None, left_for_later: int = 0
) -> dict[str, Any]:
    """The description of a round stored with it (``rounds.design``), for reports."""
    r = design.request
    drawn = {} if docs is None else {"docs": docs, "left_for_later_rounds": left_for_later}
    return {
        **drawn,
        "coders": list(r.coders),
        "overlap": r.overlap,
        "overlap_docs": r.overlap_docs,
        "per_doc": r.per_doc,
        "stratify": r.stratify,
        "strata": {k: {"candidates": n, "drawn": d} for k, (n, d) in design.strata.items()},
        "candidates": design.candidates,
        "left_out_other_rounds": other_rounds,
        "reliability_documents": len(design.reliability),
        "method": design.method,
        "tool_version": __version__,
    }


# --- planning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplePlan:
    """How many reliability documents a study needs, and from what."""

    documents: int
    alpha_min: float
    p: float
    p_c: float
    p_c_from: str  # where P_c came from, in words
    z: float
    corpus: int  # documents in the database

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "alpha_min": self.alpha_min,
            "p": self.p,
            "p_c": self.p_c,
            "p_c_from": self.p_c_from,
            "z": round(self.z, 4),
            "formula": PLAN_FORMULA,
            "source": PLAN_SOURCE,
            "corpus_documents": self.corpus,
        }


def smallest_share(store: Store) -> tuple[float, str]:
    """P_c for planning, when the lead does not give it: the smallest share of a value
    among the existing labels of the scheme's one-choice (single) document fields (a
    pilot's labels); without any labels, 1/k for the single field with the most options."""
    fields = [f for f in store.scheme.doc_fields if f.kind == "single"]
    if not fields:
        raise ValidationError(
            "the scheme has no one-choice document field to plan from; give --min-share"
        )
    counts = store.field_value_counts(f.name for f in fields)
    best: tuple[float, str] | None = None
    for f in fields:
        values = counts.get(f.name, {})
        total = sum(values.values())
        for value, n in sorted(values.items()):
            share = n / total
            if best is None or share < best[0]:
                best = (
                    share,
                    f"the smallest share observed in the labels: {value!r} of field"
                    f" {f.name!r}, {n} of {total} labels",
                )
    if best is not None:
        if best[0] >= 1:
            raise ValidationError(
                "every label of the one-choice fields chose the same value, so no share can"
                " be planned from them; give --min-share"
            )
        return best
    widest = max(fields, key=lambda f: len(f.options))
    k = len(widest.options)
    return 1 / k, f"1/{k}: field {widest.name!r} has {k} options and no labels yet"


def plan(
    store: Store, alpha_min: float, p: float = 0.05, min_share: float | None = None
) -> SamplePlan:
    """The reliability sample size Krippendorff's guidance gives (two coders; see
    :func:`annotator.design.required_sample_size`)."""
    if min_share is not None:
        p_c, source = min_share, "--min-share"
    else:
        p_c, source = smallest_share(store)
    documents = required_sample_size(alpha_min, p, p_c)
    from statistics import NormalDist

    return SamplePlan(
        documents=documents,
        alpha_min=alpha_min,
        p=p,
        p_c=p_c,
        p_c_from=source,
        z=NormalDist().inv_cdf(1 - p),
        corpus=store.document_count(),
    )
