"""Agreement statistics against oracles that share no code with the library (issue 10's
mutation testing; see bench/mutation.md).

* Nominal α: the coincidence matrix of Krippendorff (2011, "Computing Krippendorff's
  Alpha-Reliability", sections A and C) built pair by pair in exact fractions.
* α_U: the formulas of Krippendorff (2004, "Measuring the reliability of qualitative text
  analysis data", Quality & Quantity 38, pp. 787-800) as DKPro Agreement's
  ``KrippendorffAlphaUnitizingAgreement`` implements them, written here as plain loops over
  every pair of sections in exact fractions; several documents are one continuum of length
  ``Σ L_d`` in which no section crosses a document boundary.
* Bootstrap intervals: the documents of each draw repeated as often as they were drawn and
  the oracle recomputed on the copy, then the percentiles taken by hand.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from itertools import combinations, permutations

import numpy as np
import pytest

from annotator.agreement import pairwise_f1, token_alpha, unitizing_alpha, unitizing_disagreement
from annotator.agreement.result import Interval, Stat

# ------------------------------------------------------------------ oracles


def nominal_alpha_oracle(units):
    """Krippendorff (2011): o_ck = Σ_u Σ_{i≠j} [v_i = c][v_j = k] / (m_u - 1) over units
    with m_u ≥ 2 values; α = 1 - (n - 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k. None if undefined."""
    o: dict[tuple, Fraction] = {}
    for unit in units.values():
        values = [v for v in unit.values() if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            key = (values[i], values[j])
            o[key] = o.get(key, Fraction(0)) + Fraction(1, m - 1)
    n_c: dict = {}
    for (c, _k), x in o.items():
        n_c[c] = n_c.get(c, Fraction(0)) + x
    n = sum(n_c.values(), Fraction(0))
    if n == 0:
        return None, 0
    observed = sum((x for (c, k), x in o.items() if c != k), Fraction(0))
    expected = sum((n_c[c] * n_c[k] for c in n_c for k in n_c if c != k), Fraction(0))
    if expected == 0:
        return None, int(n)
    return float(1 - (n - 1) * observed / expected), int(n)


def token_units(docs, tokens, label):
    """Each token of a document a unit; a coder who annotated the document codes it with
    whether (``label``) or with which labels (``None``) their spans share a character with it."""
    units = {}
    for d, doc in docs.items():
        for t, (ts, te) in enumerate(tokens.get(d, ())):
            unit = {}
            for c, spans in doc.items():
                covering = frozenset(lab for s, e, lab in spans if max(s, ts) < min(e, te))
                unit[c] = covering if label is None else int(label in covering)
            units[(d, t)] = unit
    return units


def merged_units(spans, label, length):
    """A coder's units of ``label``: clipped to [0, L), empty ones dropped, overlapping
    (not merely touching) ones merged."""
    raw = sorted((max(0, s), min(length, e)) for s, e, lab in spans if lab == label)
    out = []
    for s, e in raw:
        if e <= s:
            continue
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def sections(units, length):
    """The coder's continuum cut into ("unit", b, e) and ("gap", b, e) sections."""
    out, pos = [], 0
    for s, e in units:
        if s > pos:
            out.append(("gap", pos, s))
        out.append(("unit", s, e))
        pos = e
    if pos < length:
        out.append(("gap", pos, length))
    return out


def delta2(g, h):
    """Krippendorff's (2004) δ² of section g of one coder and section h of another."""
    (kg, bg, eg), (kh, bh, eh) = g, h
    if kg == "unit" and kh == "unit":
        return (bg - bh) ** 2 + (eg - eh) ** 2 if bg < eh and bh < eg else 0
    if kg == "unit" and kh == "gap":
        return (eg - bg) ** 2 if bh <= bg and eg <= eh else 0
    if kg == "gap" and kh == "unit":
        return (eh - bh) ** 2 if bg <= bh and eh <= eg else 0
    return 0


def alpha_u_parts_oracle(docs, lengths, label, coders):
    """(D_O, D_E, number of units) of ``label`` in fractions over the documents every coder
    annotated (D_E = 0 when its denominator vanishes); None without any such document or
    character."""
    used = [d for d, doc in docs.items() if all(c in doc for c in coders)]
    m = len(coders)
    big_l = sum(lengths[d] for d in used)
    if big_l == 0:
        return None
    pair_sum = 0
    unit_lengths, gap_lengths = [], []
    for d in used:
        secs = {
            c: sections(merged_units(docs[d][c], label, lengths[d]), lengths[d]) for c in coders
        }
        for i, j in permutations(coders, 2):
            pair_sum += sum(delta2(g, h) for g in secs[i] for h in secs[j])
        for c in coders:
            unit_lengths += [e - b for k, b, e in secs[c] if k == "unit"]
            gap_lengths += [e - b for k, b, e in secs[c] if k == "gap"]
    d_o = Fraction(pair_sum, m * (m - 1) * big_l * big_l)
    n_c = len(unit_lengths)
    num = Fraction(0)
    for lg in unit_lengths:
        num += Fraction((n_c - 1) * (2 * lg**3 - 3 * lg**2 + lg), 3)
        num += lg * lg * sum(lh - lg + 1 for lh in gap_lengths if lh >= lg)
    den = m * big_l * (m * big_l - 1) - sum(lg * (lg - 1) for lg in unit_lengths)
    return d_o, (Fraction(2, big_l) * num / den if den > 0 else Fraction(0)), n_c


def alpha_u_oracle(docs, lengths, label, coders):
    """α_U of ``label``, or over every label of these coders' spans (``None``):
    1 - Σ_c D_O,c / Σ_c D_E,c. ``None`` when undefined."""
    labels = (
        [label]
        if label is not None
        else sorted({lab for doc in docs.values() for c in coders for *_, lab in doc.get(c, ())})
    )
    d_o = d_e = Fraction(0)
    n_units = 0
    for lab in labels:
        if alpha_u_parts_oracle(docs, lengths, lab, coders) is None:
            return None
        o, e, n = alpha_u_parts_oracle(docs, lengths, lab, coders)
        d_o, d_e, n_units = d_o + o, d_e + e, n_units + n
    if n_units == 0 or d_e <= 0:
        return None
    return float(1 - d_o / d_e)


def percentile(values, q):
    """Linear interpolation between order statistics (Hyndman & Fan type 7)."""
    x = sorted(values)
    h = (len(x) - 1) * q
    k = math.floor(h)
    return x[k] if k + 1 >= len(x) else x[k] + (h - k) * (x[k + 1] - x[k])


def draws(n_docs, n, seed):
    """The documented draws: ``default_rng(seed).integers(0, n_docs, n_docs)``, n times."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_docs, size=n_docs).tolist() for _ in range(n)]


def resampled(mapping, ids, draw):
    return {k: mapping[ids[i]] for k, i in enumerate(draw)}


# ------------------------------------------------------------------ corpora


def small_corpus(seed, n_docs=4, coders=("a", "b", "c"), labels="XY", max_len=14):
    """Short documents where spans touch, nest, overlap, repeat, are empty or reach past the
    end; a coder sometimes did not annotate a document; tokens with and without gaps."""
    rng = random.Random(seed)
    docs, lengths, tokens = {}, {}, {}
    for d in range(n_docs):
        length = rng.randint(1, max_len)
        doc = {}
        for c in coders:
            if rng.random() < 0.15:
                continue
            spans = []
            for _ in range(rng.randint(0, 4)):
                s = rng.randint(0, length)
                spans.append((s, s + rng.choice([0, 1, 1, 2, 3, 5, 9]), rng.choice(labels)))
            doc[c] = spans
        toks, pos = [], 0
        while pos < length:
            s = pos + rng.choice([0, 0, 1])
            e = min(length, s + rng.randint(1, 3))
            if s >= length:
                break
            toks.append((s, e))
            pos = e
        docs[f"d{d}"], lengths[f"d{d}"], tokens[f"d{d}"] = doc, length, toks
    return docs, lengths, tokens


# ------------------------------------------------------------------ α_U


def test_alpha_u_krippendorff_2004_example_exactly():
    """Krippendorff (2004: p. 254) as in DKPro's Krippendorff2004Test (continuum 150..450):
    the oracle's exact fractions, which round to the published 0.7286 (c) and 1 (k)."""
    i = [(75, 145, "c"), (220, 250, "c"), (30, 90, "k"), (150, 200, "k")]
    j = [(70, 150, "c"), (205, 225, "c"), (250, 270, "c"), (30, 90, "k"), (150, 200, "k")]
    docs, lengths = {"d": {"i": i, "j": j}}, {"d": 300}
    d_o, d_e, _n = alpha_u_parts_oracle(docs, lengths, "c", ["i", "j"])
    assert round(float(1 - d_o / d_e), 4) == 0.7286
    assert d_o == Fraction(2 * (5**2 + 5**2 + 15**2 + 25**2 + 20**2), 2 * 300**2)
    got_o, got_e = unitizing_disagreement(docs, lengths, "c")
    assert got_o == pytest.approx(float(d_o), rel=1e-12)
    assert got_e == pytest.approx(float(d_e), rel=1e-12)
    assert unitizing_alpha(docs, lengths, "c").value == pytest.approx(1 - d_o / d_e, rel=1e-12)
    assert unitizing_alpha(docs, lengths, "k").value == 1.0
    overall = alpha_u_oracle(docs, lengths, None, ["i", "j"])
    assert unitizing_alpha(docs, lengths).value == pytest.approx(overall, rel=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_alpha_u_equals_the_oracle_on_small_corpora(seed):
    coders = ["a", "b", "c"][: 2 + seed % 2]
    docs, lengths, _tokens = small_corpus(seed, coders=coders)
    for label in ("X", "Y", None):
        want = alpha_u_oracle(docs, lengths, label, coders)
        got = unitizing_alpha(docs, lengths, label)
        if want is None:
            assert got.value is None
        else:
            assert got.value == pytest.approx(want, rel=1e-9, abs=1e-12), label
            assert got.n == sum(all(c in doc for c in coders) for doc in docs.values())
        if label is not None and got.n:
            d_o, d_e, _n = alpha_u_parts_oracle(docs, lengths, label, coders)
            assert unitizing_disagreement(docs, lengths, label) == pytest.approx(
                (float(d_o), float(d_e)), rel=1e-9, abs=1e-15
            )


@pytest.mark.parametrize("seed", range(6))
def test_alpha_u_interval_is_the_percentile_of_the_oracle_on_each_resample(seed):
    coders = ["a", "b"]
    docs, lengths, _tokens = small_corpus(100 + seed, n_docs=6, coders=coders)
    docs = {d: doc for d, doc in docs.items() if all(c in doc for c in coders)}
    ids = list(docs)
    for label in ("X", None):
        given = {"seed": seed} if seed else {}  # seed 0 is the default
        got = unitizing_alpha(docs, lengths, label, bootstrap=40, confidence=0.9, **given)
        if got.value is None:
            continue
        values = []
        for draw in draws(len(ids), 40, seed):
            v = alpha_u_oracle(
                resampled(docs, ids, draw), resampled(lengths, ids, draw), label, coders
            )
            if v is not None:
                values.append(v)
        assert (got.ci.used, got.ci.requested, got.ci.level) == (len(values), 40, 0.9)
        assert got.ci.lo == pytest.approx(percentile(values, 0.05), rel=1e-9, abs=1e-12)
        assert got.ci.hi == pytest.approx(percentile(values, 0.95), rel=1e-9, abs=1e-12)


# ------------------------------------------------------------------ token α


@pytest.mark.parametrize("seed", range(40))
def test_token_alpha_equals_the_coincidence_matrix_oracle(seed):
    coders = ["a", "b", "c"][: 2 + seed % 2]
    docs, _lengths, tokens = small_corpus(seed, coders=coders, labels="XYZ")
    for label in ("X", "Y", None):
        want, n = nominal_alpha_oracle(token_units(docs, tokens, label))
        got = token_alpha(docs, tokens, label)
        assert got.n == n
        if want is None:
            assert got.value is None
        else:
            assert got.value == pytest.approx(want, rel=1e-9, abs=1e-12), label
        # only the coders asked for (the others' values left out of every unit)
        two = {d: {c: sp for c, sp in doc.items() if c in ("a", "c")} for d, doc in docs.items()}
        want, n = nominal_alpha_oracle(token_units(two, tokens, label))
        got = token_alpha(docs, tokens, label, coders=["c", "a"])
        assert got.n == n
        assert got.value == (None if want is None else pytest.approx(want, rel=1e-9, abs=1e-12))


@pytest.mark.parametrize("seed", range(6))
def test_token_alpha_interval_is_the_percentile_of_the_oracle_on_each_resample(seed):
    docs, _lengths, tokens = small_corpus(200 + seed, n_docs=6, labels="XYZ")
    ids = list(docs)
    for label in ("X", None):
        # seed 0 is the default
        given = {"seed": seed} if seed else {}
        got = token_alpha(docs, tokens, label, bootstrap=40, confidence=0.8, **given)
        if got.value is None:
            continue
        values = []
        for draw in draws(len(ids), 40, seed):
            units = token_units(resampled(docs, ids, draw), resampled(tokens, ids, draw), label)
            v, _n = nominal_alpha_oracle(units)
            if v is not None:
                values.append(v)
        assert (got.ci.used, got.ci.requested, got.ci.level) == (len(values), 40, 0.8)
        assert got.ci.lo == pytest.approx(percentile(values, 0.1), rel=1e-9, abs=1e-12)
        assert got.ci.hi == pytest.approx(percentile(values, 0.9), rel=1e-9, abs=1e-12)


def test_alpha_u_of_chosen_coders_leaves_the_others_out():
    docs = {
        1: {"a": [(2, 6, "X")], "b": [(3, 6, "X")], "c": [(0, 1, "X"), (8, 10, "X")]},
        2: {"a": [(0, 4, "X")], "b": [(0, 4, "X"), (5, 7, "X")]},  # c did not annotate it
    }
    lengths = {1: 10, 2: 8}
    d_o, d_e, _n = alpha_u_parts_oracle(docs, lengths, "X", ["a", "b"])
    # by hand (section pairs of a and b): doc 1 (2,6)~(3,6): 1; doc 2 (5,7) in a's gap: 4
    assert d_o == Fraction(2 * (1 + 4), 2 * 18 * 18)
    assert unitizing_disagreement(docs, lengths, "X", coders=["a", "b"]) == pytest.approx(
        (float(d_o), float(d_e)), rel=1e-12
    )
    got = unitizing_alpha(docs, lengths, "X", coders=["b", "a"])
    assert got.n == 2 and got.value == pytest.approx(float(1 - d_o / d_e), rel=1e-12)
    assert unitizing_alpha(docs, lengths, "X").n == 1  # all three coders: document 1 only


def single_parts_oracle(length, m, unit_len, gap_len, observed):
    """α_U's (D_O numerator, D_E numerator, D_E denominator) of one document from its pieces,
    in fractions (Krippendorff 2004, as in the module docstring)."""
    n_c = len(unit_len)
    num = Fraction(0)
    for lg in unit_len:
        num += Fraction((n_c - 1) * (2 * lg**3 - 3 * lg**2 + lg), 3)
        num += lg * lg * sum(lh - lg + 1 for lh in gap_len if lh >= lg)
    den = m * length * (m * length - 1) - sum(lg * (lg - 1) for lg in unit_len)
    return Fraction(2 * observed, m * (m - 1) * length**2), Fraction(2, length) * num, den


@pytest.mark.parametrize(
    ("length", "m", "units", "gaps", "observed"),
    [
        (10, 2, [4, 3], [4, 2, 4, 3], 1),  # the hand-derived case of test_agreement_spans
        (10, 3, [3, 3, 2], [3, 3, 2, 7, 5, 3], 9),  # a gap exactly as long as a unit
        (9, 2, [], [9, 9], 0),
        # units of two million characters: 2 l³ is beyond 64-bit integers (floats hold it)
        (5_000_000, 2, [2_000_000, 2_500_000], [3_000_000, 2_500_000, 2_000_000], 10**12),
    ],
)
def test_one_documents_alpha_u_parts_equal_the_formula(length, m, units, gaps, observed):
    from annotator.agreement.spans import _single_parts

    num_o, num_e, den_e, n = _single_parts(length, m, (units, gaps, observed))
    want = single_parts_oracle(length, m, units, gaps, observed)
    assert (num_o, num_e, den_e) == pytest.approx(tuple(map(float, want)), rel=1e-12)
    assert n == len(units)


def test_f1_pairs_defaults_to_exact_matching():
    from annotator.agreement import f1_pairs

    docs = {1: {"a": [(0, 5, "X")], "b": [(1, 5, "X")]}}
    assert f1_pairs(docs)["a|b"].value == 0.0
    assert f1_pairs(docs, "overlap")["a|b"].value == 1.0


TOKENS = {1: [(0, 1), (2, 3), (4, 5)], 2: [(0, 1), (2, 3)]}
BOTH_ALL = {1: {"a": [(0, 5, "X")], "b": [(0, 9, "X")]}}
BOTH_NONE = {1: {"a": [], "b": []}}
APART = {1: {"a": []}, 2: {"b": []}}
NO_PAIRS = "no pairable values (no document with tokens annotated by two coders)"


@pytest.mark.parametrize(
    ("call", "want"),
    [
        (lambda: token_alpha({}, TOKENS, None), Stat(None, "no annotations")),
        (lambda: token_alpha({1: {"a": []}}, TOKENS, "X"), Stat(None, "only one coder")),
        (lambda: token_alpha(APART, TOKENS, "X"), Stat(None, NO_PAIRS)),
        (lambda: token_alpha(APART, TOKENS, None), Stat(None, NO_PAIRS)),
        (
            lambda: token_alpha(BOTH_ALL, TOKENS, "X"),
            Stat(None, "no variation: every token is inside (alpha undefined)", 6),
        ),
        (
            lambda: token_alpha(BOTH_NONE, TOKENS, "X"),
            Stat(None, "no variation: every token is outside (alpha undefined)", 6),
        ),
        (
            lambda: token_alpha(BOTH_ALL, TOKENS, None),
            Stat(None, "no variation: every token has the same labels (alpha undefined)", 6),
        ),
        (lambda: unitizing_alpha({}, {}), Stat(None, "no annotations")),
        (lambda: unitizing_alpha({1: {"a": []}}, {1: 1}), Stat(None, "only one coder")),
        (lambda: unitizing_alpha(BOTH_NONE, {1: 1}), Stat(None, "no spans")),
        (lambda: unitizing_alpha(BOTH_NONE, {1: 5}, "X"), Stat(None, "no spans of label 'X'", 1)),
        (
            lambda: unitizing_alpha({1: {"a": [(0, 1, "X")]}, 2: {"b": []}}, {1: 1, 2: 3}),
            Stat(None, "no document annotated by every coder"),
        ),
        (
            lambda: unitizing_alpha({1: {"a": [(0, 1, "X")], "b": []}}, {1: 0}, "X"),
            Stat(None, "the documents are empty", 1),
        ),
        # one character, both coders mark it: no expected disagreement (D_E = 0)
        (
            lambda: unitizing_alpha({1: {"a": [(0, 1, "X")], "b": [(0, 1, "X")]}}, {1: 1}),
            Stat(None, "no expected disagreement (alpha undefined)", 1),
        ),
        (
            lambda: unitizing_alpha({1: {"a": [(0, 1, "X")], "b": []}}, {1: 1}, "X"),
            Stat(0.0, "", 1),
        ),
        (
            lambda: pairwise_f1({1: {"a": [], "b": []}, 2: {"c": []}}, "exact", label="X"),
            Stat(
                None,
                "neither coder marked a span of label 'X'; no document annotated by both a"
                " and c; no document annotated by both b and c",
            ),
        ),
    ],
)
def test_every_undefined_value_says_exactly_why(call, want):
    assert call() == want


# ------------------------------------------------------------------ document fields


def interval_alpha_oracle(units):
    """Krippendorff (2011), interval metric δ²_ck = (c - k)², from the coincidences."""
    o: dict[tuple, Fraction] = {}
    for unit in units.values():
        values = [Fraction(v) for v in unit.values() if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            key = (values[i], values[j])
            o[key] = o.get(key, Fraction(0)) + Fraction(1, m - 1)
    n_c: dict = {}
    for (c, _k), x in o.items():
        n_c[c] = n_c.get(c, Fraction(0)) + x
    n = sum(n_c.values(), Fraction(0))
    observed = sum((x * (c - k) ** 2 for (c, k), x in o.items()), Fraction(0))
    expected = sum((n_c[c] * n_c[k] * (c - k) ** 2 for c in n_c for k in n_c), Fraction(0))
    if n == 0 or expected == 0:
        return None
    return float(1 - (n - 1) * observed / expected)


def cohen_oracle(units, a, b):
    """Cohen (1960): (p_o - p_e) / (1 - p_e), p_e from each coder's own marginals."""
    pairs = [(u[a], u[b]) for u in units.values() if u.get(a) is not None and u.get(b) is not None]
    n = len(pairs)
    p_o = Fraction(sum(x == y for x, y in pairs), n)
    cats = {v for p in pairs for v in p}
    p_e = sum(
        Fraction(sum(x == c for x, _ in pairs) * sum(y == c for _, y in pairs), n * n) for c in cats
    )
    return None if p_e == 1 else float((p_o - p_e) / (1 - p_e))


def fleiss_oracle(units):
    """Fleiss (1971): P_i = Σ_j n_ij (n_ij - 1) / (r (r - 1)), P̄_e = Σ_j p_j²."""
    rows = [[v for v in u.values() if v is not None] for u in units.values()]
    rows = [r for r in rows if r]
    r = len(rows[0])
    cats = {v for row in rows for v in row}
    p_i = [
        Fraction(sum(row.count(c) * (row.count(c) - 1) for c in cats), r * (r - 1)) for row in rows
    ]
    p_j = [Fraction(sum(row.count(c) for row in rows), len(rows) * r) for c in cats]
    p_bar, p_e = sum(p_i) / len(rows), sum(p * p for p in p_j)
    return float((p_bar - p_e) / (1 - p_e))


def random_field_units(seed, n_units=12, coders="abcd", values=(1, 2, 3), p_missing=0.3):
    rng = random.Random(seed)
    units = {}
    for u in range(n_units):
        unit = {}
        for c in coders:
            r = rng.random()
            if r < p_missing / 2:
                continue  # absent
            unit[c] = None if r < p_missing else rng.choice(values)
        units[f"u{u}"] = unit
    return units


@pytest.mark.parametrize("seed", range(30))
def test_field_statistics_equal_their_definitions(seed):
    from annotator.agreement import (
        cohen_kappa,
        cohen_kappa_pairs,
        fleiss_kappa,
        krippendorff_alpha,
        percent_agreement,
    )

    units = random_field_units(seed, values=(1, 2, 3) if seed % 3 else (0, 1))
    want, n = nominal_alpha_oracle(units)
    got = krippendorff_alpha(units)
    assert got.n == n
    assert got.value == (None if want is None else pytest.approx(want, rel=1e-9, abs=1e-12))
    want = interval_alpha_oracle(units)
    got = krippendorff_alpha(units, "interval")
    assert got.value == (None if want is None else pytest.approx(want, rel=1e-9, abs=1e-12))
    assert got.n == n
    shares = []
    for unit in units.values():
        vals = [v for v in unit.values() if v is not None]
        if len(vals) >= 2:
            pairs = list(combinations(vals, 2))
            shares.append(Fraction(sum(x == y for x, y in pairs), len(pairs)))
    pa = percent_agreement(units)
    assert (pa.value, pa.n) == (pytest.approx(float(sum(shares) / len(shares))), len(shares))
    pairs = cohen_kappa_pairs(units)
    assert list(pairs) == ["a|b", "a|c", "a|d", "b|c", "b|d", "c|d"]
    for key, stat in pairs.items():
        a, b = key.split("|")
        assert stat == cohen_kappa(units, b, a)
        both = sum(u.get(a) is not None and u.get(b) is not None for u in units.values())
        want = cohen_oracle(units, a, b) if both else None
        assert stat.value == (None if want is None else pytest.approx(want, rel=1e-9, abs=1e-12))
        assert stat.n == both
    # Fleiss: only the units every coder coded (the same number of ratings everywhere)
    full = {u: unit for u, unit in units.items() if sum(v is not None for v in unit.values()) == 4}
    if len({v for unit in full.values() for v in unit.values()}) > 1:
        got = fleiss_kappa(full)
        assert (got.value, got.n) == (pytest.approx(fleiss_oracle(full), abs=1e-12), len(full))


@pytest.mark.parametrize(("level", "seed"), [("nominal", 0), ("nominal", 3), ("interval", 4)])
def test_field_alpha_interval_is_the_percentile_of_the_oracle_on_each_resample(level, seed):
    from annotator.agreement import krippendorff_alpha

    units = random_field_units(50 + seed, n_units=15)
    oracle = (
        interval_alpha_oracle if level == "interval" else (lambda u: nominal_alpha_oracle(u)[0])
    )
    ids = list(units)
    given = {"seed": seed} if seed else {}  # seed 0 is the default
    got = krippendorff_alpha(units, level, bootstrap=50, confidence=0.9, **given)
    values = [
        v for d in draws(len(ids), 50, seed) if (v := oracle(resampled(units, ids, d))) is not None
    ]
    assert (got.ci.used, got.ci.requested, got.ci.level) == (len(values), 50, 0.9)
    assert got.ci.lo == pytest.approx(percentile(values, 0.05), rel=1e-9, abs=1e-12)
    assert got.ci.hi == pytest.approx(percentile(values, 0.95), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("units", "alpha"),
    [
        # pairable: (3, 1) and (3, 3): o_13 = o_31 = 1, o_33 = 2; n_1 = 1, n_3 = 3, n = 4;
        # α = 1 - 3 * 2 / (2 * 1 * 3) = 0 (was -1.0: a None seen first shifted the codes)
        ({0: {"a": None, "b": 1}, 1: {"a": 3, "b": 1}, 2: {"a": 3, "b": 3}, 3: {"b": 1}}, 0.0),
        # o_12 = o_21 = 1, o_11 = o_22 = o_33 = 2; n = (3, 3, 2), 8; Σ_{c≠k} n_c n_k = 42;
        # α = 1 - 7 * 2 / 42 = 2/3 (was a ValueError traceback)
        (
            {
                1: {"a": None, "b": 1},
                2: {"a": 1, "b": 2},
                3: {"a": 2, "b": 2},
                4: {"a": 1, "b": 1},
                5: {"a": 3, "b": 3},
            },
            2 / 3,
        ),
    ],
)
def test_a_missing_value_before_the_others_does_not_shift_the_categories(units, alpha):
    from annotator.agreement import krippendorff_alpha

    assert krippendorff_alpha(units).value == pytest.approx(alpha, abs=1e-12)
    assert nominal_alpha_oracle(units)[0] == pytest.approx(alpha, abs=1e-12)


def test_alpha_u_of_spans_that_all_lie_outside_the_text_has_no_spans():
    docs = {1: {"a": [(5, 9, "X")], "b": []}}  # clipped to a text of 3 characters: nothing
    assert unitizing_alpha(docs, {1: 3}) == Stat(None, "no spans", 1)
    assert unitizing_alpha(docs, {1: 3}, "X") == Stat(None, "no spans of label 'X'", 1)


def test_tokens_may_be_pairs_or_a_pair_of_arrays():
    docs = {1: {"a": [(0, 1, "X")], "b": [(0, 3, "X")]}, 2: {"a": [(2, 3, "X")], "b": []}}
    pairs = {1: [(2, 3), (0, 1)], 2: [(0, 1), (2, 3)]}  # unsorted is sorted
    two = {1: ((0, 1), (2, 3)), 2: ((0, 1), (2, 3))}  # a tuple of two (start, end) pairs
    arrays = {d: (np.array([0, 2]), np.array([1, 3])) for d in docs}  # (starts, ends)
    # units (a, b): (1, 1), (0, 1), (0, 0), (1, 0): o_11 = o_00 = 2, o_01 = o_10 = 2;
    # n_0 = n_1 = 4, n = 8; α = 1 - 7 * 4 / (2 * 4 * 4) = 1/8
    want, n = nominal_alpha_oracle(token_units(docs, {d: [(0, 1), (2, 3)] for d in docs}, "X"))
    assert (want, n) == (pytest.approx(1 / 8), 8)
    for tokens in (pairs, two, arrays):
        for label in ("X", None):
            got = token_alpha(docs, tokens, label)
            assert (got.value, got.n) == (pytest.approx(1 / 8), 8)


def test_streamed_token_alpha_read_between_documents():
    from annotator.agreement.streaming import SpanAgreement

    tokens = [(0, 1), (2, 3), (4, 5)]
    arrays = (np.array([0, 2, 4]), np.array([1, 3, 5]))
    docs = {
        1: {"a": [(0, 1, "X")], "b": [(0, 3, "X")]},
        2: {"a": [(2, 5, "Y")], "b": [(4, 5, "Y")]},
    }
    acc = SpanAgreement(["a", "b"], ["X", "Y"], lengths=False)
    acc.add(1, docs[1], arrays)
    first = acc.token_alphas([None, "X"])
    assert first == {
        None: token_alpha({1: docs[1]}, {1: tokens}, None),
        "X": token_alpha({1: docs[1]}, {1: tokens}, "X"),
    }
    acc.add(2, docs[2], arrays)  # read again after one more document: both counted
    both = {d: tokens for d in docs}
    assert acc.token_alphas([None, "X"]) == {
        None: token_alpha(docs, both, None),
        "X": token_alpha(docs, both, "X"),
    }
    want, _n = nominal_alpha_oracle(token_units(docs, both, None))
    assert acc.token_alpha(None).value == pytest.approx(want, abs=1e-12)


def test_token_set_alpha_of_a_resample_without_a_categorys_first_documents():
    """A resample that leaves out the first four documents where a category occurs (the
    category's total is then found past the first four entries)."""
    from annotator.agreement.spans import _TokenSetAlpha

    tokens = [(0, 1), (2, 3), (4, 5), (6, 7)]
    docs = {d: {"a": [(0, 1, "X")], "b": [(0, 3 + 2 * (d % 2), "X")]} for d in range(6)}
    data = _TokenSetAlpha(docs, {d: tokens for d in docs}, None)
    for w, kept in (([0, 0, 0, 0, 0, 1], [5]), ([0, 0, 0, 0, 2, 1], [4, 4, 5])):
        sample = {k: docs[d] for k, d in enumerate(kept)}
        want, n = nominal_alpha_oracle(token_units(sample, {k: tokens for k in sample}, None))
        got = data.at(np.array(w))
        assert (got.value, got.n) == (pytest.approx(want, abs=1e-12), n)


# ------------------------------------------------------------------ messages, defaults, dicts


@pytest.mark.parametrize(
    ("call", "want"),
    [
        (lambda k: k.cohen_kappa({1: {"a": 1}}, "a", "a"), Stat(None, "only one coder")),
        (
            lambda k: k.cohen_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 1}}, "a", "b"),
            Stat(None, "no variation: every value is 1 (kappa undefined)", 2),
        ),
        (
            lambda k: k.krippendorff_alpha({1: {"a": "x", "b": "x"}, 2: {"a": "x", "b": "x"}}),
            Stat(None, "no variation: every value is 'x' (alpha undefined)", 4),
        ),
        (  # the one value of the pairable values, not the first value seen
            lambda k: k.krippendorff_alpha({1: {"a": "x"}, 2: {"a": "y", "b": "y"}}),
            Stat(None, "no variation: every value is 'y' (alpha undefined)", 2),
        ),
        (
            lambda k: k.fleiss_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 2, "c": 2}}),
            Stat(
                None,
                "documents have between 2 and 3 coders; Fleiss' kappa needs the same number"
                " of coders on every document",
                2,
            ),
        ),
        (
            lambda k: k.fleiss_kappa({1: {"a": 2, "b": 2}, 2: {"a": 2, "b": 2}, 3: {}}),
            Stat(None, "no variation: every value is 2 (kappa undefined)", 2),
        ),
        (
            lambda k: k.unit_agreement({1: {"a": 1, "b": None}, 2: {"a": 1, "b": 2, "c": 2}}),
            {
                1: Stat(None, "fewer than two coders coded this document", 1),
                2: Stat(1 / 3, "", 3),
            },
        ),
        (
            lambda k: k.unit_agreement({1: {}, 2: {"a": "x", "b": "x"}}),
            {1: Stat(None, "fewer than two coders coded this document", 0), 2: Stat(1.0, "", 2)},
        ),
        (
            lambda k: k.cohen_kappa_pairs(
                {1: {"a": 1, "b": 1, "c": 2}, 2: {"a": 2, "b": 1, "c": 2}}, ["b", "a"]
            ),
            {"a|b": Stat(0.0, "", 2)},
        ),
    ],
)
def test_field_statistics_say_exactly_why_and_how_many(call, want):
    from annotator.agreement import nominal

    assert call(nominal) == want


