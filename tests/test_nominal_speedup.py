"""Document-field α after the speed-up of its sufficient statistics (issue 16, "Speed
against the reference implementation"): every value — α, n, the bootstrap interval and
P(α below) — is exactly what the implementation before it gave (pinned below, produced by
it), on both ways of counting a unit's categories (dense for few categories, sorted for
many), with missing (``None``) values; and α equals the ``krippendorff`` package's."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import krippendorff_alpha

# seed: (alpha, n, ci lo, ci hi, P(alpha < .667), P(alpha < .8)), bootstrap 200, seed = seed
PINNED = {
    0: (0.7846219808489352, 138, 0.6636774107929649, 0.8805845006521765, 0.03, 0.685),
    1: (0.8110569105691057, 167, 0.6913764718563685, 0.8986733293321898, 0.0, 0.49),
    2: (0.7242244782853919, 155, 0.6110255064875585, 0.8160118452583164, 0.13, 0.95),
    3: (0.7821720557865851, 155, 0.6799689706011537, 0.8745931398453503, 0.02, 0.675),
}


def units_for(seed):
    """60 units, 4 coders, 25 % absent, 10 % ``None``; seeds 0-1 draw from 4 categories,
    2-3 from 3,000 (more cells than values: the sorted count)."""
    rng = random.Random(seed)
    cats = list(range(4)) if seed < 2 else [f"v{i}" for i in range(3000)]
    units = {}
    for u in range(60):
        truth = rng.choice(cats)
        units[u] = {
            f"c{c}": None
            if rng.random() < 0.1
            else truth
            if rng.random() < 0.9
            else rng.choice(cats)
            for c in range(4)
            if rng.random() < 0.75
        }
    return units


@pytest.mark.parametrize("seed", sorted(PINNED))
def test_alpha_and_its_bootstrap_are_exactly_those_before_the_speed_up(seed):
    got = krippendorff_alpha(units_for(seed), bootstrap=200, seed=seed)
    assert got.ci is not None
    below = dict(got.ci.below)
    assert (got.value, got.n, got.ci.lo, got.ci.hi, below[0.667], below[0.8]) == PINNED[seed]


@pytest.mark.parametrize("seed", sorted(PINNED))
def test_alpha_equals_the_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    units = units_for(seed)
    values = sorted({v for u in units.values() for v in u.values() if v is not None}, key=str)
    code = {v: i for i, v in enumerate(values)}
    data = np.full((4, len(units)), np.nan)
    for j, unit in enumerate(units.values()):
        for c, v in unit.items():
            if v is not None:
                data[int(c[1:]), j] = code[v]
    ref = krippendorff.alpha(
        reliability_data=data, level_of_measurement="nominal", value_domain=list(range(len(values)))
    )
    assert krippendorff_alpha(units).value == pytest.approx(ref, abs=1e-12)


def test_coders_with_only_missing_values_do_not_count():
    units = {1: {"a": "x", "b": None}, 2: {"a": "y", "b": None}}
    assert krippendorff_alpha(units).reason == "only one coder"
    assert krippendorff_alpha({1: {"a": "x", "b": "x"}, 2: {}}).reason.startswith("no variation")
    assert krippendorff_alpha({}).reason.startswith("no values")


# --- FieldUnits: the units the agreement report collects, coded as they are added ----------


def field_units_of(units):
    from annotator.agreement import FieldUnits

    return FieldUnits(units.items())


@pytest.mark.parametrize("seed", sorted(PINNED))
def test_coded_units_give_exactly_the_pinned_values(seed):
    got = krippendorff_alpha(field_units_of(units_for(seed)), bootstrap=200, seed=seed)
    assert got.ci is not None
    below = dict(got.ci.below)
    assert (got.value, got.n, got.ci.lo, got.ci.hi, below[0.667], below[0.8]) == PINNED[seed]


values_st = st.one_of(
    st.none(), st.sampled_from(["a", "b", "c"]), st.integers(0, 3), st.tuples(st.sampled_from("xy"))
)
units_st = st.dictionaries(
    st.integers(0, 40), st.dictionaries(st.sampled_from(["ana", "ben", "cy", "dee"]), values_st)
)


@settings(max_examples=300, deadline=None)
@given(units_st)
def test_coded_units_agree_with_plain_units_everywhere(units):
    """Same α, n and reason (including every undefined case: no values, one coder, no
    pairable value, no variation naming the same value) with and without the coding."""
    plain, coded = krippendorff_alpha(units), krippendorff_alpha(field_units_of(units))
    assert (coded.value, coded.n, coded.reason) == (plain.value, plain.n, plain.reason) or (
        np.isnan(coded.value)
        and np.isnan(plain.value)
        and (coded.n, coded.reason) == (plain.n, plain.reason)
    )


def test_coded_units_are_a_read_only_copy_and_each_unit_is_added_once():
    from annotator.agreement import FieldUnits

    source = {"ana": "x", "ben": "y"}
    units = FieldUnits([(1, source)])
    source["ben"] = "x"  # the caller's dict changing later changes nothing
    assert dict(units[1]) == {"ana": "x", "ben": "y"}
    with pytest.raises(TypeError):
        units[1]["ben"] = "x"  # type: ignore[index]
    with pytest.raises(ValueError, match="already added"):
        units.add(1, {"ana": "x"})
    units.add(2, {"ana": "x", "ben": "x"})
    assert list(units) == [1, 2] and len(units) == 2
    assert (
        krippendorff_alpha(units).value
        == krippendorff_alpha({1: {"ana": "x", "ben": "y"}, 2: {"ana": "x", "ben": "x"}}).value
    )


def test_alpha_can_be_read_while_units_are_still_being_added():
    """Computing α does not pin the coded arrays: units added afterwards are counted."""
    from annotator.agreement import FieldUnits

    units = FieldUnits([(1, {"ana": "x", "ben": "x"}), (2, {"ana": "y", "ben": "x"})])
    first = krippendorff_alpha(units)
    units.add(3, {"ana": "y", "ben": "y"})
    assert krippendorff_alpha(units).n == first.n + 2


def test_coded_units_pickle_and_copy_as_independent_units():
    """A copy (``copy``, ``deepcopy``, ``pickle``) holds the same units and codes and
    shares nothing: adding to it leaves the original as it was."""
    import copy
    import pickle

    from annotator.agreement import FieldUnits

    units = FieldUnits([(1, {"ana": "x", "ben": "y"}), (2, {"ana": True, "ben": None})])
    for twin in (copy.copy(units), copy.deepcopy(units), pickle.loads(pickle.dumps(units))):
        assert isinstance(twin, FieldUnits) and dict(twin) == dict(units)
        assert twin.coded() == units.coded()
        twin.add(3, {"ana": "z", "ben": "z"})
        assert len(units) == 2 and list(units.coded()[1]) == [2, 1]
        assert krippendorff_alpha(twin).n == 4
