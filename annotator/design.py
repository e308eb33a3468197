"""The design of a study, drawn without a database: who codes which document, which
documents form the reliability sample, and each coder's queue; and how large the
reliability sample should be (Krippendorff's guidance).

Pure functions over plain values (no store, no Qt): :mod:`annotator.assign` reads the
documents, calls :func:`draw_design` and records the result.

The procedure, as a methods section would state it:

1. **Candidates** are the documents given (the use case passes the documents of the
   database not assigned in any other round, and with ``only_unassigned`` not in this
   round either), ordered by their SHA-256, so that the same corpus gives the same design
   in any database whatever the import order.
2. **Reliability sample**: ``round_half_up(overlap × N)`` documents (at least 2 when
   ``overlap > 0`` and ``N ≥ 2``), or exactly ``overlap_docs``. Drawn by simple random
   sampling without replacement, or with ``stratify`` by proportional allocation over the
   values of that meta field (largest-remainder rounding, remainder ties by stratum name;
   documents without the field form the stratum ``(missing)``), random within strata.
3. Each reliability document goes to **every coder**, or with ``per_doc`` K (2 ≤ K < the
   number of coders) to K of them in a **balanced incomplete design**: document by
   document (in SHA-256 order), the K-subset of coders whose pairs have shared the fewest
   documents so far (smallest maximum, then smallest sum of pair counts), ties by the
   coders' reliability load and then by a seeded order of the coders. Every pair of coders
   must share at least one document; a sample too small for that is refused, naming the
   number the procedure needs.
4. The **other documents** go to one coder each, in a seeded random order, each to the
   coder with the fewest such documents so far (ties by the seeded coder order): the
   coders' counts differ by at most one (when extending a round, the new documents go to
   the coders with the fewest, so the counts stay within one where that is possible).
5. **Queues**: each coder's documents of the round in a random order drawn for that coder
   (every order equally likely), so every position is as likely to hold a reliability
   document as any other and the order tells nothing about the sample (an order with
   them all first is as likely as any other: redrawing it would make the ends tell
   which documents are not in the sample). Positions are 1..n; an extension appends the new documents, in random order, after the coder's
   existing positions. Nothing already assigned moves.

All randomness comes from :class:`random.Random` instances seeded with a text made of the
seed, the round and the step (and the coder for a queue), never from the global generator:
the same candidates, arguments and seed give the same design.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from .errors import ValidationError

MISSING = "(missing)"  # the stratum of documents without the --stratify field
MAX_SEED = 2**31 - 1
# Above this many K-subsets of coders, each reliability document's coders are chosen one
# by one (the same criteria, coder by coder) instead of comparing every subset.
EXHAUSTIVE_SUBSETS = 500


@dataclass(frozen=True)
class Candidate:
    """A document that may be assigned: its id in this database, its SHA-256 (the order
    of the draw) and its meta fields (for ``stratify``)."""

    doc_id: int
    sha256: str
    meta: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Placed:
    """One assignment: ``coder`` codes ``doc_id`` at ``position`` of their queue."""

    coder: str
    doc_id: int
    reliability: bool
    position: int


@dataclass(frozen=True)
class DesignRequest:
    """What the lead asked for. Exactly one of ``overlap`` (a share, 0..1) and
    ``overlap_docs`` (a number) is given."""

    round: str
    coders: tuple[str, ...]
    seed: int
    overlap: float | None = None
    overlap_docs: int | None = None
    per_doc: int | None = None
    stratify: str | None = None


@dataclass(frozen=True)
class Design:
    """A drawn design: the new rows (``rows``) and what a report states about it."""

    request: DesignRequest
    candidates: int  # documents the design was drawn from
    reliability: tuple[int, ...]  # the new reliability documents, by id
    rows: tuple[Placed, ...]  # the new assignments
    strata: dict[str, tuple[int, int]]  # stratum -> (candidates, drawn); empty unless stratified
    method: str  # one sentence: how the reliability sample was drawn and handed out


def new_seed() -> int:
    """A seed from the operating system's generator (0..2**31-1), to be recorded and printed."""
    return secrets.randbelow(MAX_SEED + 1)


def _rng(request: DesignRequest, *step: str) -> random.Random:
    # A text seed: Python hashes it with SHA-512, the same on every platform and version.
    return random.Random(":".join(["annotator-assign", str(request.seed), request.round, *step]))