def test_fleiss_kappa_of_mixed_value_types_and_large_counts():
    from annotator.agreement import fleiss_kappa

    # categories 1 and "1" are different; sorted by repr, not by value (which would fail)
    units = {1: {"a": 1, "b": 1}, 2: {"a": "1", "b": "1"}, 3: {"a": 1, "b": "1"}}
    # P_i = 1, 1, 0 -> P̄ = 2/3; p = (1/2, 1/2) -> P̄_e = 1/2; κ = (2/3 - 1/2) / (1/2) = 1/3
    assert fleiss_kappa(units) == Stat(pytest.approx(1 / 3), "", 3)
    assert fleiss_oracle(units) == pytest.approx(1 / 3)


def test_interval_alpha_refuses_text_and_names_the_values():
    from annotator.agreement import krippendorff_alpha

    with pytest.raises(ValueError) as err:
        krippendorff_alpha({1: {"a": "x", "b": 2}}, "interval")
    assert str(err.value) == "interval alpha needs numeric values, got ['x', 2]"
    # numbers written as text are numbers (as numpy reads them)
    assert krippendorff_alpha({1: {"a": "1", "b": 2}, 2: {"a": 2, "b": 2.5}}, "interval").value == (
        krippendorff_alpha({1: {"a": 1, "b": 2}, 2: {"a": 2, "b": 2.5}}, "interval").value
    )


