"""Agreement on spans: pairwise F1, token-level α and Krippendorff's unitizing α (α_U).

Input everywhere is ``docs``: a mapping ``doc id -> {coder: spans}`` where a span is a
``(start, end, label)`` tuple of character offsets (``end`` exclusive). A coder **absent** from a
document did not annotate it (missing); a coder present with an empty list annotated it and
marked nothing. Only documents a coder annotated count for that coder.

* **F1** (Hripcsak & Rothschild 2005): for two coders, matches are true positives, and the
  other coder's unmatched spans are false positives/negatives (F1 is symmetric).
  ``exact``: same start, end and label. ``overlap``: same label and at least one shared
  character (``a.start < b.end and b.start < a.end``), matched one-to-one with a *maximum*
  matching (augmenting paths, so the number of matches is optimal, not greedy).
  :func:`pairwise_f1` micro-averages over the documents both coders annotated
  (``2 TP / (2 TP + FP + FN)``), then takes the plain mean over coder pairs.
* **Token α**: every token of a document is a unit; a coder who annotated the document codes
  the token 1 if it shares at least one character with one of their spans of the label, else 0;
  nominal Krippendorff's α over these units (coders who did not annotate the document are
  missing values).
* **α_U** (Krippendorff 2004, "Measuring the reliability of qualitative text analysis data",
  Quality & Quantity 38; the formulas of DKPro Agreement's
  ``KrippendorffAlphaUnitizingAgreement``): for label ``c``, each coder's continuum is cut into
  their spans of ``c`` and the gaps between them. Observed disagreement
  ``D_O = Σ_{i≠j} Σ_g Σ_h δ²(g, h) / (m (m - 1) L²)`` where ``δ²`` is
  ``(b_g - b_h)² + (e_g - e_h)²`` for two overlapping spans, ``l_g²`` for a span lying inside
  the other coder's gap, 0 otherwise. Expected disagreement
  ``D_E = (2 / L) Σ_g [(N_c - 1)(2 l_g³ - 3 l_g² + l_g) / 3 + l_g² Σ_{gaps h, l_h ≥ l_g}
  (l_h - l_g + 1)] / (m L (m L - 1) - Σ_g l_g (l_g - 1))`` and ``α_U = 1 - D_O / D_E``.
  Over all labels, ``α_U = 1 - Σ_c D_O,c / Σ_c D_E,c`` (DKPro's overall value).
  *Several documents*: each document is its own continuum; they are pooled as one continuum of
  length ``L = Σ L_d`` in which no span or gap crosses a document boundary (so a trailing gap
  and the next document's leading gap stay two gaps). With one document this is exactly the
  published/DKPro value. α_U assumes every coder unitized every continuum, so only documents
  annotated by **all** the coders considered are used (``Stat.n`` = number of documents).
  A coder's overlapping spans of one label are merged (α_U requires non-overlapping units);
  spans are clipped to ``[0, L)``; empty spans are ignored.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import chain, combinations
from typing import cast

import numpy as np

from .bootstrap import weighted_ci
from .nominal import pair_key
from .result import Stat, undefined

Span = tuple[int, int, str]
Docs = Mapping[Hashable, Mapping[str, Iterable[Span]]]
Tokens = Mapping[Hashable, Sequence[tuple[int, int]]]

MODES = ("exact", "overlap")


# --------------------------------------------------------------------------- F1


def _by_label(spans: Iterable[Span], label: str | None) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for start, end, lab in spans:
        if label is None or lab == label:
            out[lab].append((int(start), int(end)))
    return out


def _max_overlap_matching(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching of spans sharing at least one character."""
    if not a or not b:
        return 0
    b = sorted(b)
    starts = [s for s, _ in b]
    reach = []  # reach[j] = max end among b[0..j]
    hi = -1
    for _, e in b:
        hi = max(hi, e)
        reach.append(hi)
    adj: list[list[int]] = []
    for s, e in a:
        nbrs = []
        j = bisect_left(starts, e) - 1  # b[j].start < e
        while j >= 0 and reach[j] > s:
            if b[j][1] > s and b[j][0] < b[j][1] and s < e:
                nbrs.append(j)
            j -= 1
        adj.append(nbrs)
    match_b = [-1] * len(b)
    matched = 0
    # greedy start, then Kuhn's augmenting paths (iterative DFS) for the unmatched spans
    free = []
    for i, nbrs in enumerate(adj):
        for j in nbrs:
            if match_b[j] < 0:
                match_b[j] = i
                matched += 1
                break
        else:
            if nbrs:
                free.append(i)
    for root in free:
        seen = [False] * len(b)
        stack = [(root, iter(adj[root]))]
        path: list[int] = []
        while stack:
            i, it = stack[-1]
            for j in it:
                if seen[j]:
                    continue
                seen[j] = True
                if match_b[j] < 0:
                    path.append(j)
                    for (ii, _), jj in zip(stack, path, strict=True):
                        match_b[jj] = ii
                    matched += 1
                    stack = []
                    break
                path.append(j)
                stack.append((match_b[j], iter(adj[match_b[j]])))
                break
            else:
                stack.pop()
                if path:
                    path.pop()
    return matched


