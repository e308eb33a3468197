"""The colour maths of annotator/colours.py, against published values, and the palette
it derives for span painting (for the seed scheme and for hostile ones)."""

from __future__ import annotations

import itertools

import pytest

from annotator import colours as C
from annotator.scheme import load_scheme, parse_scheme

# -- WCAG 2.2 contrast ------------------------------------------------------------------


def test_wcag_contrast_published_examples():
    white, black = C.parse_hex("#ffffff"), C.parse_hex("#000000")
    # WCAG 2.2 "contrast ratio" definition: from 1:1 to 21:1.
    assert C.contrast_ratio(white, black) == pytest.approx(21.0)
    assert C.contrast_ratio(black, white) == pytest.approx(21.0)
    assert C.contrast_ratio(white, white) == pytest.approx(1.0)
    # WebAIM's contrast checker: #767676 on white is 4.54:1, the lightest grey passing AA;
    # #777777 is 4.48:1 and fails.
    assert C.contrast_ratio(C.parse_hex("#767676"), white) == pytest.approx(4.54, abs=0.005)
    assert C.contrast_ratio(C.parse_hex("#777777"), white) == pytest.approx(4.48, abs=0.005)
    # Pure red on white 4.0:1, pure blue on white 8.59:1 (WebAIM).
    assert C.contrast_ratio(C.parse_hex("#ff0000"), white) == pytest.approx(4.0, abs=0.005)
    assert C.contrast_ratio(C.parse_hex("#0000ff"), white) == pytest.approx(8.59, abs=0.005)
    assert C.relative_luminance(white) == pytest.approx(1.0)
    assert C.relative_luminance(black) == 0.0


# -- CIELAB ------------------------------------------------------------------------------

# sRGB primaries in CIELAB (D65), as published by Lindbloom's calculator and in
# IEC 61966-2-1 based tables (e.g. EasyRGB): red, green, blue, white, mid grey.
LAB_PUBLISHED = [
    ("#ff0000", (53.2408, 80.0925, 67.2032)),
    ("#00ff00", (87.7347, -86.1827, 83.1793)),
    ("#0000ff", (32.2970, 79.1875, -107.8602)),
    ("#ffffff", (100.0, 0.0, 0.0)),
    ("#808080", (53.5850, 0.0, 0.0)),
]


@pytest.mark.parametrize(("hex_color", "lab"), LAB_PUBLISHED)
def test_srgb_to_lab_published_values(hex_color, lab):
    got = C.srgb_to_lab(C.parse_hex(hex_color))
    assert got == pytest.approx(lab, abs=2e-3)


@pytest.mark.parametrize("hex_color", ["#d62728", "#1f77b4", "#2ca02c", "#fffdf9", "#010203"])
def test_lab_round_trip(hex_color):
    assert C.to_hex(C.lab_to_srgb(C.srgb_to_lab(C.parse_hex(hex_color)))) == hex_color


# -- CIEDE2000 -----------------------------------------------------------------------------

# Sharma, Wu & Dalal (2005), Table 1: the 34 test pairs and their ΔE00.
SHARMA_2005 = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA_2005)
def test_ciede2000_sharma_2005_test_data(lab1, lab2, expected):
    assert C.delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert C.delta_e_2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)  # symmetric


# -- colour-vision deficiency -------------------------------------------------------------


def test_machado_2009_matrices_are_the_published_ones():
    # Machado, Oliveira & Fernandes (2009), Table 1, severity 1.0 (first row of each).
    assert C.MACHADO_2009["protanopia"][0] == (0.152286, 1.052583, -0.204868)
    assert C.MACHADO_2009["deuteranopia"][0] == (0.367322, 0.860646, -0.227968)
    assert C.MACHADO_2009["tritanopia"][2] == (0.004733, 0.691367, 0.303900)
    # Every row sums to 1: greys (white included) stay what they are.
    for vision, m in C.MACHADO_2009.items():
        for row in m:
            assert sum(row) == pytest.approx(1.0, abs=2e-6), vision  # six decimals
        for grey in ("#ffffff", "#808080", "#000000"):
            assert C.to_hex(C.simulate(C.parse_hex(grey), vision)) == grey