def test_interval_alpha_of_a_resample_uses_only_the_drawn_units():
    from annotator.agreement.nominal import NO_PAIRABLE, _IntervalAlpha

    units = {1: {"a": 2, "b": 2}, 2: {"a": 2, "b": 2, "c": 2}, 3: {"a": 1, "b": 5}, 4: {"a": 7}}
    data = _IntervalAlpha(units)
    assert data.at(np.array([0, 0, 0, 3])) == Stat(None, NO_PAIRABLE)
    # (the reason said "np.float64(2.0)" before)
    # unit 4 (one value, not pairable) drawn too: it must not count as a value
    assert data.at(np.array([1, 2, 0, 3])) == Stat(
        None, "no variation: every value is 2.0 (alpha undefined)", 8
    )
    # all of it: values 2,2 | 2,2,2 | 1,5; n = 7; by the definition
    assert data.at() == Stat(pytest.approx(interval_alpha_oracle(units)), "", 7)


def test_option_units_default_order_is_by_repr():
    from annotator.agreement import option_units

    # repr("z'") is "z'" in double quotes, which sorts before 'a' in single quotes
    got = option_units({1: {"a": ["a", "z'"], "b": []}, 2: {"a": None, "b": ["a"]}})
    assert list(got) == ["z'", "a"]
    assert got["a"] == {1: {"a": True, "b": False}, 2: {"b": True}}


