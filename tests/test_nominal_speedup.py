"""Document-field α after the speed-up of its sufficient statistics (issue 16, "Speed
against the reference implementation"): every value — α, n, the bootstrap interval and
P(α below) — is exactly what the implementation before it gave (pinned below, produced by
it), on both ways of counting a unit's categories (dense for few categories, sorted for
many), with missing (``None``) values; and α equals the ``krippendorff`` package's."""

from __future__ import annotations

import random

import numpy as np
import pytest

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