def check_round_docs(n: object) -> None:
    """ValidationError unless ``n`` (``assign --docs``) is a whole number >= 1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValidationError(f"--docs must be a whole number >= 1, got {n!r}")


def draw_round_documents(
    seed: int, round: str, candidates: Iterable[Candidate], n: int
) -> list[Candidate]:
    """``n`` of the candidates, a simple random sample drawn with the seed and the round
    (from the candidates ordered by SHA-256, so the same corpus gives the same draw in any
    database): the documents a round takes when it is not to take them all (a pilot of
    20 articles; ``assign --docs N``). All of them when there are ``n`` or fewer."""
    check_round_docs(n)
    ordered = sorted(candidates, key=lambda c: (c.sha256, c.doc_id))
    if len(ordered) <= n:
        return ordered
    rng = random.Random(":".join(["annotator-assign", str(seed), round, "round-documents"]))
    return sorted(rng.sample(ordered, n), key=lambda c: (c.sha256, c.doc_id))


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def stratum(meta: Mapping[str, object], key: str) -> str:
    """The stratum of a document: its ``key`` meta value as text (JSON for a list or an
    object), or ``(missing)`` when it has none (absent, null or empty)."""
    value = meta.get(key)
    if value is None or value == "" or value == [] or value == {}:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def sample_size(request: DesignRequest, n: int) -> int:
    """How many of ``n`` candidates form the reliability sample."""
    if request.overlap_docs is not None:
        return request.overlap_docs
    share = request.overlap or 0.0
    size = round_half_up(share * n)
    if share > 0 and n >= 2:
        size = max(size, 2)
    return min(size, n)


def check_request(request: DesignRequest) -> None:
    """ValidationError, one line, for a request no design can satisfy (names are checked
    by the use case against the store's rule)."""
    coders = request.coders
    if not coders:
        raise ValidationError("--coders names nobody; give at least one coder")
    seen: set[str] = set()
    for c in coders:
        if c in seen:
            raise ValidationError(f"coder {c!r} is listed twice in --coders")
        seen.add(c)
    if (request.overlap is None) == (request.overlap_docs is None):
        raise ValidationError("give exactly one of --overlap (a share) and --overlap-docs")
    if request.overlap is not None and not 0.0 <= request.overlap <= 1.0:
        raise ValidationError(f"--overlap must be a share between 0 and 1, got {request.overlap}")
    if request.overlap_docs is not None and request.overlap_docs < 0:
        raise ValidationError(f"--overlap-docs must be 0 or more, got {request.overlap_docs}")
    wants_sample = (request.overlap or 0) > 0 or (request.overlap_docs or 0) > 0
    if wants_sample and len(coders) < 2:
        raise ValidationError(
            "a reliability sample needs at least 2 coders; give more in --coders or --overlap 0"
        )
    k = request.per_doc
    if k is not None and not 2 <= k < len(coders):
        raise ValidationError(
            f"--per-doc must be at least 2 and less than the number of coders"
            f" ({len(coders)}), got {k}; leave it out to give the sample to every coder"
        )
    if not 0 <= request.seed <= 2**63 - 1:
        raise ValidationError(
            f"--seed must be a whole number from 0 to 2**63-1, got {request.seed}"
        )


def _draw_sample(
    request: DesignRequest, ordered: Sequence[Candidate], size: int, fresh: bool
) -> tuple[list[Candidate], dict[str, tuple[int, int]]]:
    rng = _rng(request, "sample")
    key = request.stratify
    if key is None:
        return rng.sample(list(ordered), size), {}
    groups: dict[str, list[Candidate]] = {}
    for c in ordered:
        groups.setdefault(stratum(c.meta, key), []).append(c)
    if fresh and set(groups) == {MISSING}:  # (new documents of an extension may lack it)
        raise ValidationError(
            f"--stratify {key!r}: no candidate document has the meta field {key!r}"
        )
    n = len(ordered)
    names = sorted(groups)
    # size * N_s / n in whole numbers: the floor, and the remainder that ranks the strata
    quota = {s: size * len(groups[s]) // n for s in names}
    remainder = {s: size * len(groups[s]) % n for s in names}
    left = size - sum(quota.values())
    for s in sorted(names, key=lambda s: (-remainder[s], s))[:left]:
        quota[s] += 1
    drawn: list[Candidate] = []
    for s in names:
        drawn.extend(rng.sample(groups[s], quota[s]))
    return drawn, {s: (len(groups[s]), quota[s]) for s in names}


class _Blocks:
    """The balanced incomplete design: K of the coders for each reliability document."""

    def __init__(self, n: int, k: int, pairs: dict[tuple[int, int], int], load: list[int]):
        self.n, self.k = n, k
        self.pairs = {p: pairs.get(p, 0) for p in itertools.combinations(range(n), 2)}
        self.load = list(load)
        self.exhaustive = math.comb(n, k) <= EXHAUSTIVE_SUBSETS

    def _key(self, chosen: Sequence[int]) -> tuple[int, int, int, tuple[int, ...]]:
        counts = [self.pairs[p] for p in itertools.combinations(sorted(chosen), 2)]
        return (
            max(counts, default=0),
            sum(counts),
            sum(self.load[c] for c in chosen),
            tuple(chosen),
        )

    def next(self) -> tuple[int, ...]:
        if self.exhaustive:
            best = min(itertools.combinations(range(self.n), self.k), key=self._key)
        else:
            # coder by coder: the one whose pairs with those chosen have met least
            chosen: list[int] = []
            for _ in range(self.k):

                def key(c: int) -> tuple[int, int, int, int]:
                    met = [self.pairs[(min(c, d), max(c, d))] for d in chosen]
                    return (max(met, default=0), sum(met), self.load[c], c)

                chosen.append(min((c for c in range(self.n) if c not in chosen), key=key))
            best = tuple(sorted(chosen))
        for p in itertools.combinations(best, 2):
            self.pairs[p] += 1
        for c in best:
            self.load[c] += 1
        return best

    def uncovered(self) -> list[tuple[int, int]]:
        return [p for p, count in self.pairs.items() if count == 0]


def covering_size(n: int, k: int) -> int:
    """How many reliability documents the procedure of step 3 needs, from scratch, before
    every pair of ``n`` coders shares one when each document goes to ``k`` of them (at
    least ceil(C(n,2)/C(k,2)); more where the greedy choice needs it)."""
    blocks = _Blocks(n, k, {}, [0] * n)
    steps = 0
    while blocks.uncovered():
        if steps > 4 * math.comb(n, 2):  # each step covers a new pair in practice
            raise ValidationError(f"no design lets every pair of {n} coders meet, {k} a document")
        blocks.next()
        steps += 1
    return steps


def _queue_order(rng: random.Random, docs: list[int]) -> list[int]:
    order = list(docs)
    rng.shuffle(order)
    return order


def draw_design(
    request: DesignRequest,
    candidates: Iterable[Candidate],
    existing: Iterable[Placed] = (),
) -> Design:
    """Draw the design of ``request`` over ``candidates`` (module docstring, steps 1-5).

    ``existing`` are the round's assignments already recorded (when extending a round):
    they never move; their pair counts, loads and queue positions are where the new
    documents continue from. Raises ValidationError (one line) for what cannot be drawn.
    """
    check_request(request)
    coders = request.coders
    ordered = sorted(candidates, key=lambda c: (c.sha256, c.doc_id))
    if not ordered:
        raise ValidationError("there are no candidate documents to assign")
    existing = list(existing)
    n = len(ordered)
    size = sample_size(request, n)
    if size > n:
        raise ValidationError(f"--overlap-docs {size} is more than the {n} candidate document(s)")
    sample, strata = _draw_sample(request, ordered, size, fresh=not existing)
    sample.sort(key=lambda c: (c.sha256, c.doc_id))
    in_sample = {c.doc_id for c in sample}

    order = list(coders)
    _rng(request, "coders").shuffle(order)  # the seeded order that breaks ties
    rank = {c: i for i, c in enumerate(order)}

    mine: dict[str, list[int]] = {c: [] for c in coders}
    k = request.per_doc
    if sample and k is not None:
        index = {c: i for i, c in enumerate(order)}
        pairs: dict[tuple[int, int], int] = {}
        load = [0] * len(order)
        by_doc: dict[int, list[int]] = {}
        for row in existing:
            if row.reliability and row.coder in index:
                by_doc.setdefault(row.doc_id, []).append(index[row.coder])
                load[index[row.coder]] += 1
        for members in by_doc.values():
            for p in itertools.combinations(sorted(members), 2):
                pairs[p] = pairs.get(p, 0) + 1
        blocks = _Blocks(len(order), k, pairs, load)
        for c in sample:
            for i in blocks.next():
                mine[order[i]].append(c.doc_id)
        missing = blocks.uncovered()
        if missing:
            if not existing:
                need = covering_size(len(order), k)
                raise ValidationError(
                    f"--per-doc {k} with {len(order)} coders needs a reliability sample of at"
                    f" least {need} documents so that every pair of coders shares one (this"
                    f" one has {len(sample)}); raise --overlap or --overlap-docs"
                )
            a, b = missing[0]
            raise ValidationError(
                f"after this extension coders {order[a]!r} and {order[b]!r} (and"
                f" {len(missing) - 1} more pair(s)) would share no reliability document;"
                " raise --overlap or --overlap-docs"
            )
    else:
        for c in sample:
            for coder in coders:
                mine[coder].append(c.doc_id)

    singles = [c.doc_id for c in ordered if c.doc_id not in in_sample]
    _rng(request, "singles").shuffle(singles)
    count = {c: 0 for c in coders}
    for row in existing:
        if not row.reliability and row.coder in count:
            count[row.coder] += 1
    fewest = [(count[c], rank[c], c) for c in coders]  # a heap: the coder with the fewest
    heapq.heapify(fewest)
    for doc in singles:
        n_docs, r, coder = heapq.heappop(fewest)
        mine[coder].append(doc)
        heapq.heappush(fewest, (n_docs + 1, r, coder))

    last: dict[str, int] = {}
    for row in existing:
        last[row.coder] = max(last.get(row.coder, 0), row.position)
    rows: list[Placed] = []
    for coder in coders:
        start = last.get(coder, 0)
        queue = _queue_order(_rng(request, "queue", coder), mine[coder])
        rows.extend(
            Placed(coder, doc, doc in in_sample, start + i) for i, doc in enumerate(queue, 1)
        )
    return Design(
        request=request,
        candidates=n,
        reliability=tuple(sorted(in_sample)),
        rows=tuple(rows),
        strata=strata,
        method=describe(request, len(sample), n),
    )


def describe(request: DesignRequest, drawn: int, n: int) -> str:
    """One sentence for a methods section: how the sample was drawn and handed out."""
    how = (
        f"stratified by {request.stratify!r} (proportional allocation, largest remainder)"
        if request.stratify
        else "simple random sample"
    )
    share = (
        f"{request.overlap_docs} requested"
        if request.overlap_docs is not None
        else f"overlap {request.overlap:g}"
    )
    to = (
        f"each to {request.per_doc} of {len(request.coders)} coders (balanced incomplete design)"
        if request.per_doc
        else f"each to all {len(request.coders)} coders"
    )
    return (
        f"{drawn} of {n} candidate documents ({share}), {how} without replacement, "
        f"{to}; the others to one coder each, evenly; queues in random order per coder"
    )


# --- How large the reliability sample should be --------------------------------------

PLAN_SOURCE = (
    "Krippendorff, Content Analysis (2004, sec. 11.4.2; 2013; 2019), after Bloch &"
    " Kraemer (1989, eq. 3.7)"
)
PLAN_FORMULA = "N = 2 z_p^2 [ (1+a)(3-a) / (4 (1-a) Pc (1-Pc)) - a ], z_p one-tailed"


def required_sample_size(alpha_min: float, p: float, p_c: float) -> int:
    """The number of units Krippendorff's table of required sample sizes gives for two
    coders: the smallest acceptable alpha ``alpha_min``, the significance level ``p``
    (one-tailed) and the probability ``p_c`` of the least frequent category.

    N = 2·z_p²·[(1+α)(3−α) / (4(1−α)·P_c(1−P_c)) − α], rounded up, z_p the one-tailed
    standard normal quantile. Krippendorff (2004, §11.4.2) derives his table from Bloch &
    Kraemer (1989, eq. 3.7). The factor 2 is what reproduces the published values we could
    check (ATLAS.ti's manual, quoting Krippendorff 2019: 139 for α_min = .800, p = .05,
    P_c = .25; 81 for α_min = .667): the same formula without it gives half of them.
    """
    for name, value, low, high in (
        ("alpha-min", alpha_min, 0.0, 1.0),
        ("p", p, 0.0, 0.5),
        ("min-share", p_c, 0.0, 1.0),
    ):
        if not (isinstance(value, (int, float)) and low < value < high):
            raise ValidationError(f"--{name} must be more than {low:g} and less than {high:g}")
    z = NormalDist().inv_cdf(1.0 - p)
    a = alpha_min
    n = 2 * z * z * ((1 + a) * (3 - a) / (4 * (1 - a) * p_c * (1 - p_c)) - a)
    return max(1, math.ceil(n - 1e-9))