def test_results_as_dictionaries():
    from annotator.agreement.result import Interval

    ci = Interval(0.25, 0.75, 0.9, 98, 100, "")
    assert Stat(0.5, "", 3, ci).to_dict() == {
        "value": 0.5,
        "reason": "",
        "n": 3,
        "ci": {"lo": 0.25, "hi": 0.75, "level": 0.9, "used": 98, "requested": 100, "reason": ""},
    }
    assert Stat(None, "only one coder").to_dict() == {
        "value": None,
        "reason": "only one coder",
        "n": 0,
        "ci": None,
    }
    assert Interval(None, None, 0.95, 0, 10, "no documents").to_dict()["reason"] == "no documents"


def test_bootstrap_defaults_and_an_empty_corpus():
    from annotator.agreement import bootstrap_ci
    from annotator.agreement.result import Interval

    assert bootstrap_ci([], lambda s: 1.0, n=7, level=0.8) == Interval(
        None, None, 0.8, 0, 7, "no documents"
    )
    # defaults: 1000 resamples, seed 0, level 0.95
    values = [float(sum(d)) for d in draws(5, 1000, 0)]
    got = bootstrap_ci(list(range(5)), lambda s: float(sum(s)))
    assert (got.used, got.requested, got.level) == (1000, 1000, 0.95)
    assert got.lo == pytest.approx(percentile(values, 0.025), abs=1e-12)
    assert got.hi == pytest.approx(percentile(values, 0.975), abs=1e-12)