def test_simulation_confuses_the_classic_pairs_and_nothing_else():
    red, green = C.parse_hex("#d62728"), C.parse_hex("#2ca02c")
    blue, yellow = C.parse_hex("#1f77b4"), C.parse_hex("#ffdd00")
    # Red and green: far apart for normal vision, alike for deuteranopes (and closer for
    # protanopes); blue against yellow survives every red-green deficiency.
    assert C.difference(red, green) > 60
    assert C.difference(red, green, "deuteranopia") < 8
    assert C.difference(red, green, "protanopia") < C.difference(red, green) / 2
    for vision in ("protanopia", "deuteranopia"):
        assert C.difference(blue, yellow, vision) > 40
    # Tritanopes lose blue-yellow, not red-green.
    assert C.difference(red, green, "tritanopia") > 40
    assert C.least_difference(red, green)[1] == "deuteranopia"


# -- the derived palette ------------------------------------------------------------------

SEED = tuple((lab.name, lab.color) for lab in load_scheme().span_labels)
HOSTILE = (
    ("like_selection", C.DEFAULT_SELECTION),  # the default selection blue itself
    ("yellow", "#ffff00"),  # invisible as a line on the page
    ("green", "#2ca02c"),
    ("same_green", "#2ea12e"),  # nearly the same as "green"
)


def _all_visions_min(a: str, b: str) -> float:
    return C.least_difference(C.parse_hex(a), C.parse_hex(b))[0]


@pytest.mark.parametrize("labels", [SEED, HOSTILE], ids=["seed", "hostile"])
def test_palette_guarantees(labels):
    p = C.derive_palette(labels)
    page, text = C.parse_hex(C.PAGE), C.parse_hex(C.TEXT)
    assert [lp.name for lp in p.labels] == [n for n, _ in labels]
    for lp in p.labels:
        fill, band = C.parse_hex(lp.fill), C.parse_hex(lp.band)
        assert C.contrast_ratio(text, fill) >= 4.5, lp
        assert C.contrast_ratio(band, page) >= 3.0, lp
        # the selection is far from every fill and band, for every vision
        assert _all_visions_min(p.selection, lp.fill) >= C.SELECTION_MIN_DE, lp
        assert _all_visions_min(p.selection, lp.band) >= C.SELECTION_MIN_DE, lp
        # and darker than every fill: lightness survives any colour-vision deficiency
        assert C.srgb_to_lab(C.parse_hex(p.selection))[0] < C.srgb_to_lab(fill)[0] - 6
    assert C.contrast_ratio(C.parse_hex(p.selection_text), C.parse_hex(p.selection)) >= 4.5


def test_seed_palette_values():
    p = C.derive_palette(SEED)
    # The seed's blue label is close to the default selection blue: another is chosen.
    assert _all_visions_min(C.DEFAULT_SELECTION, "#1f77b4") < 40
    assert p.selection != C.DEFAULT_SELECTION
    # Red and green look alike with deuteranopia: one warning, naming both labels.
    assert p.warnings == (
        "labels 'alarmist' and 'policy_prescription' have colours that look alike with"
        " deuteranopia (CIEDE2000 4.6, less than 12); the window paints"
        " 'policy_prescription' in another lightness or hue to keep them apart, but more"
        " different colours would be clearer",
    )
    # ... and the derived bands of the two differ for every vision after all.
    alarm, policy = p.paint("alarmist"), p.paint("policy_prescription")
    assert alarm is not None and policy is not None
    assert _all_visions_min(alarm.band, policy.band) >= C.LABEL_MIN_DE
    assert _all_visions_min(alarm.fill, policy.fill) >= 5


def test_hostile_palette_separates_the_near_identical_greens_and_warns():
    p = C.derive_palette(HOSTILE)
    green, same = p.paint("green"), p.paint("same_green")
    assert green is not None and same is not None
    assert _all_visions_min(green.band, same.band) >= C.LABEL_MIN_DE
    assert _all_visions_min(green.fill, same.fill) >= 5
    assert len(p.warnings) >= 1
    assert any("'green' and 'same_green'" in w and "look alike" in w for w in p.warnings)
    # Pure yellow's band is darkened until it can be seen on the page.
    yellow = p.paint("yellow")
    assert yellow is not None and yellow.band != "#ffff00"
    assert C.contrast_ratio(C.parse_hex(yellow.band), C.parse_hex(C.PAGE)) >= 3.0