def _tp(
    a: Mapping[str, list[tuple[int, int]]], b: Mapping[str, list[tuple[int, int]]], mode: str
) -> int:
    tp = 0
    for lab, spans_a in a.items():
        spans_b = b.get(lab)
        if not spans_b:
            continue
        if mode == "exact":
            tp += sum((Counter(spans_a) & Counter(spans_b)).values())
        else:
            tp += _max_overlap_matching(spans_a, spans_b)
    return tp


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")


def span_f1(
    a_spans: Iterable[Span], b_spans: Iterable[Span], mode: str = "exact", label: str | None = None
) -> tuple[int, int, int]:
    """``(tp, fp, fn)`` of coder B's spans against coder A's (only ``label`` if given)."""
    _check_mode(mode)
    a, b = _by_label(a_spans, label), _by_label(b_spans, label)
    tp = _tp(a, b, mode)
    na, nb = sum(map(len, a.values())), sum(map(len, b.values()))
    return tp, nb - tp, na - tp


def _f1(tp: int, fp: int, fn: int) -> float | None:
    denom = 2 * tp + fp + fn
    return None if denom == 0 else 2 * tp / denom


def _all_coders(docs: Docs) -> list[str]:
    return sorted({c for doc in docs.values() for c in doc}, key=str)


def f1_pairs(
    docs: Docs, mode: str = "exact", label: str | None = None, coders: Sequence[str] | None = None
) -> dict[str, Stat]:
    """Micro-averaged F1 for every pair of coders over the documents both annotated, keyed
    ``"A|B"`` (names sorted). ``Stat.n`` is the number of shared documents."""
    _check_mode(mode)
    names = sorted(coders, key=str) if coders is not None else _all_coders(docs)
    grouped = {
        d: {c: _by_label(spans, label) for c, spans in doc.items() if c in names}
        for d, doc in docs.items()
    }
    out: dict[str, Stat] = {}
    for x, y in combinations(names, 2):
        tp = fp = fn = shared = 0
        for doc in grouped.values():
            if x not in doc or y not in doc:
                continue
            shared += 1
            a, b = doc[x], doc[y]
            t = _tp(a, b, mode)
            tp += t
            fp += sum(map(len, b.values())) - t
            fn += sum(map(len, a.values())) - t
        key = pair_key(x, y)
        if shared == 0:
            out[key] = undefined(f"no document annotated by both {x} and {y}")
        elif (value := _f1(tp, fp, fn)) is None:
            what = f"label {label!r}" if label is not None else "any label"
            out[key] = undefined(f"neither coder marked a span of {what}", shared)
        else:
            out[key] = Stat(value, n=shared)
    return out


def _mean_over_pairs(pairs: Mapping[str, Stat]) -> Stat:
    if not pairs:
        return undefined("only one coder")
    values = [s.value for s in pairs.values() if s.value is not None]
    if not values:
        reasons = sorted({s.reason for s in pairs.values()})
        return undefined("; ".join(reasons))
    return Stat(float(np.mean(values)), n=len(values))


def pairwise_f1(
    docs: Docs, mode: str = "exact", label: str | None = None, coders: Sequence[str] | None = None
) -> Stat:
    """Mean over coder pairs of :func:`f1_pairs` (pairs where F1 is undefined are left out);
    ``Stat.n`` is the number of pairs averaged."""
    return _mean_over_pairs(f1_pairs(docs, mode, label, coders))


# --------------------------------------------------------------------------- token α