def test_worst_documents_default_metric_count_and_ties():
    from annotator.agreement import per_document, worst_documents

    # added in descending order of id: ties must still come out by id
    docs = {
        f"d{i:02d}": {"a": [(0, 5, "X")], "b": [(0, 5 + i % 2, "X")]} for i in reversed(range(25))
    }
    report = per_document(docs)
    worst = worst_documents(report)  # f1_overlap, 20 documents
    assert len(worst) == 20
    # exact F1 is 0 where the spans differ, overlap F1 is 1 everywhere: ties by id
    assert worst == [(f"d{i:02d}", 1.0) for i in range(20)]
    assert worst_documents(report, "f1_exact", 3) == [("d01", 0.0), ("d03", 0.0), ("d05", 0.0)]
    with pytest.raises(ValueError) as err:
        worst_documents(report, "kappa")
    assert str(err.value) == (
        "metric must be one of ('f1_exact', 'f1_overlap', 'token_alpha', 'unitizing_alpha'),"
        " not 'kappa'"
    )


# ------------------------------------------------------------------ streaming


def as_arrays(tokens):
    return np.array([s for s, _ in tokens], dtype=np.int64), np.array([e for _, e in tokens])


def test_streaming_single_values_defaults_and_intervals():
    from annotator.agreement import f1_pairs
    from annotator.agreement.streaming import SpanAgreement

    docs, lengths, tokens = small_corpus(7, n_docs=8, coders=("a", "b"), labels="XY")
    acc = SpanAgreement(["b", "a"], ["X", "Y"])
    for d, doc in docs.items():
        acc.add(d, doc, as_arrays(tokens[d]), lengths[d])
    assert acc.f1() == acc.f1("exact") == pairwise_f1(docs, "exact", coders=["a", "b"])
    assert acc.f1_pairs() == f1_pairs(docs, "exact", coders=["a", "b"])
    assert acc.f1_pairs("overlap", "Z") == {
        "a|b": Stat(None, "neither coder marked a span of label 'Z'", acc.f1_pairs()["a|b"].n)
    }
    for label in (None, "X"):
        assert acc.token_alpha(label) == token_alpha(docs, tokens, label)
        assert acc.token_alpha(label).ci is None
        assert acc.token_alphas([label]) == {label: token_alpha(docs, tokens, label)}
        assert acc.token_alpha(label, bootstrap=30) == token_alpha(
            docs, tokens, label, bootstrap=30
        )
        assert acc.token_alphas([label], bootstrap=30) == {
            label: token_alpha(docs, tokens, label, bootstrap=30)
        }
        assert acc.token_alpha(label, bootstrap=20, seed=3, confidence=0.8) == token_alpha(
            docs, tokens, label, bootstrap=20, seed=3, confidence=0.8
        )
    for label in (None, "X"):
        want = unitizing_alpha(docs, lengths, label)
        assert acc.unitizing_alpha(label) == want and want.ci is None
        assert acc.unitizing_alphas([label]) == {label: want}
        assert acc.unitizing_alpha(label, bootstrap=30) == unitizing_alpha(
            docs, lengths, label, bootstrap=30
        )
        assert acc.unitizing_alphas([label], bootstrap=30) == {
            label: unitizing_alpha(docs, lengths, label, bootstrap=30)
        }
        assert acc.unitizing_alpha(label, bootstrap=20, seed=3, confidence=0.8) == (
            unitizing_alpha(docs, lengths, label, bootstrap=20, seed=3, confidence=0.8)
        )
    with pytest.raises(ValueError) as err:
        acc.unitizing_alpha("Z")
    assert str(err.value) == "label 'Z' is not one of ['X', 'Y']"
    with pytest.raises(RuntimeError) as err:
        acc.add("late", {"a": []}, None, 3)
    assert str(err.value) == "documents were added after the results were read"