def test_a_scheme_without_look_alikes_keeps_the_default_selection_and_says_nothing():
    labels = (("a", "#d62728"), ("b", "#ff7f0e"))
    for x, y in itertools.combinations(dict(labels).values(), 2):
        assert _all_visions_min(x, y) >= C.LABEL_MIN_DE
    p = C.derive_palette(labels)
    assert p.warnings == ()
    assert p.selection == C.DEFAULT_SELECTION
    # red is kept; orange is 2.9:1 on the page, so its band is darkened to 3:1
    assert [lp.band for lp in p.labels] == ["#d62728", "#e97100"]
    assert C.contrast_ratio(C.parse_hex("#ff7f0e"), C.parse_hex(C.PAGE)) < 3.0


def test_the_scheme_names_its_look_alike_labels():
    text = """name = "x"
[[span_labels]]
name = "one"
key = "1"
color = "#2ca02c"
[[span_labels]]
name = "two"
key = "2"
color = "#2ea12e"
"""
    scheme = parse_scheme(text)
    [line] = scheme.colour_warnings()
    assert line.startswith("labels 'one' and 'two' have colours that look alike (CIEDE2000 0.4,")
    assert scheme.palette() == C.derive_palette((("one", "#2ca02c"), ("two", "#2ea12e")))


def test_a_scheme_that_leaves_no_room_for_the_selection_says_so():
    labels = HOSTILE + (("black", "#000000"), ("white", "#ffffff"), ("grey", "#a0a0a0"))
    p = C.derive_palette(labels)
    [line] = [w for w in p.warnings if w.startswith("no selection colour")]
    assert p.selection in line
    # the farthest one is still taken, and still darker than every fill
    for lp in p.labels:
        assert C.srgb_to_lab(C.parse_hex(p.selection))[0] < C.srgb_to_lab(C.parse_hex(lp.fill))[0]


def test_init_warns_about_look_alike_labels_and_still_records_the_scheme(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    scheme = tmp_path / "greens.toml"
    scheme.write_text(
        'name = "greens"\n'
        '[[span_labels]]\nname = "one"\nkey = "1"\ncolor = "#2ca02c"\n'
        '[[span_labels]]\nname = "two"\nkey = "2"\ncolor = "#2ea12e"\n'
        '[[span_labels]]\nname = "three"\nkey = "3"\ncolor = "#1f77b4"\n'
    )
    env = os.environ | {"PYTHONPATH": str(root)}
    db = tmp_path / "x.db"
    args = ["--db", str(db), "init", "--scheme", str(scheme), "--no-seeds"]
    res = subprocess.run(
        [sys.executable, "-m", "annotator", *args], env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Created {db}: scheme 'greens' v1")
    assert res.stderr.splitlines() == [
        "Warning: labels 'one' and 'two' have colours that look alike (CIEDE2000 0.4, less"
        " than 12); the window paints 'two' in another lightness or hue to keep them apart,"
        " but more different colours would be clearer"
    ]


def test_look_alike_warnings_are_capped_with_a_count_of_the_rest():
    """26 labels of one colour made `annotator init` print 325 warning lines."""
    from annotator.scheme import MAX_COLOUR_WARNINGS

    keys = "bcfhilmoqstuvwxyz0123456789"[:26]  # not the window's reserved keys
    text = 'name = "same"\nversion = 1\n' + "".join(
        f'[[span_labels]]\nname = "l{k}"\nkey = "{k}"\ncolor = "#2ca02c"\n' for k in keys
    )
    lines = parse_scheme(text).colour_warnings()
    assert len(lines) == MAX_COLOUR_WARNINGS
    assert lines[-1] == "... and 316 more pair(s) of labels whose colours look alike"
    assert all("look alike" in line for line in lines[:-1])
