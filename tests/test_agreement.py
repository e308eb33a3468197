"""Document-field agreement: validated against published worked examples and independent
implementations (nltk, statsmodels, scikit-learn, krippendorff)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotator.agreement import (
    bootstrap_ci,
    cohen_kappa,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    percent_agreement,
    unit_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1-5, "." = missing. Published: nominal α = 0.743, interval α = 0.849.
KRIPP_2011 = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def kripp_units():
    rows = {c: row.split() for c, row in KRIPP_2011.items()}
    return {u: {c: int(rows[c][u]) for c in rows if rows[c][u] != "."} for u in range(12)}


def random_units(n_units, n_coders, n_values, p_missing, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_values, n_units)
    units = {}
    for u in range(n_units):
        unit = {}
        for c in range(n_coders):
            if rng.random() < p_missing:
                continue
            unit[f"c{c}"] = int(truth[u] if rng.random() < 0.6 else rng.integers(0, n_values))
        units[u] = unit
    return units


def matrix(units, coders):
    """coders × units reliability matrix with NaN for missing (krippendorff package)."""
    return np.array([[units[u].get(c, np.nan) for u in sorted(units)] for c in coders], dtype=float)


# ------------------------------------------------------------------ Krippendorff's α


def test_alpha_krippendorff_2011_worked_example():
    units = kripp_units()
    nominal = krippendorff_alpha(units)
    assert nominal.value == pytest.approx(0.743, abs=5e-4)
    assert nominal.n == 40  # the 40 pairable values of the example (unit 12 has one value)
    assert krippendorff_alpha(units, "interval").value == pytest.approx(0.849, abs=5e-4)


def test_alpha_matches_the_krippendorff_package_with_missing_values():
    krippendorff = pytest.importorskip("krippendorff")
    for seed in range(5):
        units = random_units(60, 4, 4, 0.3, seed)
        data = matrix(units, [f"c{c}" for c in range(4)])
        for level in ("nominal", "interval"):
            ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
            assert krippendorff_alpha(units, level).value == pytest.approx(ref, abs=1e-9)


def nltk_task(units):
    from nltk.metrics.agreement import AnnotationTask

    return AnnotationTask(
        data=[(c, str(u), v) for u, unit in units.items() for c, v in unit.items()]
    )


def test_alpha_matches_nltk_with_missing_values():
    pytest.importorskip("nltk")
    for seed in range(5):
        units = random_units(80, 5, 3, 0.25, seed)
        assert krippendorff_alpha(units).value == pytest.approx(nltk_task(units).alpha(), abs=1e-9)


def test_alpha_matches_nltk_on_5000_documents_5_coders():
    # The speed comparison lives in bench/agreement.py; here only the value.
    pytest.importorskip("nltk")
    units = random_units(5000, 5, 4, 0.2, 42)
    assert krippendorff_alpha(units).value == pytest.approx(nltk_task(units).alpha(), abs=1e-9)


def test_alpha_is_one_for_perfect_agreement_and_ignores_single_values():
    units = {1: {"a": "x", "b": "x"}, 2: {"a": "y", "b": "y", "c": "y"}, 3: {"a": "z"}}
    result = krippendorff_alpha(units)
    assert result.value == 1.0
    assert result.n == 5


@pytest.mark.parametrize(
    ("units", "reason"),
    [
        ({}, "no values"),
        ({1: {}, 2: {"a": None, "b": None}}, "no values"),  # a field nobody filled
        ({1: {"a": "x"}, 2: {"a": "y"}}, "only one coder"),
        ({1: {"a": "x"}, 2: {"b": "y"}}, "no pairable values"),
        ({1: {"a": "x", "b": "x"}, 2: {"a": "x", "b": "x"}}, "no variation: every value is 'x'"),
    ],
)
def test_alpha_degenerate_data_gives_none_with_a_reason(units, reason):
    for level in ("nominal", "interval") if not units or "x" not in str(units) else ("nominal",):
        result = krippendorff_alpha(units, level)
        assert result.value is None
        assert result.reason.startswith(reason)
    pa = percent_agreement(units)
    if reason.startswith("no variation"):
        # Raw agreement is defined without variation: both units agree fully.
        assert (pa.value, pa.n) == (1.0, 2)
    else:
        assert pa.value is None and pa.reason.startswith(reason)
    assert fleiss_kappa(units).value is None


def test_alpha_interval_no_variation_and_bad_level():
    assert krippendorff_alpha({1: {"a": 2, "b": 2}}, "interval").reason.startswith("no variation")
    with pytest.raises(ValueError):
        krippendorff_alpha({1: {"a": 2, "b": 2}}, "ratio")


def test_alpha_per_option_of_a_multi_field():
    units = {
        1: {"a": ["econ", "moral"], "b": ["econ"]},
        2: {"a": [], "b": ["moral"]},
        3: {"a": ["econ"], "b": None},
    }
    per_option = option_units(units)
    assert set(per_option) == {"econ", "moral"}
    assert per_option["econ"] == {
        1: {"a": True, "b": True},
        2: {"a": False, "b": False},
        3: {"a": True},
    }
    assert per_option["moral"][2] == {"a": False, "b": True}
    assert krippendorff_alpha(per_option["econ"]).value == 1.0
    assert krippendorff_alpha(per_option["moral"]).value is not None


# ------------------------------------------------------------------ percent agreement


def test_percent_agreement_definition_and_nltk():
    units = {1: {"a": 1, "b": 1, "c": 2}, 2: {"a": 3, "b": 3}, 3: {"a": 1}}
    result = percent_agreement(units)
    assert result.value == pytest.approx((1 / 3 + 1) / 2)
    assert result.n == 2
    assert unit_agreement(units)[1].value == pytest.approx(1 / 3)
    assert unit_agreement(units)[3].value is None
    pytest.importorskip("nltk")
    complete = random_units(100, 4, 3, 0.0, 7)
    assert percent_agreement(complete).value == pytest.approx(nltk_task(complete).avg_Ao())


# ------------------------------------------------------------------ Cohen's κ


def test_cohen_kappa_textbook_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> p_o = .7, p_e = .5
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    units = {i: {"A": a, "B": b} for i, (a, b) in enumerate(pairs)}
    result = cohen_kappa(units, "A", "B")
    assert result.value == pytest.approx(0.4)
    assert result.n == 50


def test_cohen_kappa_matches_sklearn_and_statsmodels():
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa

    for seed in range(5):
        units = random_units(120, 3, 4, 0.2, seed)
        pairs = cohen_kappa_pairs(units)
        assert list(pairs) == ["c0|c1", "c0|c2", "c1|c2"]
        both = [u for u in units.values() if "c0" in u and "c2" in u]
        a, b = [u["c0"] for u in both], [u["c2"] for u in both]
        assert pairs["c0|c2"].value == pytest.approx(cohen_kappa_score(a, b))
        assert pairs["c0|c2"].n == len(both)
        table = np.zeros((4, 4))
        for x, y in zip(a, b, strict=True):
            table[x, y] += 1
        assert pairs["c0|c2"].value == pytest.approx(cohens_kappa(table, return_results=False))


def test_cohen_kappa_degenerate():
    assert cohen_kappa({1: {"a": 1}, 2: {"b": 1}}, "a", "b").reason.startswith("no document")
    same = cohen_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 1}}, "a", "b")
    assert same.value is None and same.reason.startswith("no variation")
    assert cohen_kappa_pairs({1: {"a": 1}}) == {}


# ------------------------------------------------------------------ Fleiss' κ


def units_from_table(table):
    """Count table (subjects × categories) -> units with anonymous raters."""
    units = {}
    for i, row in enumerate(table):
        values = [k for k, count in enumerate(row) for _ in range(int(count))]
        units[i] = {f"r{j}": v for j, v in enumerate(values)}
    return units


# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories, κ = 0.210.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971): 30 patients, 6 psychiatrists, 5 diagnoses; published κ = 0.430
# (R irr::kappam.fleiss(diagnoses) = 0.4302445). One row per patient, the 6 diagnoses given.
FLEISS_1971 = """
4 4 4 4 4 4|2 2 2 5 5 5|2 3 3 3 3 5|5 5 5 5 5 5|2 2 2 4 4 4|1 1 3 3 3 3|3 3 3 3 5 5
1 1 3 3 3 4|1 1 4 4 4 4|5 5 5 5 5 5|1 4 4 4 4 4|1 2 4 4 4 4|2 2 2 3 3 3|1 4 4 4 4 4
2 2 4 4 4 5|3 3 3 3 3 5|1 1 1 4 5 5|1 1 1 1 1 2|2 2 4 4 4 4|1 3 3 5 5 5|5 5 5 5 5 5
2 4 4 4 4 4|2 2 4 5 5 5|1 1 4 4 4 4|1 4 4 4 4 5|2 2 2 2 2 4|1 1 1 1 5 5|2 2 4 4 4 4
1 3 3 3 3 3|5 5 5 5 5 5
"""


def test_fleiss_kappa_wikipedia_example():
    result = fleiss_kappa(units_from_table(WIKIPEDIA_FLEISS))
    assert result.value == pytest.approx(0.210, abs=5e-4)
    assert result.n == 10


def test_fleiss_kappa_fleiss_1971():
    rows = [r.split() for r in FLEISS_1971.replace("\n", "|").split("|") if r.strip()]
    assert len(rows) == 30
    units = {i: {f"r{j}": int(v) for j, v in enumerate(row)} for i, row in enumerate(rows)}
    assert fleiss_kappa(units).value == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_matches_statsmodels():
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    for seed in range(5):
        units = random_units(50, 4, 3, 0.0, seed)
        data = np.array([[units[u][f"c{c}"] for c in range(4)] for u in sorted(units)])
        table, _ = aggregate_raters(data)
        assert fleiss_kappa(units).value == pytest.approx(sm_fleiss(table))


def test_fleiss_kappa_needs_the_same_number_of_coders():
    units = {1: {"a": 1, "b": 1, "c": 2}, 2: {"a": 1, "b": 2}, 3: {}}
    result = fleiss_kappa(units)
    assert result.value is None and "same number" in result.reason
    assert fleiss_kappa({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 1}}).reason.startswith(
        "no variation"
    )


# ------------------------------------------------------------------ bootstrap


def test_alpha_bootstrap_is_seeded_and_equals_the_generic_bootstrap():
    units = random_units(200, 3, 3, 0.2, 3)
    a = krippendorff_alpha(units, bootstrap=300, seed=5)
    b = krippendorff_alpha(units, bootstrap=300, seed=5)
    assert a.ci == b.ci
    assert a.ci.used == 300 and a.ci.requested == 300 and a.ci.level == 0.95
    assert a.ci.lo < a.value < a.ci.hi
    assert krippendorff_alpha(units, bootstrap=300, seed=6).ci != a.ci

    ids = list(units)

    def statistic(sample):  # recompute α from scratch on the resampled documents
        resampled = {k: units[u] for k, u in enumerate(sample)}
        return krippendorff_alpha(resampled).value

    generic = bootstrap_ci(ids, statistic, n=300, seed=5)
    assert generic.lo == pytest.approx(a.ci.lo) and generic.hi == pytest.approx(a.ci.hi)


def textbook_percentile(values, q):
    """The q-quantile of ``values`` by linear interpolation between order statistics
    (Hyndman & Fan type 7): h = (m - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    x = sorted(values)
    h = (len(x) - 1) * q
    k = math.floor(h)
    return x[k] if k + 1 >= len(x) else x[k] + (h - k) * (x[k + 1] - x[k])


def resamples(n_docs, n, seed):
    """The documented draws: ``numpy.random.default_rng(seed).integers(0, n_docs, n_docs)``
    for each of the ``n`` resamples, in order."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_docs, size=n_docs) for _ in range(n)]


@pytest.mark.parametrize(
    ("level", "confidence", "seed"), [("nominal", 0.95, 5), ("interval", 0.9, 11)]
)
def test_alpha_interval_is_the_textbook_percentile_bootstrap(level, confidence, seed):
    """Computed here from the definition, sharing no code with the library: resample the
    documents with the same draws, compute α of each resample with the krippendorff package
    (a resampled document drawn twice counts twice), take the percentiles by hand."""
    krippendorff = pytest.importorskip("krippendorff")
    units = random_units(80, 3, 3, 0.2, seed)
    ids = sorted(units)
    coders = ["c0", "c1", "c2"]
    alphas = []
    for draw in resamples(len(ids), 200, seed):
        data = np.array([[units[ids[i]].get(c, np.nan) for i in draw] for c in coders])
        alphas.append(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    tail = (1 - confidence) / 2
    got = krippendorff_alpha(units, level, bootstrap=200, seed=seed, confidence=confidence).ci
    assert (got.used, got.requested, got.level) == (200, 200, confidence)
    assert got.lo == pytest.approx(textbook_percentile(alphas, tail), abs=1e-9)
    assert got.hi == pytest.approx(textbook_percentile(alphas, 1 - tail), abs=1e-9)


def test_bootstrap_skips_undefined_resamples_and_reports_them():
    calls = iter(range(1000))

    def statistic(sample):
        return None if next(calls) % 2 else float(len(set(sample)))

    ci = bootstrap_ci(list(range(10)), statistic, n=100, seed=1)
    assert ci.used == 50 and ci.requested == 100
    # by hand: the distinct documents of every other resample (the odd calls were undefined)
    kept = [len(set(d.tolist())) for d in resamples(10, 100, 1)[::2]]
    assert ci.lo == pytest.approx(textbook_percentile(kept, 0.025), abs=1e-12)
    assert ci.hi == pytest.approx(textbook_percentile(kept, 0.975), abs=1e-12)
    assert ci.lo < ci.hi
    none = bootstrap_ci([1, 2], lambda s: math.nan, n=10)
    assert none.lo is None and none.used == 0 and none.reason
    assert bootstrap_ci([], lambda s: 1.0).lo is None
    with pytest.raises(ValueError):
        bootstrap_ci([1], lambda s: 1.0, level=1.5)