def test_streaming_documents_own_values_and_errors():
    from annotator.agreement.per_document import DocumentAgreement
    from annotator.agreement.streaming import SpanAgreement

    acc = SpanAgreement(["a", "b"], ["X"])
    toks = as_arrays([(0, 1), (2, 3)])
    empty = acc.add(1, {}, None, 3)
    assert empty == DocumentAgreement(
        Stat(None, "no document annotated by both a and b"),
        Stat(None, "no document annotated by both a and b"),
        Stat(None, "no annotations"),
        Stat(None, "no annotations"),  # α_U over the coders who annotated it: none
    )
    blank = acc.add(2, {"a": [], "b": []}, toks, 3)
    # the mean over the pairs: n is the number of pairs with a value
    nothing = Stat(None, "neither coder marked a span of any label", 0)
    assert (blank.f1_exact, blank.f1_overlap) == (nothing, nothing)
    same = acc.add(3, {"a": [(0, 1, "X")], "b": [(0, 1, "X")]}, toks, 3)
    assert (same.f1_exact, same.f1_overlap) == (Stat(1.0, "", 1), Stat(1.0, "", 1))
    with pytest.raises(ValueError) as err:
        acc.add(4, {"a": [(0, 1, "Q")]}, toks, 3)
    assert str(err.value) == "label 'Q' is not one of ['X']"
    with pytest.raises(ValueError) as err:
        acc.add(5, {"a": []}, toks)
    assert str(err.value) == "document 5: no length given"

    nobody = SpanAgreement([], ["X"])
    assert nobody.add(1, {}, None, 3).unitizing_alpha == Stat(None, "no annotations")
    assert nobody.unitizing_alpha(None) == Stat(None, "no annotations")
    # without tokens and lengths: neither value, and no tokens needed for two coders
    bare = SpanAgreement(["a", "b"], ["X"], tokens=False, lengths=False)
    got = bare.add(1, {"a": [(0, 1, "X")], "b": []}, None)
    assert (got.token_alpha, got.unitizing_alpha) == (None, None)