def _token_mask(
    starts: np.ndarray, ends: np.ndarray, spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """1 for every token sharing at least one character with a span."""
    if not spans:
        return np.zeros(len(starts), dtype=np.int64)
    sp = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    sp = sp[sp[:, 1] > sp[:, 0]]
    first = np.searchsorted(ends, sp[:, 0], side="right")  # first token with end > start
    last = np.searchsorted(starts, sp[:, 1], side="left")  # tokens with start < end
    ok = first < last
    size = len(starts) + 1
    diff = np.bincount(first[ok], minlength=size) - np.bincount(last[ok], minlength=size)
    return (np.cumsum(diff[:-1]) > 0).astype(np.int64)


class _DocMasks:
    """One document's token bounds and each coder's 0/1 token mask per label, each computed
    once (the per-label and the overall token α of a document share them)."""

    def __init__(self, coded: list[list[Span]], starts: np.ndarray, ends: np.ndarray):
        self.starts, self.ends = starts, ends
        self.by_label: list[dict[str, list[tuple[int, int]]]] = []
        for spans in coded:
            grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for s, e, lab in spans:
                grouped[lab].append((s, e))
            self.by_label.append(grouped)
        self._cache: dict[tuple[int, str], np.ndarray] = {}

    def mask(self, row: int, label: str) -> np.ndarray:
        got = self._cache.get((row, label))
        if got is None:
            got = _token_mask(self.starts, self.ends, self.by_label[row].get(label, []))
            self._cache[row, label] = got
        return got


def _token_bounds(
    toks: Sequence[tuple[int, int]] | tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` int64 arrays of a document's tokens in sorted order; ``toks`` is
    a sequence of ``(start, end)`` pairs or already a pair of arrays in order."""
    if isinstance(toks, tuple) and len(toks) == 2 and isinstance(toks[0], np.ndarray):
        return toks[0].astype(np.int64, copy=False), toks[1].astype(np.int64, copy=False)
    # fromiter over the flattened pairs: a tenth of np.asarray's time on a list of tuples
    flat = np.fromiter(chain.from_iterable(toks), dtype=np.int64, count=2 * len(toks))
    starts, ends = flat[0::2], flat[1::2]
    if len(starts) > 1 and not (
        np.all(starts[1:] >= starts[:-1])
        and np.all((starts[1:] > starts[:-1]) | (ends[1:] >= ends[:-1]))
    ):
        order = np.lexsort((ends, starts))  # the order of sorted(toks): by start, then end
        starts, ends = starts[order], ends[order]
    return np.ascontiguousarray(starts), np.ascontiguousarray(ends)


class _TokenUnits:
    """Per-document sums of nominal α's sufficient statistics with each token a unit.

    Documents are added one at a time (:meth:`add`), so a corpus never needs to be in memory
    at once; subclasses say how a document's coders code its tokens in :meth:`_add`.
    """

    def __init__(
        self,
        docs: Docs | None = None,
        tokens: Tokens | None = None,
        coders: Iterable[str] | None = None,
    ) -> None:
        self.names = set(coders) if coders is not None else None
        self.doc_ids: list[Hashable] = []
        # per document, compact (8 bytes a number); copied into numpy arrays when read
        self._n = array("d")  # pairable values
        self._same = array("d")  # Σ o_cc
        self._arrays: tuple[int, np.ndarray, np.ndarray] | None = None
        self.coders: set[str] = set()
        for doc_id, doc in (docs or {}).items():
            toks = (tokens or {}).get(doc_id, ())
            coded = {c: list(sp) for c, sp in doc.items() if self.names is None or c in self.names}
            masks = None
            if len(coded) >= 2 and len(toks):
                masks = _DocMasks(list(coded.values()), *_token_bounds(toks))
            self.add(doc_id, list(coded), masks)

    def add(self, doc_id: Hashable, coders: Sequence[str], masks: _DocMasks | None) -> None:
        """One document: the coders who annotated it, and (when two or more did and it has
        tokens) their masks."""
        self.doc_ids.append(doc_id)
        self.coders.update(coders)
        m = len(coders)
        if masks is None or m < 2 or not len(masks.starts):
            self._n.append(0.0)
            self._same.append(0.0)
            self._add_nothing()
            return
        self._n.append(float(m * len(masks.starts)))
        self._same.append(self._add(m, masks))

    def _add(self, m: int, masks: _DocMasks) -> float:
        raise NotImplementedError

    def _add_nothing(self) -> None:
        raise NotImplementedError

    @property
    def n(self) -> np.ndarray:
        return self._both()[0]

    @property
    def same(self) -> np.ndarray:
        return self._both()[1]

    def _both(self) -> tuple[np.ndarray, np.ndarray]:
        if self._arrays is None or self._arrays[0] != len(self._n):
            self._arrays = (len(self._n), np.array(self._n), np.array(self._same))
        return self._arrays[1], self._arrays[2]


class _TokenAlpha(_TokenUnits):
    """Binary token units: 1 inside a span of ``label``, 0 outside."""

    def __init__(
        self,
        docs: Docs | None,
        tokens: Tokens | None,
        label: str,
        coders: Sequence[str] | None,
    ):
        self.label = label
        self._ones = array("d")  # n_1
        self._ones_arr = np.zeros(0)
        super().__init__(docs, tokens, coders)

    def _add(self, m: int, masks: _DocMasks) -> float:
        inside = cast(np.ndarray, sum(masks.mask(row, self.label) for row in range(m)))
        outside = m - inside
        self._ones.append(float(inside.sum()))
        return float((inside * (inside - 1) + outside * (outside - 1)).sum()) / (m - 1)

    def _add_nothing(self) -> None:
        self._ones.append(0.0)

    def at(self, w: np.ndarray | None = None) -> Stat:
        if len(self._ones_arr) != len(self._ones):
            self._ones_arr = np.array(self._ones)
        ones_all = self._ones_arr
        if w is None:
            n, same, ones = self.n.sum(), self.same.sum(), ones_all.sum()
        else:
            n, same, ones = np.dot(w, self.n), np.dot(w, self.same), np.dot(w, ones_all)
        n, same, ones = float(n), float(same), float(ones)
        if n == 0:
            return undefined("no pairable values (no document with tokens annotated by two coders)")
        zeros = n - ones
        d_e = n * n - ones * ones - zeros * zeros
        if d_e <= 0:
            value = "inside" if ones else "outside"
            return undefined(f"no variation: every token is {value} (alpha undefined)", int(n))
        return Stat(1.0 - (n - 1.0) * (n - same) / d_e, n=int(n))


# the entries' arrays (doc, key, count, where) and how many entries they were built from
_Entries = tuple[int, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]


class _TokenSetAlpha(_TokenUnits):
    """Token units coded with the set of labels covering each token.

    Each document's category totals are kept as entries ``(document, category, count)`` in
    document order, so a resample's totals are one weighted ``bincount`` (the same sums, in
    the same order, as adding the documents' counts one by one)."""

    def __init__(self, docs: Docs | None, tokens: Tokens | None, coders: Sequence[str] | None):
        self.keys: dict[frozenset[str], int] = {}  # category -> its index, by first appearance
        self._ent_doc = array("q")
        self._ent_key = array("q")
        self._ent_count = array("d")
        self._entries: _Entries | None = None
        self._last_lo = 0
        super().__init__(docs, tokens, coders)

    def _add(self, m: int, masks: _DocMasks) -> float:
        d = len(self.doc_ids) - 1
        self._last_lo = len(self._ent_doc)
        labels = sorted({lab for grouped in masks.by_label for lab in grouped})
        codes = np.zeros((m, len(masks.starts)), dtype=np.int64)  # a bit per label
        for row in range(m):
            for bit, lab in enumerate(labels):
                codes[row] |= masks.mask(row, lab) << bit
        same = 0.0
        for code in np.unique(codes):
            count = (codes == code).sum(axis=0)
            same += float((count * (count - 1)).sum())
            key = frozenset(lab for bit, lab in enumerate(labels) if code >> bit & 1)
            self._ent_doc.append(d)
            self._ent_key.append(self.keys.setdefault(key, len(self.keys)))
            self._ent_count.append(float(count.sum()))
        return same / (m - 1)

    def _add_nothing(self) -> None:
        self._last_lo = len(self._ent_doc)

    def _entry_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        if self._entries is None or self._entries[0] != len(self._ent_doc):
            doc = np.array(self._ent_doc, dtype=np.intp)
            key = np.array(self._ent_key, dtype=np.intp)
            count = np.array(self._ent_count, dtype=float)
            where = [np.flatnonzero(key == k) for k in range(len(self.keys))]
            self._entries = (len(self._ent_doc), doc, key, count, where)
        return self._entries[1:]

    def at(self, w: np.ndarray | None = None) -> Stat:
        weights = np.ones(len(self.doc_ids)) if w is None else np.asarray(w, dtype=float)
        return self._stat(weights, self.n, self.same, *self._entry_arrays())

    def last(self) -> Stat:
        """The statistic of the last document added, alone (as if it were the corpus)."""
        lo = self._last_lo
        key = np.array(self._ent_key[lo:], dtype=np.intp)
        count = np.array(self._ent_count[lo:], dtype=float)
        where = [np.flatnonzero(key == k) for k in range(len(self.keys))]
        return self._stat(
            np.ones(1),
            np.array(self._n[-1:]),
            np.array(self._same[-1:]),
            np.zeros(len(key), dtype=np.intp),
            key,
            count,
            where,
        )

    def _stat(
        self,
        weights: np.ndarray,
        n_arr: np.ndarray,
        same_arr: np.ndarray,
        doc: np.ndarray,
        key: np.ndarray,
        count: np.ndarray,
        where: list[np.ndarray],
    ) -> Stat:
        n = float(np.dot(weights, n_arr))
        same = float(np.dot(weights, same_arr))
        if n == 0:
            return undefined("no pairable values (no document with tokens annotated by two coders)")
        totals = np.bincount(key, weights=weights[doc] * count, minlength=len(self.keys))
        # Σ_c n_c² in the order the categories first appear in the resample's documents
        first = []
        for k, positions in enumerate(where):
            for p in positions[:4].tolist():
                if weights[doc[p]]:
                    first.append((p, k))
                    break
            else:
                hit = np.flatnonzero(weights[doc[positions]])
                if hit.size:
                    first.append((int(positions[hit[0]]), k))
        first.sort()
        d_e = n * n - sum(c * c for c in totals[[k for _p, k in first]])
        if d_e <= 0:
            return undefined(
                "no variation: every token has the same labels (alpha undefined)", int(n)
            )
        return Stat(1.0 - (n - 1.0) * (n - same) / d_e, n=int(n))


def token_alpha(
    docs: Docs,
    tokens_per_doc: Tokens,
    label: str | None,
    *,
    coders: Sequence[str] | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
) -> Stat:
    """Token-level nominal α for ``label``; ``tokens_per_doc`` maps document id to its tokens'
    ``(start, end)`` character offsets. ``Stat.n`` is the number of pairable token values.
    With ``bootstrap > 0`` documents are resampled for ``Stat.ci``.

    ``label=None`` gives the overall value: each token is coded with the *set* of labels
    whose spans cover it (nominal categories such as {}, {A}, {A, B})."""
    data = (
        _TokenAlpha(docs, tokens_per_doc, label, coders)
        if label is not None
        else _TokenSetAlpha(docs, tokens_per_doc, coders)
    )
    if not data.coders:
        return undefined("no annotations")
    if len(data.coders) < 2:
        return undefined("only one coder")
    result = data.at()
    if bootstrap and result.defined:
        ci = weighted_ci(len(data.doc_ids), lambda w: data.at(w).value, bootstrap, seed, confidence)
        result = Stat(result.value, result.reason, result.n, ci)
    return result


# --------------------------------------------------------------------------- α_U


def _units(spans: Iterable[Span], label: str, length: int) -> list[tuple[int, int]]:
    """Sorted, clipped, non-empty spans of ``label``; overlapping ones merged."""
    raw = sorted((max(0, int(s)), min(length, int(e))) for s, e, lab in spans if lab == label)
    out: list[tuple[int, int]] = []
    for s, e in raw:
        if e <= s:
            continue
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _gaps(units: list[tuple[int, int]], length: int) -> list[int]:
    out, pos = [], 0
    for s, e in units:
        if s > pos:
            out.append(s - pos)
        pos = e
    if length > pos:
        out.append(length - pos)
    return out


def _observed(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> float:
    """Σ δ² over the sections of two coders (one ordered direction)."""
    total = 0.0
    hit_a, hit_b = [False] * len(a), [False] * len(b)
    i = j = 0
    while i < len(a) and j < len(b):
        (sa, ea), (sb, eb) = a[i], b[j]
        if sa < eb and sb < ea:
            total += (sa - sb) ** 2 + (ea - eb) ** 2
            hit_a[i] = hit_b[j] = True
        if ea <= eb:
            i += 1
        else:
            j += 1
    total += sum((e - s) ** 2 for (s, e), hit in zip(a, hit_a, strict=True) if not hit)
    total += sum((e - s) ** 2 for (s, e), hit in zip(b, hit_b, strict=True) if not hit)
    return total


# one document's part of α_U for one label (:func:`_pieces`)
Pieces = tuple[list[int], list[int], float]


def _pieces(length: int, sections: list[list[tuple[int, int]]]) -> Pieces:
    """One document's part of α_U for one label: its units' lengths and its gaps' lengths
    (coder by coder, in order) and Σ δ² over the coder pairs."""
    unit_len: list[int] = []
    gap_len: list[int] = []
    for units in sections:
        unit_len.extend(e - s for s, e in units)
        gap_len.extend(_gaps(units, length))
    return unit_len, gap_len, sum(_observed(x, y) for x, y in combinations(sections, 2))


def _single_parts(length: int, m: int, pieces: Pieces) -> tuple[float, ...]:
    """``_label_parts(p, None)`` of a :class:`_UnitizingAlpha` holding this one document
    (the same operations on the same numbers, without building one)."""
    unit_len, gap_len, observed = pieces
    big_l = float(length)  # = np.dot(ones(1), [length])
    lu = np.array(unit_len, dtype=float)
    ones = np.ones(len(lu))
    n_c = float(len(lu))  # = ones.sum()
    term1 = (n_c - 1.0) * float(np.dot(ones, (2 * lu**3 - 3 * lu**2 + lu) / 3.0))
    # the suffix sums (how many gaps at least as long as each unit, and their total length)
    # are whole numbers, exact in any order
    gaps = sorted(gap_len)
    tail_l = [0] * (len(gaps) + 1)
    for i in range(len(gaps) - 1, -1, -1):
        tail_l[i] = tail_l[i + 1] + gaps[i]
    first = [bisect_left(gaps, u) for u in unit_len]
    suffix_n = np.array([len(gaps) - i for i in first], dtype=float)
    suffix_l = np.array([tail_l[i] for i in first], dtype=float)
    fit = suffix_l - (lu - 1.0) * suffix_n
    term2 = float(np.dot(ones, lu**2 * fit))
    num_e = 2.0 / big_l * (term1 + term2) if big_l else 0.0
    den_e = m * big_l * (m * big_l - 1.0) - float(np.dot(ones, lu * (lu - 1.0)))
    num_o = 2.0 * float(observed) / (m * (m - 1) * big_l * big_l) if big_l else 0.0
    return num_o, num_e, den_e, len(unit_len)


class _UnitizingAlpha:
    """Per-document pieces of D_O and D_E for one label, weighted by document.

    Documents are added one at a time (:meth:`add`, in document order) and the arrays are
    built by :meth:`finish`; the dict-based constructor does both."""

    def __init__(
        self,
        docs: Docs | None,
        lengths: Mapping[Hashable, int] | None,
        label: str,
        coders: list[str],
    ):
        self.label = label
        self.m = len(coders)
        self.doc_ids: list[Hashable] = []
        self._length = array("d")
        self._observed = array("d")  # Σ over unordered coder pairs of Σ δ²
        self._unit_len, self._unit_doc = array("d"), array("q")
        self._gap_len, self._gap_doc = array("d"), array("q")
        if docs is not None:
            assert lengths is not None, "documents come with their lengths"
            for doc_id, doc in docs.items():
                if all(c in doc for c in coders):
                    length = int(lengths[doc_id])
                    self.add(doc_id, length, [_units(doc[c], label, length) for c in coders])
            self.finish()

    def add(self, doc_id: Hashable, length: int, sections: list[list[tuple[int, int]]]) -> None:
        """One document annotated by every coder: each coder's units (:func:`_units`)."""
        self.add_pieces(doc_id, length, _pieces(length, sections))

    def add_pieces(self, doc_id: Hashable, length: int, pieces: Pieces) -> None:
        """One document from its :func:`_pieces`."""
        unit_len, gap_len, observed = pieces
        d = len(self.doc_ids)
        self.doc_ids.append(doc_id)
        self._length.append(length)
        self._unit_len.extend(unit_len)
        self._unit_doc.extend([d] * len(unit_len))
        self._gap_len.extend(gap_len)
        self._gap_doc.extend([d] * len(gap_len))
        self._observed.append(observed)

    def finish(self) -> None:
        # copies (np.array): a view would pin the growing arrays' buffers
        self.length = np.array(self._length, dtype=float)
        self.observed = np.array(self._observed, dtype=float)
        self.unit_len = np.array(self._unit_len, dtype=float)
        self.unit_doc = np.array(self._unit_doc, dtype=np.intp)
        gap_len = np.array(self._gap_len, dtype=float)
        order = np.argsort(gap_len, kind="stable")
        self.gap_len = gap_len[order]
        self.gap_doc = np.array(self._gap_doc, dtype=np.intp)[order]
        # for each unit, the first gap (in ascending order) at least as long as the unit
        self.first_gap = np.searchsorted(self.gap_len, self.unit_len, side="left")
        # units and gaps are in document order: a document's weight is repeated over them
        k = len(self.doc_ids)
        self._units_per_doc = np.bincount(self.unit_doc, minlength=k)
        gap_doc = np.array(self._gap_doc, dtype=np.intp)
        self._gaps_per_doc = np.bincount(gap_doc, minlength=k)
        # distinct gap lengths, each gap's among them and each unit's first at least as long
        self._group_len, self._gap_group = np.unique(gap_len, return_inverse=True)
        self._gap_group = self._gap_group.reshape(-1)
        self._unit_group = np.searchsorted(self._group_len, self.unit_len, side="left")
        self._gap_total = float(gap_len.sum())
        # the parts of D_E that do not depend on the weights
        lu = self.unit_len
        self._cubic = (2 * lu**3 - 3 * lu**2 + lu) / 3.0
        self._lu_minus_1 = lu - 1.0
        self._lu_sq = lu**2
        self._lu_lu1 = lu * (lu - 1.0)

    def parts(self, w: np.ndarray | None = None) -> tuple[float, float, float]:
        """(Σ δ² numerator of D_O, numerator of D_E, its denominator); L from the weights."""
        k = len(self.doc_ids)
        w = np.ones(k) if w is None else np.asarray(w, dtype=float)
        big_l = float(np.dot(w, self.length))
        m = self.m
        wu = np.repeat(w, self._units_per_doc)  # = w[self.unit_doc]
        n_c = float(wu.sum())
        term1 = (n_c - 1.0) * float(np.dot(wu, self._cubic))
        # Σ_{gaps h ≥ l} w_h (l_h - l + 1) = S_len - (l - 1) S_count over the suffix
        if float(w.max(initial=0.0)) * self._gap_total < 2.0**53:
            # The suffix sums add whole numbers below 2**53, so they are exact in any order:
            # the gaps' weights summed per distinct length, then a suffix sum over lengths.
            wn = np.bincount(
                self._gap_group,
                weights=np.repeat(w, self._gaps_per_doc),
                minlength=len(self._group_len),
            )
            suffix_n = np.concatenate([np.cumsum(wn[::-1])[::-1], [0.0]])
            suffix_l = np.concatenate([np.cumsum((wn * self._group_len)[::-1])[::-1], [0.0]])
            at = self._unit_group
        else:  # a corpus beyond exact integers: gap by gap, in ascending order of length
            wg = w[self.gap_doc]
            suffix_n = np.concatenate([np.cumsum((wg)[::-1])[::-1], [0.0]])
            suffix_l = np.concatenate([np.cumsum((wg * self.gap_len)[::-1])[::-1], [0.0]])
            at = self.first_gap
        fit = suffix_l[at] - self._lu_minus_1 * suffix_n[at]
        term2 = float(np.dot(wu, self._lu_sq * fit))
        num_e = 2.0 / big_l * (term1 + term2) if big_l else 0.0
        den_e = m * big_l * (m * big_l - 1.0) - float(np.dot(wu, self._lu_lu1))
        num_o = (
            2.0 * float(np.dot(w, self.observed)) / (m * (m - 1) * big_l * big_l) if big_l else 0.0
        )
        return num_o, num_e, den_e


def _unitizing_prepared(
    docs: Docs, lengths: Mapping[Hashable, int], label: str | None, coders: Sequence[str] | None
) -> tuple[list[_UnitizingAlpha], Stat | None]:
    names = sorted(coders, key=str) if coders is not None else _all_coders(docs)
    if not names:
        return [], undefined("no annotations")
    if len(names) < 2:
        return [], undefined("only one coder")
    if label is None:
        labels = sorted(
            {
                lab
                for doc in docs.values()
                for c, spans in doc.items()
                if c in names
                for *_, lab in spans
            }
        )
    else:
        labels = [label]
    if not labels:
        return [], undefined("no spans")
    prepared = [_UnitizingAlpha(docs, lengths, lab, names) for lab in labels]
    if not prepared[0].doc_ids:
        return [], undefined("no document annotated by every coder")
    if prepared[0].length.sum() == 0:
        return [], undefined("the documents are empty", len(prepared[0].doc_ids))
    return prepared, None


def _label_parts(p: _UnitizingAlpha, w: np.ndarray | None) -> tuple[float, ...]:
    """One label's ``(num_o, num_e, den_e, number of units)`` under weights ``w``."""
    num_o, num_e, den_e = p.parts(w)
    # Σ of the units' weights, a whole number (= w[p.unit_doc].sum(), without the gather)
    n_units = float(w @ p._units_per_doc) if w is not None else len(p.unit_len)
    return num_o, num_e, den_e, n_units


def _combine_alpha_u(parts: Iterable[tuple[float, ...]], n_docs: int, label: str | None) -> Stat:
    """α_U from the labels' :func:`_label_parts` (one label, or all for the overall value)."""
    d_o = d_e = 0.0
    n_units = 0.0
    for num_o, num_e, den_e, units in parts:
        n_units += units
        d_o += num_o
        d_e += num_e / den_e if den_e > 0 else 0.0
    if n_units == 0:
        what = f"of label {label!r}" if label is not None else ""
        return undefined(f"no spans {what}".strip(), n_docs)
    if d_e <= 0:
        return undefined("no expected disagreement (alpha undefined)", n_docs)
    return Stat(1.0 - d_o / d_e, n=n_docs)


def only_every_coder(stat: Stat, used: int, annotated: int) -> Stat:
    """``stat`` with "no spans" said to be on the ``used`` documents annotated by every
    coder when fewer than the ``annotated`` ones (the spans may all be on the others: α_U
    does not see them, and "no spans" alone would deny they exist)."""
    if stat.defined or not stat.reason.startswith("no spans") or used >= annotated:
        return stat
    where = (
        f"on the {used} of {annotated} documents annotated by every coder (alpha_U uses only those)"
    )
    return Stat(None, f"{stat.reason} {where}", stat.n, stat.ci)


def _alpha_u(prepared: list[_UnitizingAlpha], w: np.ndarray | None, label: str | None) -> Stat:
    return _combine_alpha_u((_label_parts(p, w) for p in prepared), len(prepared[0].doc_ids), label)


def unitizing_disagreement(
    docs: Docs, lengths: Mapping[Hashable, int], label: str, coders: Sequence[str] | None = None
) -> tuple[float, float] | None:
    """``(D_O, D_E)`` of α_U for one label (``None`` when undefined), for inspection."""
    prepared, bad = _unitizing_prepared(docs, lengths, label, coders)
    if bad is not None:
        return None
    num_o, num_e, den_e = prepared[0].parts()
    return num_o, num_e / den_e if den_e > 0 else 0.0


def unitizing_alpha(
    docs: Docs,
    lengths: Mapping[Hashable, int],
    label: str | None = None,
    *,
    coders: Sequence[str] | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
) -> Stat:
    """Krippendorff's α_U for ``label`` (or over all labels when ``None``); ``lengths`` maps
    document id to its length in characters. ``Stat.n`` is the number of documents used (those
    annotated by every coder). With ``bootstrap > 0`` documents are resampled for ``Stat.ci``."""
    prepared, bad = _unitizing_prepared(docs, lengths, label, coders)
    if bad is not None:
        return bad
    names = set(coders) if coders is not None else None
    annotated = sum(any(names is None or c in names for c in doc) for doc in docs.values())
    result = only_every_coder(_alpha_u(prepared, None, label), len(prepared[0].doc_ids), annotated)
    if bootstrap and result.defined:
        ci = weighted_ci(
            len(prepared[0].doc_ids),
            lambda w: _alpha_u(prepared, w, label).value,
            bootstrap,
            seed,
            confidence,
        )
        result = Stat(result.value, result.reason, result.n, ci)
    return result
