"""Issue 16, the coefficients beside α: Gwet's AC1, Brennan–Prediger, the bootstrap probability
that α is below .667/.800, the prevalence flag, and how the report shows them.

Reference values (each test names its source):

* Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., data set ``cont3x3abstractors``
  (100 pregnant women classified by two abstractors), with the values the author's R package
  irrCAC prints for it in its overview vignette
  (https://cran.r-project.org/web/packages/irrCAC/vignettes/overview.html):
  AC1 0.8493305, Brennan–Prediger 0.835, percent agreement 0.89.
* Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 coders × 12 units
  example with missing values (the same data is irrCAC's ``cac.raw4raters``, Gwet 2014 p. 120):
  α = 0.743 there; AC1 and Brennan–Prediger computed by hand in exact fractions from Gwet's
  formulas below, and by an independent loop-by-loop re-implementation of irrCAC's
  ``gwet.ac1.raw``/``bp.coeff.raw``.
* Feinstein & Cicchetti (1990), "High agreement but low kappa: I. The problems of two
  paradoxes", J Clin Epidemiol 43:543–549, Table 1: two 2×2 tables with the same observed
  agreement .85 and κ = .70 (balanced) versus κ = .32 (one category holds most codings).
* statsmodels' ``fleiss_kappa(method="randolph")``: Randolph's free-marginal κ, which is
  Brennan–Prediger for complete data.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.agreement import bootstrap_ci, cohen_kappa, krippendorff_alpha
from annotator.agreement.chance import (
    SKEWED_SHARE,
    alpha_below,
    brennan_prediger,
    gwet_ac1,
    prevalence,
)
from annotator.agreement.chance_report import field_chance
from annotator.agreement.nominal import percent_agreement
from annotator.cli import cli
from annotator.reliability import compute_agreement
from annotator.report_html import render_html
from annotator.report_text import KAPPA_PARADOX, render_text


def _from_table(table, cats, coders=("r1", "r2")):
    """Units of two coders from a contingency table (rows: first coder, columns: second)."""
    units, i = {}, 0
    for a, row in enumerate(table):
        for b, count in enumerate(row):
            for _ in range(count):
                units[i] = {coders[0]: cats[a], coders[1]: cats[b]}
                i += 1
    return units


# Gwet 2014 / irrCAC cont3x3abstractors
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_two_coders_against_irrcac_published_values():
    units = _from_table(ABSTRACTORS, ["Ectopic", "AIU", "NIU"])
    assert gwet_ac1(units).value == pytest.approx(0.8493305, abs=1e-7)
    assert brennan_prediger(units).value == pytest.approx(0.835, abs=1e-9)
    assert percent_agreement(units).value == pytest.approx(0.89)
    assert gwet_ac1(units).n == brennan_prediger(units).n == 100
    # q counts the categories the coders could choose, not only those used: a fourth option
    # nobody chose lowers chance agreement (BP: 1/4 instead of 1/3)
    assert brennan_prediger(units, q=4).value == pytest.approx((0.89 - 0.25) / 0.75)
    assert gwet_ac1(units, q=4).value != pytest.approx(gwet_ac1(units).value)
    with pytest.raises(ValueError, match="3 different values"):
        gwet_ac1(units, q=2)


# Krippendorff 2011's reliability data: 4 coders, 12 units, values 1..5, None missing
KRIPP = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
KRIPP_UNITS = {u: {c: KRIPP[c][u] for c in KRIPP} for u in range(12)}


def _irrcac_like(units, q):
    """An independent re-implementation, loop by loop, of irrCAC's gwet.ac1.raw and
    bp.coeff.raw (unweighted): n×q table of raters per subject and category, subjects
    nobody rated dropped, p_a over subjects with r_i ≥ 2, π_k over all remaining subjects."""
    cats = sorted({v for u in units.values() for v in u.values() if v is not None})
    cats += [f"unused{i}" for i in range(q - len(cats))]
    rows = []
    for unit in units.values():
        row = [sum(1 for v in unit.values() if v == c) for c in cats]
        if sum(row) > 0:
            rows.append(row)
    pa_terms = []
    for row in rows:
        r = sum(row)
        if r >= 2:
            pa_terms.append(sum(x * (x - 1) for x in row) / (r * (r - 1)))
    pa = sum(pa_terms) / len(pa_terms)
    pi = [sum(row[k] / sum(row) for row in rows) / len(rows) for k in range(q)]
    pe = sum(p * (1 - p) for p in pi) / (q - 1)
    return (pa - pe) / (1 - pe), (pa - 1 / q) / (1 - 1 / q)


def test_missing_ratings_krippendorff_2011_data():
    assert krippendorff_alpha(KRIPP_UNITS).value == pytest.approx(0.743, abs=5e-4)
    # by hand: unit 12 has one value (no pairs); of the 11 others, units 2 and 8 agree on
    # half their pairs, unit 6 on none, the rest fully: p_a = 9/11
    pa = Fraction(9, 11)
    # π_k: each unit's share of each value, averaged over the 12 units with a value
    pi = [Fraction(3, 12), Fraction(13, 48), Fraction(14, 48), Fraction(5, 48), Fraction(1, 12)]
    assert sum(pi) == 1
    pe = sum(p * (1 - p) for p in pi) / 4
    ac1 = gwet_ac1(KRIPP_UNITS, q=5)
    assert ac1.value == pytest.approx(float((pa - pe) / (1 - pe)), abs=1e-12)
    assert ac1.value == pytest.approx(0.775444, abs=1e-6)
    assert ac1.n == 11
    bp = brennan_prediger(KRIPP_UNITS, q=5)
    assert bp.value == pytest.approx(float((pa - Fraction(1, 5)) / Fraction(4, 5)))
    assert bp.value == pytest.approx(0.772727, abs=1e-6)
    assert (ac1.value, bp.value) == pytest.approx(_irrcac_like(KRIPP_UNITS, 5), abs=1e-12)
    # a unit nobody rated changes nothing; one more category nobody used lowers p_e
    more = {**KRIPP_UNITS, 99: {"A": None, "B": None}}
    assert gwet_ac1(more, q=5).value == pytest.approx(ac1.value)
    assert (gwet_ac1(more, q=7).value, brennan_prediger(more, q=7).value) == pytest.approx(
        _irrcac_like(KRIPP_UNITS, 7), abs=1e-12
    )


def test_brennan_prediger_is_randolphs_free_marginal_kappa_on_complete_data():
    rng = np.random.default_rng(7)
    for _ in range(20):
        q, coders, n = int(rng.integers(2, 6)), int(rng.integers(2, 6)), int(rng.integers(5, 40))
        units = {u: {f"c{j}": int(rng.integers(0, q)) for j in range(coders)} for u in range(n)}
        table = np.zeros((n, q))
        for u, unit in units.items():
            for v in unit.values():
                table[u, v] += 1
        expected = sm_fleiss_kappa(table, method="randolph")
        assert brennan_prediger(units, q=q).value == pytest.approx(expected, abs=1e-12)
        assert gwet_ac1(units, q=q).value == pytest.approx(_irrcac_like(units, q)[0], abs=1e-12)


def test_undefined_cases_say_why():
    assert gwet_ac1({}).reason.startswith("no values")
    assert brennan_prediger({1: {"a": "x"}, 2: {"a": "y"}}).reason == "only one coder"
    assert gwet_ac1({1: {"a": "x"}, 2: {"b": "y"}}).reason.startswith("no pairable")
    one = gwet_ac1({1: {"a": "x", "b": "x"}})
    assert one.value is None and "only one category" in one.reason
    # with a second category to choose from, unanimous coders have AC1 = BP = 1 (κ and α
    # are undefined there: no variation)
    assert gwet_ac1({1: {"a": "x", "b": "x"}}, q=2).value == 1.0
    assert brennan_prediger({1: {"a": "x", "b": "x"}}, q=2).value == 1.0
    assert krippendorff_alpha({1: {"a": "x", "b": "x"}}).value is None


# Feinstein & Cicchetti 1990, Table 1: rows coder 1 (yes, no), columns coder 2
BALANCED = [[40, 9], [6, 45]]
SKEWED = [[80, 10], [5, 5]]


def test_kappa_paradox_feinstein_cicchetti_1990():
    balanced = _from_table(BALANCED, ["yes", "no"])
    skewed = _from_table(SKEWED, ["yes", "no"])
    for units in (balanced, skewed):
        assert percent_agreement(units).value == pytest.approx(0.85)
    assert cohen_kappa(balanced, "r1", "r2").value == pytest.approx(0.70, abs=0.005)
    assert cohen_kappa(skewed, "r1", "r2").value == pytest.approx(0.32, abs=0.005)
    assert krippendorff_alpha(skewed).value < 0.35
    # AC1: π_yes = (90 + 85) / 200 = .875, p_e = 2 π (1 - π) = .21875
    assert gwet_ac1(skewed).value == pytest.approx((0.85 - 0.21875) / (1 - 0.21875))
    assert gwet_ac1(skewed).value > 0.8  # the same agreement, not sunk by the prevalence
    assert brennan_prediger(skewed).value == pytest.approx(0.70)
    assert brennan_prediger(balanced).value == pytest.approx(0.70)
    prev = prevalence(skewed)
    assert (prev.value, prev.share, prev.codings) == ("yes", 0.875, 200)
    assert prev.skewed and not prevalence(balanced).skewed
    assert SKEWED_SHARE == 0.8
    # exactly 80 % is not "more than 80 %"
    edge = {u: {"a": "x" if u < 8 else "y"} for u in range(10)}
    assert prevalence(edge).share == 0.8 and not prevalence(edge).skewed
    assert prevalence({}) is None


# -- P(α below .667 / .800) -------------------------------------------------------------


def _noisy_units(n=80, seed=3, error=0.15):
    """Three coders copying a true value with some error: α around .7."""
    rng = random.Random(seed)
    units = {}
    for u in range(n):
        truth = rng.choice("abcd")
        units[u] = {
            c: (rng.choice("abcd") if rng.random() < error else truth) for c in ("x", "y", "z")
        }
    return units


def test_alpha_below_matches_the_bootstrap_distribution_and_is_reproducible():
    units = _noisy_units()
    stat = krippendorff_alpha(units, bootstrap=500, seed=11)
    below = alpha_below(stat)
    assert set(below) == {0.667, 0.8}
    # independently: the generic bootstrap draws the same resamples for the same seed;
    # recompute α on each resampled unit list and count
    ids = list(units)
    seen: list[float] = []

    def statistic(sample):
        value = krippendorff_alpha({i: units[d] for i, d in enumerate(sample)}).value
        seen.append(value)
        return value

    bootstrap_ci(ids, statistic, n=500, seed=11)
    assert below[0.667] == pytest.approx(np.mean(np.array(seen) < 0.667), abs=1e-12)
    assert below[0.8] == pytest.approx(np.mean(np.array(seen) < 0.8), abs=1e-12)
    assert 0 < below[0.667] <= below[0.8] < 1
    # the same seed gives exactly the same probabilities
    assert alpha_below(krippendorff_alpha(units, bootstrap=500, seed=11)) == below
    # no bootstrap: no probability
    assert alpha_below(krippendorff_alpha(units)) is None


def test_alpha_below_is_stable_across_seeds():
    """With 2,000 resamples the Monte-Carlo standard error of a probability is at most
    sqrt(.25 / 2000) ≈ .011: five seeds must agree within 0.05 (about 4.5 standard errors)."""
    units = _noisy_units(n=60, seed=5, error=0.2)
    got = [alpha_below(krippendorff_alpha(units, bootstrap=2000, seed=s)) for s in (0, 1, 2, 3, 4)]
    for t in (0.667, 0.8):
        values = [g[t] for g in got]
        assert max(values) - min(values) <= 0.05, (t, values)
    assert len({g[0.8] for g in got}) > 1  # the seed does change the draws


# -- properties ----------------------------------------------------------------------------

VALUES = st.sampled_from(["a", "b", "c", "d"])
UNITS = st.dictionaries(
    st.integers(0, 30),
    st.dictionaries(st.sampled_from(["p", "q", "r", "s"]), st.one_of(st.none(), VALUES)),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(UNITS, st.integers(0, 3))
def test_bounded_and_invariant(units, extra):
    q = len({v for u in units.values() for v in u.values() if v is not None}) + extra
    ac1, bp = gwet_ac1(units, q or None), brennan_prediger(units, q or None)
    for s in (ac1, bp):
        if s.value is not None:
            assert -1.0 - 1e-12 <= s.value <= 1.0 + 1e-12
    # relabel the categories (a bijection) and rename/reorder the coders
    relabel = {"a": "d", "b": "c", "c": "a", "d": "b"}
    rename = {"p": "zz", "q": "aa", "r": "mm", "s": "bb"}
    moved = {
        u: {rename[c]: (None if v is None else relabel[v]) for c, v in reversed(unit.items())}
        for u, unit in units.items()
    }
    for f in (gwet_ac1, brennan_prediger):
        a, b = f(units, q or None), f(moved, q or None)
        assert (a.value is None) == (b.value is None)
        if a.value is not None:
            assert b.value == pytest.approx(a.value, abs=1e-12)
        assert a.n == b.n


# -- the report ----------------------------------------------------------------------------


@pytest.fixture
def skewed_store(store, make_doc):
    """20 documents, ana and ben: dominant_frame "none" on 18 of them (they disagree on one),
    frames_present filled on the first 10."""
    docs = [make_doc(f"Article number {i} about the summit and its aftermath.") for i in range(20)]
    for i, d in enumerate(docs):
        a = "alarmist" if i in (0, 1) else "none"
        b = "alarmist" if i == 0 else "none"
        store.set_doc_label(d, "ana", "dominant_frame", a)
        store.set_doc_label(d, "ben", "dominant_frame", b)
        if i < 10:
            store.set_doc_label(d, "ana", "frames_present", ["alarmist"] if i < 3 else [])
            store.set_doc_label(d, "ben", "frames_present", ["alarmist"] if i < 2 else [])
    return docs


def test_report_json_adds_the_keys_and_keeps_alpha(store, skewed_store):
    r = compute_agreement(store, bootstrap=300, seed=4).to_dict()
    f = r["doc_fields"]["dominant_frame"]
    units = {
        i: {"ana": "alarmist" if i in (0, 1) else "none", "ben": "alarmist" if i == 0 else "none"}
        for i in range(20)
    }
    assert f["alpha"] == pytest.approx(krippendorff_alpha(units).value, abs=1e-6)
    assert f["percent"] == pytest.approx(0.95)
    # q = the field's 4 options of the default scheme
    assert f["categories"] == 4
    assert f["gwet_ac1"] == pytest.approx(gwet_ac1(units, q=4).value, abs=1e-6)
    assert f["brennan_prediger"] == pytest.approx((0.95 - 0.25) / 0.75, abs=1e-6)
    assert f["gwet_ac1"] > 0.9 and f["alpha"] < 0.7  # the paradox, in the report
    alpha = krippendorff_alpha(units, bootstrap=300, seed=4)
    assert f["alpha_below"] == {
        "0.667": round(alpha_below(alpha)[0.667], 6),
        "0.8": round(alpha_below(alpha)[0.8], 6),
    }
    assert f["prevalence"] == {
        "value": "none",
        "share": 0.925,
        "codings": 40,
        "skewed": True,
        "threshold": 0.8,
    }
    assert f["coefficient_reasons"] == {}
    # multi field: the whole set as α sees it (q = 2^3 subsets) and each option present/absent
    fp = r["doc_fields"]["frames_present"]
    assert fp["categories"] == 8
    assert fp["prevalence"]["value"] == []  # nothing chosen, the commonest coding
    opt = fp["options"]["alarmist"]
    assert opt["alpha"] is not None and opt["categories"] == 2
    assert opt["alpha_below"] is not None and set(opt["alpha_below"]) == {"0.667", "0.8"}
    assert opt["prevalence"]["value"] is False
    nobody = fp["options"]["policy_prescription"]
    assert nobody["gwet_ac1"] == 1.0 and nobody["alpha"] is None  # unanimous "absent"
    # without a bootstrap: alpha_below is null, everything else as before
    plain = compute_agreement(store, bootstrap=0).to_dict()["doc_fields"]["dominant_frame"]
    assert plain["alpha_below"] is None
    assert plain["alpha"] == f["alpha"] and plain["gwet_ac1"] == f["gwet_ac1"]


def test_field_chance_without_values():
    c = field_chance({}, "single", ["a", "b"])
    assert c.gwet_ac1 is None and c.reasons["gwet_ac1"].startswith("no values")
    assert c.prevalence is None and c.alpha_below is None and not c.skewed


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data):
        self.text.append(data)


def test_text_html_and_cli_show_them(tmp_path, monkeypatch, store, skewed_store):
    report = compute_agreement(store, bootstrap=200, seed=1)
    text = render_text(report)
    assert "Gwet's AC1" in text and "Brennan-Prediger" in text and "P(alpha < .667)" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("dominant_frame") and "%" in ln)
    assert "none (92%) SKEWED" in line
    assert "Skewed (dominant_frame, frames_present=skeptical_of_alliance" in text
    assert "nothing chosen (75%)" in text  # frames_present itself is not skewed
    assert KAPPA_PARADOX in text
    page = _Text()
    page.feed(render_html(report))
    shown = " ".join(page.text)
    assert "Gwet's AC1" in shown and "P(alpha < .800)" in shown and "kappa paradox" in shown
    assert "none (92%) SKEWED" in shown
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(
        cli, ["--db", str(store.path), "agreement", "--json", "--bootstrap", "50"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)["doc_fields"]["dominant_frame"]
    assert data["prevalence"]["skewed"] is True and data["alpha_below"] is not None


def test_span_alphas_get_their_probabilities_too(store, skewed_store):
    texts = [store.document(d).text for d in skewed_store]
    for i, d in enumerate(skewed_store):
        store.add_span(d, "ana", 0, 7, "alarmist")
        end = 7 if i % 4 else len(texts[i]) - 1  # ben disagrees on every fourth document
        store.add_span(d, "ben", 0, end, "alarmist")
    r = compute_agreement(store, bootstrap=400, seed=2)
    overall = r.to_dict()["spans"]["overall"]
    for key, ci in (("alpha_token_below", "alpha_token_ci"), ("alpha_u_below", "alpha_u_ci")):
        below = overall[key]
        assert set(below) == {"0.667", "0.8"} and 0 <= below["0.667"] <= below["0.8"] <= 1
        lo, hi = overall[ci]
        # the 2.5 % and 97.5 % quantiles bound the probabilities
        for t in ("0.667", "0.8"):
            if lo > float(t):
                assert below[t] <= 0.025
            if hi < float(t):
                assert below[t] >= 0.975
    assert overall["alpha_token_below"] != overall["alpha_u_below"]
    assert "Spans: bootstrap probability that alpha is below" in render_text(r)
    assert "token alpha: P(&lt; .667)" in render_html(r)
    again = compute_agreement(store, bootstrap=400, seed=2).to_dict()["spans"]["overall"]
    assert again["alpha_token_below"] == overall["alpha_token_below"]
    plain = compute_agreement(store, bootstrap=0)
    assert plain.to_dict()["spans"]["overall"]["alpha_u_below"] is None
    assert "Spans: bootstrap probability" not in render_text(plain)