def test_bootstrap_arguments_are_checked_with_their_names():
    from annotator.agreement import bootstrap_ci

    one = bootstrap_ci([1, 2], lambda s: float(sum(s)), n=1)  # one resample is enough
    assert (one.used, one.requested) == (1, 1)
    with pytest.raises(ValueError) as err:
        bootstrap_ci([1, 2], lambda s: 1.0, n=0)
    assert str(err.value) == "n (number of resamples) must be at least 1"
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError) as err:
            bootstrap_ci([1, 2], lambda s: 1.0, level=level)
        assert str(err.value) == "level must be between 0 and 1"
    assert bootstrap_ci([1, 2], lambda s: None, n=3, level=0.9) == Interval(
        None, None, 0.9, 0, 3, "the statistic was undefined on every resample"
    )


def test_weighted_intervals_defaults_and_sizes():
    from annotator.agreement.bootstrap import bootstrap_ci, weighted_ci, weighted_cis

    values = [1.0, 10.0, 100.0, 1000.0, 10000.0]

    def by_ids(sample):
        return sum(values[i] for i in sample)

    def by_weights(w):
        return float(np.dot(w, values))

    # the same defaults (1000 resamples, seed 0, level 0.95) and the same draws
    sums = [by_ids(d) for d in draws(5, 1000, 0)]
    got = bootstrap_ci(list(range(5)), by_ids)
    assert (got.used, got.requested, got.level) == (1000, 1000, 0.95)
    assert (got.lo, got.hi) == pytest.approx((percentile(sums, 0.025), percentile(sums, 0.975)))
    assert weighted_ci(5, by_weights) == bootstrap_ci(list(range(5)), by_ids)
    assert weighted_cis(5, lambda w: {"s": by_weights(w)}, ["s"]) == {
        "s": bootstrap_ci(list(range(5)), by_ids)
    }
    assert weighted_cis(0, lambda w: {}, ["a", "b"], n=4, level=0.5) == {
        k: Interval(None, None, 0.5, 0, 4, "no documents") for k in "ab"
    }
    single = weighted_cis(1, lambda w: {"s": float(w[0])}, ["s"], n=4)
    # issue 16: an interval also carries P(value < .667), P(value < .8) of its draws
    assert single == {"s": Interval(1.0, 1.0, 0.95, 4, 4, "", ((0.667, 0.0), (0.8, 0.0)))}


