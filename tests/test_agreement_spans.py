"""Span agreement: F1, token α and Krippendorff's unitizing α, validated against DKPro
Agreement's published test values (Krippendorff 1995, 2004) and independent computations."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    f1_pairs,
    krippendorff_alpha,
    pairwise_f1,
    per_document,
    span_f1,
    token_alpha,
    unitizing_alpha,
    unitizing_disagreement,
    worst_documents,
)

# ------------------------------------------------------------------ F1


def test_span_f1_exact_and_overlap():
    a = [(0, 5, "X"), (10, 20, "X"), (30, 40, "Y")]
    b = [(0, 5, "X"), (12, 18, "X"), (30, 40, "X"), (50, 60, "Y")]
    assert span_f1(a, b, "exact") == (1, 3, 2)
    assert span_f1(a, b, "overlap") == (2, 2, 1)  # (30,40) differs in label: no match
    assert span_f1(a, b, "overlap", label="Y") == (0, 1, 1)
    assert span_f1(a, b, "exact", label="X") == (1, 2, 1)
    assert span_f1([(0, 5, "X")], [(5, 9, "X")], "overlap") == (0, 1, 1)  # touching, no shared char
    with pytest.raises(ValueError):
        span_f1(a, b, "fuzzy")


def test_overlap_matching_is_maximum_not_greedy():
    # (0,10) overlaps both b spans; (8,9) only overlaps (8,9): a greedy pass that gives (0,10)
    # the span (8,9) first would leave one match; the maximum matching has two.
    a = [(0, 10, "X"), (8, 9, "X")]
    b = [(1, 2, "X"), (8, 9, "X")]
    assert span_f1(a, b, "overlap") == (2, 0, 0)
    assert span_f1(b, a, "overlap") == (2, 0, 0)


def brute_force_matching(a, b):
    def overlaps(x, y):
        return x[2] == y[2] and x[0] < y[1] and y[0] < x[1]

    best = 0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    for perm in itertools.permutations(range(len(large)), len(small)):
        best = max(best, sum(overlaps(small[i], large[j]) for i, j in enumerate(perm)))
    return best


def test_overlap_matching_equals_brute_force_on_random_spans():
    rng = random.Random(3)
    for _ in range(300):
        spans = [
            [
                (s, s + rng.randint(1, 8), rng.choice("XY"))
                for s in (rng.randint(0, 30) for _ in range(rng.randint(0, 5)))
            ]
            for _ in range(2)
        ]
        tp, fp, fn = span_f1(spans[0], spans[1], "overlap")
        assert tp == brute_force_matching(spans[0], spans[1])
        assert (tp + fp, tp + fn) == (len(spans[1]), len(spans[0]))


DOCS = {
    1: {"ann": [(0, 5, "X"), (10, 20, "Y")], "bob": [(0, 5, "X"), (11, 20, "Y")], "cy": []},
    2: {"ann": [(3, 8, "X")], "bob": [(3, 8, "X")]},  # cy did not annotate document 2
    3: {"ann": [], "bob": [(0, 2, "Y")], "cy": [(0, 2, "Y")]},
}


def test_pairwise_f1_micro_averages_per_pair_then_means_over_pairs():
    pairs = f1_pairs(DOCS, "exact")
    assert list(pairs) == ["ann|bob", "ann|cy", "bob|cy"]
    # ann|bob over docs 1-3: tp = 2, fp = 2, fn = 1 -> 4 / 7
    assert pairs["ann|bob"].value == pytest.approx(4 / 7) and pairs["ann|bob"].n == 3
    # ann|cy over docs 1 and 3: tp 0, ann 2 spans, cy 1 span -> 0
    assert pairs["ann|cy"].value == 0.0 and pairs["ann|cy"].n == 2
    # bob|cy over docs 1 and 3: tp 1, bob 3 spans, cy 1 span -> 2 / 4
    assert pairs["bob|cy"].value == pytest.approx(0.5)
    overall = pairwise_f1(DOCS, "exact")
    assert overall.value == pytest.approx((4 / 7 + 0 + 0.5) / 3) and overall.n == 3
    assert pairwise_f1(DOCS, "overlap", label="Y", coders=["ann", "bob"]).value == pytest.approx(
        2 / 3
    )


def test_pairwise_f1_is_symmetric_and_degenerate_cases_are_none():
    swapped = {d: dict(reversed(list(doc.items()))) for d, doc in DOCS.items()}
    assert pairwise_f1(swapped, "overlap").value == pairwise_f1(DOCS, "overlap").value
    assert pairwise_f1({1: {"ann": [(0, 1, "X")]}}, "exact").reason == "only one coder"
    nothing = pairwise_f1({1: {"a": [], "b": []}}, "exact", label="X")
    assert nothing.value is None and "neither coder" in nothing.reason
    apart = pairwise_f1({1: {"a": []}, 2: {"b": []}}, "exact")
    assert apart.value is None and "no document annotated by both" in apart.reason
    assert pairwise_f1({}, "exact").value is None


# ------------------------------------------------------------------ token α


def whitespace_tokens(text):
    out, pos = [], 0
    for word in text.split(" "):
        out.append((pos, pos + len(word)))
        pos += len(word) + 1
    return out


def test_token_alpha_equals_nominal_alpha_on_explicit_token_units():
    rng = random.Random(5)
    docs, tokens, units = {}, {}, {}
    for d in range(20):
        toks = whitespace_tokens(" ".join("w" * rng.randint(1, 6) for _ in range(30)))
        tokens[d] = toks
        doc = {}
        for coder in ("a", "b", "c"):
            if rng.random() < 0.2:
                continue  # this coder did not annotate the document
            spans = []
            for _ in range(rng.randint(0, 4)):
                s = rng.randint(0, toks[-1][1] - 1)
                spans.append((s, s + rng.randint(1, 15), rng.choice("XY")))
            doc[coder] = spans
        docs[d] = doc
        # the documented rule: inside if the token shares >= 1 character with a span of X
        for t, (ts, te) in enumerate(toks):
            units[(d, t)] = {
                c: int(any(s < te and ts < e for s, e, lab in spans if lab == "X"))
                for c, spans in doc.items()
            }
    ours = token_alpha(docs, tokens, "X")
    ref = krippendorff_alpha(units)
    assert ours.value == pytest.approx(ref.value, abs=1e-12)
    assert ours.n == ref.n
    krippendorff = pytest.importorskip("krippendorff")
    keys = sorted(units)
    data = np.array([[units[k].get(c, np.nan) for k in keys] for c in "abc"], dtype=float)
    assert ours.value == pytest.approx(krippendorff.alpha(reliability_data=data), abs=1e-9)


def test_token_alpha_degenerate_and_bootstrap():
    tokens = {1: whitespace_tokens("a b c d")}
    assert token_alpha({1: {"a": [(0, 1, "X")]}}, tokens, "X").reason == "only one coder"
    none = token_alpha({1: {"a": [], "b": []}}, tokens, "X")
    assert none.value is None and none.reason.startswith("no variation")
    same = token_alpha({1: {"a": [(0, 3, "X")], "b": [(0, 1, "X"), (2, 3, "X")]}}, tokens, "X")
    assert same.value == 1.0  # both mark tokens 0-1, one with one span, one with two
    docs = {d: {"a": [(0, 3, "X")], "b": [(0, 1 + d % 3, "X")]} for d in range(30)}
    toks = {d: tokens[1] for d in docs}
    r1 = token_alpha(docs, toks, "X", bootstrap=200, seed=1)
    r2 = token_alpha(docs, toks, "X", bootstrap=200, seed=1)
    assert r1.ci == r2.ci and r1.ci.lo <= r1.value <= r1.ci.hi


# ------------------------------------------------------------------ α_U (unitizing)


def study(units_by_coder, begin=0):
    """DKPro-style (offset, length, category) units -> our (start, end, label) spans."""
    return {
        c: [(off - begin, off - begin + length, cat) for off, length, cat in units]
        for c, units in units_by_coder.items()
    }


# DKPro Krippendorff2004Test.createExample (Krippendorff 2004: p. 254): continuum 150..450.
KRIPP_2004 = study(
    {
        "i": [(225, 70, "c"), (370, 30, "c"), (180, 60, "k"), (300, 50, "k")],
        "j": [(220, 80, "c"), (355, 20, "c"), (400, 20, "c"), (180, 60, "k"), (300, 50, "k")],
    },
    begin=150,
)


def test_unitizing_alpha_krippendorff_2004_example_as_in_dkpro():
    docs, lengths = {"d": KRIPP_2004}, {"d": 300}
    d_o, d_e = unitizing_disagreement(docs, lengths, "c")
    assert d_o == pytest.approx(0.0144, abs=1e-4)
    assert d_e == pytest.approx(0.0532, abs=1e-4)
    assert unitizing_alpha(docs, lengths, "c").value == pytest.approx(0.7286, abs=1e-4)
    d_o, d_e = unitizing_disagreement(docs, lengths, "k")
    assert d_o == pytest.approx(0.0, abs=1e-4) and d_e == pytest.approx(0.0490, abs=1e-4)
    assert unitizing_alpha(docs, lengths, "k").value == pytest.approx(1.0)
    assert unitizing_alpha(docs, lengths).value == pytest.approx(0.8591, abs=5e-4)


def test_unitizing_alpha_dkpro_small_example():
    # DKPro UnitizingAgreementTest: r0 -11111111-, r1 --1-1-1---
    docs = {1: study({"r0": [(1, 8, "A")], "r1": [(2, 1, "A"), (4, 1, "A"), (6, 1, "A")]})}
    d_o, d_e = unitizing_disagreement(docs, {1: 10}, "A")
    assert d_o == pytest.approx(0.9100, abs=1e-4)
    assert d_e == pytest.approx(0.5351, abs=1e-4)
    assert unitizing_alpha(docs, {1: 10}, "A").value == pytest.approx(-0.7003, abs=1e-4)


def kripp_1995(stretch):
    """DKPro Krippendorff1995Test.createExample (Krippendorff 1995: p. 57), 24 * stretch long."""

    def s(x):
        return int(x * stretch)

    r0 = [(2, 8, "A"), (14, 6, "A"), (0, 18, "B"), (2, 6, "C"), (10, 2, "C"), (14, 4, "C")]
    r0 += [(20, 2, "C"), (0, 2, "D"), (2, 8, "D"), (10, 4, "D"), (14, 6, "D"), (20, 4, "D")]
    r1 = [(4, 4, "A"), (15, 2, "A"), (0, 2, "B"), (2, 1, "B"), (3, 1, "B"), (4, 1, "B")]
    r1 += [(5, 1, "B"), (6, 3, "B"), (9, 1, "B"), (0, 2, "C"), (4, 4, "C"), (10, 4, "C")]
    r1 += [(16, 2, "C"), (20, 2, "C"), (0, 4, "D"), (4, 4, "D"), (8, 7, "D"), (15, 2, "D")]
    r1 += [(17, 7, "D")]
    units = {"r0": [(s(o), s(n), c) for o, n, c in r0], "r1": [(s(o), s(n), c) for o, n, c in r1]}
    return {1: study(units)}, {1: s(24)}


def test_unitizing_alpha_krippendorff_1995_example_as_in_dkpro():
    docs, lengths = kripp_1995(1)
    observed = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for label, value in observed.items():
        assert unitizing_disagreement(docs, lengths, label)[0] == pytest.approx(value, abs=1e-5)
    docs, lengths = kripp_1995(1200000 / 24)
    expected = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}
    alphas = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    for label in "ABCD":
        # DKPro's tolerances (the 1995 paper's D_E has a known small error, see DKPro's test)
        assert unitizing_disagreement(docs, lengths, label)[1] == pytest.approx(
            expected[label], abs=5e-3
        )
        assert unitizing_alpha(docs, lengths, label).value == pytest.approx(alphas[label], abs=0.02)


def test_unitizing_alpha_hand_derived_case():
    # L = 10, coder a marks [2, 6), coder b marks [3, 6).
    # D_O: the two units overlap: δ² = (2-3)² + (6-6)² = 1; 2 * 1 / (m(m-1) L²) = 2 / 200 = 0.01.
    # D_E: units of length 4 and 3 (N_c = 2); gaps: a 2, 4; b 3, 4.
    #   l=4: (N_c-1)(2*64 - 3*16 + 4)/3 = 28; gaps >= 4: two of length 4 -> 16 * (1 + 1) = 32
    #   l=3: (2*27 - 27 + 3)/3 = 10; gaps >= 3: 3, 4, 4 -> 9 * (1 + 2 + 2) = 45
    #   numerator 2/L * (28 + 32 + 10 + 45) = 23; denominator mL(mL-1) - Σ l(l-1) = 380 - 18
    docs = {1: {"a": [(2, 6, "X")], "b": [(3, 6, "X")]}}
    d_o, d_e = unitizing_disagreement(docs, {1: 10}, "X")
    assert d_o == pytest.approx(0.01)
    assert d_e == pytest.approx(23 / 362)
    assert unitizing_alpha(docs, {1: 10}, "X").value == pytest.approx(1 - 0.01 / (23 / 362))


def random_span_docs(n_docs, coders, n_spans, seed, length=2000):
    rng = random.Random(seed)
    docs = {}
    for d in range(n_docs):
        base = sorted(rng.sample(range(0, length - 40), n_spans))
        doc = {}
        for c in coders:
            spans = []
            for s in base:
                if rng.random() < 0.15:
                    continue
                jitter = rng.choice([0, 0, 0, 1, -2, 5])
                spans.append((max(0, s + jitter), s + rng.randint(10, 30), rng.choice("XYZ")))
            doc[c] = spans
        docs[d] = doc
    return docs, {d: length for d in docs}


def test_unitizing_alpha_properties():
    docs, lengths = random_span_docs(10, ["a", "b", "c"], 8, 1)
    identical = {d: {"a": doc["a"], "b": list(doc["a"])} for d, doc in docs.items()}
    assert unitizing_alpha(identical, lengths, "X").value == pytest.approx(1.0)
    assert unitizing_alpha(identical, lengths).value == pytest.approx(1.0)
    value = unitizing_alpha(docs, lengths, "X").value
    renamed = {d: {"z" + c: doc[c] for c in reversed(list(doc))} for d, doc in docs.items()}
    assert unitizing_alpha(renamed, lengths, "X").value == pytest.approx(value)
    # one document is one continuum: the same as the single-document value
    single = {0: docs[0]}
    shifted = {0: {c: [(s + 7, e + 7, lab) for s, e, lab in sp] for c, sp in docs[0].items()}}
    assert unitizing_alpha(single, {0: 2000}, "X").value == pytest.approx(
        unitizing_alpha(shifted, {0: 2007}, "X").value, abs=0.05
    )  # only the leading gap changed


def test_unitizing_alpha_single_unit_gives_zero_as_in_dkpro():
    docs = {1: {"r0": [(0, 1, "X")], "r1": [], "r2": []}}
    assert unitizing_alpha(docs, {1: 20}, "X").value == pytest.approx(0.0, abs=1e-12)


def test_unitizing_alpha_degenerate_cases():
    assert unitizing_alpha({1: {"a": [(0, 2, "X")]}}, {1: 5}).reason == "only one coder"
    nothing = unitizing_alpha({1: {"a": [], "b": []}}, {1: 5}, "X")
    assert nothing.value is None and nothing.reason.startswith("no spans")
    assert unitizing_alpha({1: {"a": [], "b": []}}, {1: 5}).reason == "no spans"
    apart = unitizing_alpha({1: {"a": [(0, 1, "X")]}, 2: {"b": [(0, 1, "X")]}}, {1: 5, 2: 5})
    assert apart.value is None and "every coder" in apart.reason
    assert unitizing_alpha({}, {}).value is None


def test_unitizing_alpha_bootstrap_equals_generic_bootstrap():
    from annotator.agreement import bootstrap_ci

    docs, lengths = random_span_docs(25, ["a", "b"], 6, 2)
    fast = unitizing_alpha(docs, lengths, "X", bootstrap=100, seed=3)
    ids = list(docs)

    def statistic(sample):
        d = {k: docs[i] for k, i in enumerate(sample)}
        return unitizing_alpha(d, {k: lengths[i] for k, i in enumerate(sample)}, "X").value

    slow = bootstrap_ci(ids, statistic, n=100, seed=3)
    assert fast.ci.lo == pytest.approx(slow.lo) and fast.ci.hi == pytest.approx(slow.hi)
    assert fast.ci.lo <= fast.value <= fast.ci.hi


# ------------------------------------------------------------------ per document, scaling


def test_per_document_finds_the_worst_documents():
    docs = {
        "good": {"a": [(0, 5, "X")], "b": [(0, 5, "X")]},
        "bad": {"a": [(0, 5, "X")], "b": [(10, 15, "X")]},
        "meh": {"a": [(0, 5, "X")], "b": [(1, 5, "X"), (8, 9, "X")]},
        "solo": {"a": [(0, 5, "X")]},
    }
    toks = {d: whitespace_tokens("aaaa bbbb cccc dddd") for d in docs}
    report = per_document(docs, label="X", tokens_per_doc=toks, lengths={d: 19 for d in docs})
    assert report["good"].f1_exact.value == 1.0 and report["good"].unitizing_alpha.value == 1.0
    assert report["meh"].f1_overlap.value == pytest.approx(2 / 3)
    assert report["solo"].f1_overlap.value is None
    assert report["bad"].token_alpha.value < report["good"].token_alpha.value
    assert [d for d, _ in worst_documents(report, "f1_overlap")] == ["bad", "meh", "good"]
    assert worst_documents(report, "f1_exact", k=1) == [("bad", 0.0)]
    with pytest.raises(ValueError):
        worst_documents(report, "kappa")


def test_overall_token_alpha_uses_label_sets_and_matches_nominal_alpha():
    from annotator.agreement import krippendorff_alpha

    toks = whitespace_tokens("aaaa bbbb cccc dddd eeee")
    docs = {
        "d1": {"a": [(0, 9, "X"), (5, 14, "Y")], "b": [(0, 4, "X"), (5, 9, "Y")]},
        "d2": {"a": [(15, 24, "Y")], "b": [(15, 19, "Y")], "c": []},
    }
    units = {}
    for d, coders in docs.items():
        for i, (s, e) in enumerate(toks):
            units[(d, i)] = {
                c: frozenset(lab for a, b, lab in spans if a < e and s < b)
                for c, spans in coders.items()
            }
    expected = krippendorff_alpha(units).value
    got = token_alpha(docs, {d: toks for d in docs}, None)
    assert got.value == pytest.approx(expected, abs=1e-12)
    same = {"d": {"a": [(0, 4, "X")], "b": [(0, 4, "X")]}}
    assert token_alpha(same, {"d": toks}, None).value == 1.0
    ci = token_alpha(docs, {d: toks for d in docs}, None, bootstrap=200, seed=1).ci
    assert ci is not None and ci.used > 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 6)), max_size=40),
    st.booleans(),
)
def test_token_bounds_are_the_sorted_pairs(pairs, presorted):
    """The fast conversion of a document's tokens (numpy.fromiter, sorted only when they
    are not) gives exactly the arrays of ``sorted(tokens)``, as before it."""
    import numpy as np

    from annotator.agreement.spans import _token_bounds

    toks = [(a, a + n) for a, n in pairs]
    if presorted:
        toks.sort()
    starts, ends = _token_bounds(toks)
    expected = sorted(toks)
    assert starts.tolist() == [a for a, _ in expected]
    assert ends.tolist() == [b for _, b in expected]
    assert starts.dtype == ends.dtype == np.int64