def test_a_document_without_tokens_adds_no_token_units():
    docs = {1: {"a": [(0, 1, "X")], "b": [(0, 3, "X")]}, 2: {"a": [], "b": [(0, 1, "X")]}}
    tokens = {1: [(0, 1), (2, 3)]}  # document 2 has none
    for label in ("X", None):
        assert token_alpha(docs, tokens, label) == token_alpha({1: docs[1]}, tokens, label)


def test_field_alpha_defaults_and_its_interval_keeps_reason_and_n():
    from annotator.agreement import krippendorff_alpha

    units = random_field_units(9)
    plain = krippendorff_alpha(units)
    assert plain.ci is None  # no bootstrap by default
    with_ci = krippendorff_alpha(units, bootstrap=10)
    assert (with_ci.value, with_ci.reason, with_ci.n) == (plain.value, "", plain.n)
    with pytest.raises(ValueError) as err:
        krippendorff_alpha(units, "ordinal")
    assert str(err.value) == "level must be one of ('nominal', 'interval'), not 'ordinal'"


def test_per_document_values_of_chosen_coders_and_label():
    from annotator.agreement import f1_pairs, per_document

    docs, lengths, tokens = small_corpus(11, n_docs=5, coders=("a", "b", "c"), labels="XY")
    some = {d: tokens[d] for d in list(docs)[:3]}  # the others have no tokens
    for label in ("X", None):
        report = per_document(
            docs, label=label, tokens_per_doc=some, lengths=lengths, coders=["a", "c"]
        )
        for d, doc in docs.items():
            two = {d: {c: sp for c, sp in doc.items() if c in ("a", "c")}}
            got = report[d]
            for mode, stat in (("exact", got.f1_exact), ("overlap", got.f1_overlap)):
                pairs = f1_pairs(two, mode, label, ["a", "c"])
                assert stat == pairwise_f1(two, mode, label, ["a", "c"]) and len(pairs) == 1
            want, n = nominal_alpha_oracle(token_units(two, {d: some.get(d, ())}, label))
            assert got.token_alpha.n == n
            assert got.token_alpha.value == (None if want is None else pytest.approx(want))
            want = alpha_u_oracle(two, lengths, label, ["a", "c"])
            assert got.unitizing_alpha.value == (None if want is None else pytest.approx(want))
    bare = per_document(docs)
    assert all(r.token_alpha is None and r.unitizing_alpha is None for r in bare.values())


@pytest.mark.parametrize(
    "order", [[1, 0], [0, 2, 1], [2, 1, 0]], ids=["two-reversed", "last-two", "three-reversed"]
)
def test_streamed_tokens_out_of_order_are_sorted(order):
    from annotator.agreement.streaming import SpanAgreement

    tokens = [(0, 1), (2, 3), (4, 5)][: len(order)]
    docs = {1: {"a": [(0, 1, "X")], "b": [(0, 3, "X")]}, 2: {"a": [], "b": [(2, 3, "X")]}}
    given = (np.array([tokens[i][0] for i in order]), np.array([tokens[i][1] for i in order]))
    acc = SpanAgreement(["a", "b"], ["X"], lengths=False)
    for d, doc in docs.items():
        acc.add(d, doc, given)
    want = token_alpha(docs, {d: tokens for d in docs}, "X")
    assert acc.token_alpha("X") == want
    oracle, _n = nominal_alpha_oracle(token_units(docs, {d: tokens for d in docs}, "X"))
    assert want.value == pytest.approx(oracle)
