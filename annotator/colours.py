"""Colour maths for painting spans: contrast, CIELAB, CIEDE2000, colour-vision simulation,
and the fills, bands and selection colour derived from a scheme's label colours.

Pure Python (no Qt), so the rules are tested against published values
(tests/test_colours.py) and the window only paints what :func:`derive_palette` returns.

- Contrast ratio and relative luminance: WCAG 2.2, success criteria 1.4.3 (text, 4.5:1)
  and 1.4.11 (non-text, 3:1).
- CIELAB: sRGB (IEC 61966-2-1) to XYZ to L*a*b*, D65 white.
- ΔE: CIEDE2000 (Sharma, Wu & Dalal 2005, "The CIEDE2000 color-difference formula:
  implementation notes, supplementary test data, and mathematical observations",
  Color Research & Application 30(1)).
- Colour-vision deficiency: the severity-1.0 matrices of Machado, Oliveira & Fernandes
  2009 ("A physiologically-based model for simulation of color vision deficiency",
  IEEE TVCG 15(6)), applied to linear RGB.

What :func:`derive_palette` guarantees, for any label colours:

- a span's fill is a light tint of its label's hue (CIELAB L* 84-92, chroma at most 32),
  and the article's text on it has a contrast of at least 4.5:1;
- a span's band (the line under the text) has a contrast of at least 3:1 with the page;
- the text selection is darker and more saturated than every fill (L* about 70-76), and
  at least :data:`SELECTION_MIN_DE` (CIEDE2000) away from every fill and band, for normal
  vision and simulated protanopia, deuteranopia and tritanopia: the candidate farthest
  from all of them is chosen;
- labels whose colours look alike (less than :data:`LABEL_MIN_DE` apart for some vision)
  are named in :attr:`Palette.warnings`, and the later one's fill and band are given
  another lightness so that they still differ.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from .records import FrozenRecord

RGB = tuple[float, float, float]  # sRGB, each 0..1 (gamma encoded)
Lab = tuple[float, float, float]

PAGE = "#fffdf9"  # the article's background
TEXT = "#202124"  # the article's text
DEFAULT_SELECTION = "#b9d4f7"  # kept when it is far enough from every label

TEXT_MIN_CONTRAST = 4.5  # WCAG 2.2 SC 1.4.3 (AA, normal text)
BAND_MIN_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11 (non-text contrast)
LABEL_MIN_DE = 12.0  # two labels closer than this (CIEDE2000) for some vision look alike
SELECTION_MIN_DE = 15.0  # the selection is at least this far from every fill and band

VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")

# Machado, Oliveira & Fernandes (2009), Table 1, severity 1.0; rows map linear (R, G, B).
MACHADO_2009: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

# sRGB (D65) to CIE XYZ, IEC 61966-2-1, and back.
_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_FROM_XYZ = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)
_WHITE = (0.95047, 1.0, 1.08883)  # D65, Y = 1
_EPS = 216 / 24389
_KAPPA = 24389 / 27


def parse_hex(color: str) -> RGB:
    """``#rrggbb`` as sRGB components from 0 to 1."""
    h = color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour must look like #rrggbb, got {color!r}")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def to_hex(rgb: RGB) -> str:
    """sRGB components (clipped to 0..1) as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def to_linear(c: float) -> float:
    """One sRGB component, gamma removed."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def from_linear(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _mul(m: tuple[RGB, RGB, RGB], v: RGB) -> RGB:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def relative_luminance(rgb: RGB) -> float:
    """WCAG relative luminance (0 black .. 1 white)."""
    r, g, b = (to_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, from 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def srgb_to_lab(rgb: RGB) -> Lab:
    """CIE L*a*b* (D65) of an sRGB colour."""
    lin: RGB = (to_linear(rgb[0]), to_linear(rgb[1]), to_linear(rgb[2]))
    xyz = _mul(_TO_XYZ, lin)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > _EPS else (_KAPPA * t + 16) / 116

    fx, fy, fz = (f(xyz[i] / _WHITE[i]) for i in range(3))
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def _lab_to_linear(lab: Lab) -> RGB:
    L, a, b = lab
    fy = (L + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def finv(t: float) -> float:
        return t**3 if t**3 > _EPS else (116 * t - 16) / _KAPPA

    xyz = (finv(fx) * _WHITE[0], finv(fy) * _WHITE[1], finv(fz) * _WHITE[2])
    return _mul(_FROM_XYZ, xyz)


def in_gamut(lab: Lab, tol: float = 1e-4) -> bool:
    return all(-tol <= c <= 1 + tol for c in _lab_to_linear(lab))


def lab_to_srgb(lab: Lab) -> RGB:
    """sRGB of a CIELAB colour (components clipped to 0..1)."""
    r, g, b = _lab_to_linear(lab)
    return (from_linear(r), from_linear(g), from_linear(b))


def lch(lab: Lab) -> tuple[float, float, float]:
    """Lightness, chroma and hue angle (degrees) of a CIELAB colour."""
    return lab[0], math.hypot(lab[1], lab[2]), math.degrees(math.atan2(lab[2], lab[1])) % 360


def from_lch(lightness: float, chroma: float, hue: float) -> RGB:
    """The sRGB colour of lightness, hue and at most ``chroma`` that sRGB can show."""
    h = math.radians(hue)
    lo, hi = 0.0, max(0.0, chroma)
    if in_gamut((lightness, hi * math.cos(h), hi * math.sin(h))):
        lo = hi
    else:
        for _ in range(30):  # bisect the largest chroma inside the gamut
            mid = (lo + hi) / 2
            if in_gamut((lightness, mid * math.cos(h), mid * math.sin(h))):
                lo = mid
            else:
                hi = mid
    return lab_to_srgb((lightness, lo * math.cos(h), lo * math.sin(h)))


def delta_e_2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), as in Sharma et al. (2005)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dLp = L2 - L1
    dCp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    Lp_bar = (L1 + L2) / 2
    Cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_bar - 30))
        + 0.24 * math.cos(math.radians(2 * hp_bar))
        + 0.32 * math.cos(math.radians(3 * hp_bar + 6))
        - 0.20 * math.cos(math.radians(4 * hp_bar - 63))
    )
    d_theta = 30 * math.exp(-(((hp_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(Cp_bar**7 / (Cp_bar**7 + 25.0**7))
    sl = 1 + 0.015 * (Lp_bar - 50) ** 2 / math.sqrt(20 + (Lp_bar - 50) ** 2)
    sc = 1 + 0.045 * Cp_bar
    sh = 1 + 0.015 * Cp_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dCp / sc) * (dHp / sh)
    )


def simulate(rgb: RGB, vision: str) -> RGB:
    """How ``rgb`` looks with ``vision`` ("normal" or a key of :data:`MACHADO_2009`)."""
    if vision == "normal":
        return rgb
    lin: RGB = (to_linear(rgb[0]), to_linear(rgb[1]), to_linear(rgb[2]))
    r, g, b = _mul(MACHADO_2009[vision], lin)
    return (from_linear(r), from_linear(g), from_linear(b))


def difference(a: RGB, b: RGB, vision: str = "normal") -> float:
    """CIEDE2000 between two sRGB colours as seen with ``vision``."""
    return delta_e_2000(srgb_to_lab(simulate(a, vision)), srgb_to_lab(simulate(b, vision)))


def least_difference(a: RGB, b: RGB) -> tuple[float, str]:
    """The smallest CIEDE2000 between ``a`` and ``b`` over :data:`VISIONS`, and that vision."""
    return min((difference(a, b, v), v) for v in VISIONS)


# -- the palette the window paints --------------------------------------------------

FILL_L = 91.0  # a span's fill: a light tint ...
FILL_L_ALT = 84.0  # ... or a darker one, to tell apart labels of look-alike colours
FILL_C = 32.0  # at most this chroma
SELECTION_L = (74.0, 70.0)  # the selection: darker and more saturated than any fill
SELECTION_C = 42.0


class LabelPaint(FrozenRecord):
    """How one label's spans are painted: fill (opaque, under the text) and band."""

    name: str
    color: str  # the scheme's colour
    fill: str
    band: str

    def __init__(self, name: str, color: str, fill: str, band: str) -> None:
        d = self.__dict__
        d["name"] = name
        d["color"] = color
        d["fill"] = fill
        d["band"] = band


class Palette(FrozenRecord):
    labels: tuple[LabelPaint, ...]
    selection: str  # the text selection's background
    selection_text: str  # the text on it
    warnings: tuple[str, ...]  # labels whose colours look alike, one line each

    def __init__(
        self,
        labels: tuple[LabelPaint, ...],
        selection: str,
        selection_text: str,
        warnings: tuple[str, ...],
    ) -> None:
        d = self.__dict__
        d["labels"] = labels
        d["selection"] = selection
        d["selection_text"] = selection_text
        d["warnings"] = warnings

    def paint(self, name: str) -> LabelPaint | None:
        return next((p for p in self.labels if p.name == name), None)


def _readable_fill(fill: RGB, text: RGB) -> RGB:
    """``fill``, made lighter or darker until ``text`` on it is at least 4.5:1."""
    L, c, h = lch(srgb_to_lab(fill))
    step = 2.0 if relative_luminance(text) < 0.18 else -2.0
    while contrast_ratio(text, fill) < TEXT_MIN_CONTRAST and 0.0 < L < 100.0:
        L = min(100.0, max(0.0, L + step))
        fill = from_lch(L, c, h)
    return fill


def _visible_band(band: RGB, page: RGB) -> RGB:
    """``band``, made darker (or lighter on a dark page) until it is 3:1 against the page."""
    L, c, h = lch(srgb_to_lab(band))
    step = -2.0 if relative_luminance(page) > 0.18 else 2.0
    while contrast_ratio(band, page) < BAND_MIN_CONTRAST and 0.0 < L < 100.0:
        L = min(100.0, max(0.0, L + step))
        band = from_lch(L, c, h)
    return band


def label_fill(color: RGB, lightness: float = FILL_L, text: RGB | None = None) -> RGB:
    """A light tint of ``color``'s hue under which ``text`` stays readable (4.5:1)."""
    _, c, h = lch(srgb_to_lab(color))
    return _readable_fill(from_lch(lightness, min(c, FILL_C), h), text or parse_hex(TEXT))


def look_alike(colors: dict[str, str]) -> list[tuple[str, str, str, float]]:
    """Pairs of labels whose colours are less than :data:`LABEL_MIN_DE` apart for some
    vision: ``(first, second, vision, ΔE00)``, in scheme order; "normal" when they look
    alike to everyone."""
    names = list(colors)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x, y = parse_hex(colors[a]), parse_hex(colors[b])
            de, vision = difference(x, y), "normal"
            if de >= LABEL_MIN_DE:
                de, vision = least_difference(x, y)
            if de < LABEL_MIN_DE:
                out.append((a, b, vision, de))
    return out


def warning_lines(colors: dict[str, str]) -> list[str]:
    """One line per pair of look-alike label colours (see :func:`look_alike`)."""
    lines = []
    for a, b, vision, de in look_alike(colors):
        seen = "look alike" if vision == "normal" else f"look alike with {vision}"
        lines.append(
            f"labels '{a}' and '{b}' have colours that {seen} (CIEDE2000 {de:.1f},"
            f" less than {LABEL_MIN_DE:.0f}); the window paints '{b}' in another lightness"
            " or hue to keep them apart, but more different colours would be clearer"
        )
    return lines


class _Seen:
    """Colours as seen with each of :data:`VISIONS` (CIELAB), to compare many at once."""

    def __init__(self) -> None:
        self.cache: dict[RGB, tuple[Lab, ...]] = {}

    def views(self, c: RGB) -> tuple[Lab, ...]:
        found = self.cache.get(c)
        if found is None:
            found = self.cache[c] = tuple(srgb_to_lab(simulate(c, v)) for v in VISIONS)
        return found

    def distance(self, c: RGB, others: list[RGB]) -> float:
        """The smallest CIEDE2000 from ``c`` to any of ``others``, for any vision."""
        mine = self.views(c)
        return min(
            (delta_e_2000(p, q) for o in others for p, q in zip(mine, self.views(o), strict=True)),
            default=100.0,
        )

    def pick(self, candidates: Iterable[RGB], others: list[RGB], least: float) -> RGB:
        """The first candidate at least ``least`` from ``others``, else the farthest."""
        best, best_d = (0.0, 0.0, 0.0), -1.0
        for c in candidates:
            d = self.distance(c, others)
            if d >= least:
                return c
            if d > best_d + 1e-9:
                best, best_d = c, d
        return best


# Small changes first: lightness and hue steps tried when a label's colour is too close
# to an earlier label's, ordered by how far they move from the scheme's colour.
_SHIFTS = sorted(
    ((dl, dh) for dl in (0, -10, 10, -20, 20, -30, 30) for dh in (0, -15, 15, -30, 30, -45, 45)),
    key=lambda s: (abs(s[0]) + abs(s[1]) / 2, abs(s[1])),
)
FILL_MIN_DE = 6.0  # fills of two labels at least this far apart, when it can be done


def _choose_selection(avoid: list[RGB], text: RGB, seen: _Seen) -> tuple[RGB, float]:
    """The selection colour: the default if far enough from every colour in ``avoid``
    (for every vision), else the first of a growing set of candidates that is, else the
    farthest candidate."""
    stages: list[Callable[[], list[RGB]]] = [
        lambda: [parse_hex(DEFAULT_SELECTION)],
        lambda: (
            [from_lch(L, SELECTION_C, h) for L in SELECTION_L for h in range(0, 360, 20)]
            + [from_lch(L, 0.0, 0.0) for L in SELECTION_L]
        ),
        lambda: [
            from_lch(L, c, h)
            for L in (72, 66, 62, 58)
            for c in (20, 30, 45, 60)
            for h in range(0, 360, 10)
        ],
    ]  # built one after the other: most schemes stop at the first or second
    best, best_d = parse_hex(DEFAULT_SELECTION), -1.0
    for stage in stages:
        readable = [c for c in stage() if contrast_ratio(text, c) >= TEXT_MIN_CONTRAST]
        scored = sorted(
            ((seen.distance(c, avoid), -relative_luminance(c), c) for c in readable),
            reverse=True,
        )
        if scored and scored[0][0] >= SELECTION_MIN_DE:
            return scored[0][2], scored[0][0]
        if scored and scored[0][0] > best_d:
            best_d, best = scored[0][0], scored[0][2]
    return best, best_d


def label_paint(name: str, color: str, page: str = PAGE, text: str = TEXT) -> LabelPaint:
    """Fill and band of one label on its own (a label the scheme no longer has)."""
    base = parse_hex(color)
    fill = label_fill(base, FILL_L, parse_hex(text))
    return LabelPaint(name, color, to_hex(fill), to_hex(_visible_band(base, parse_hex(page))))


Labels = tuple[tuple[str, str], ...]  # (name, #rrggbb), in the scheme's order
_KNOWN: dict[tuple[Labels, str, str], Palette] = {}  # given by remember_palette


def derive_palette(labels: Labels, page: str = PAGE, text: str = TEXT) -> Palette:
    """Fills, bands and the selection colour for ``(name, #rrggbb)`` labels (see the
    module's docstring for what is guaranteed).

    Labels are taken in order; each keeps its own colour's fill and band unless they
    are too close (for some vision) to an earlier label's, when the smallest lightness
    and hue change that keeps them apart is used. A palette derived in an earlier
    process and given to :func:`remember_palette` is returned as it is."""
    known = _KNOWN.get((labels, page, text))
    return known if known is not None else _derive_palette(labels, page, text)


def remember_palette(labels: Labels, palette: Palette, page: str = PAGE, text: str = TEXT) -> None:
    """Make :func:`derive_palette` return ``palette`` for these inputs (a palette read
    back with :func:`palette_from_literal`, which checked it was derived from them)."""
    _KNOWN[(labels, page, text)] = palette


def algorithm_id() -> str:
    """Names this module's derivation: a checksum of its source, so that a palette
    stored by another version of the colour rules is never taken for this one's. Empty
    when the source cannot be read (nothing is then stored or read back)."""
    try:
        return f"{zlib.crc32(Path(__file__).read_bytes()):08x}"
    except OSError:
        return ""


def palette_to_literal(labels: Labels, palette: Palette, page: str = PAGE, text: str = TEXT) -> str:
    """``palette`` as derived from these inputs, as a Python literal (``repr`` of a dict)
    to store between launches (read back with :func:`palette_from_literal`)."""
    return repr(
        {
            "algorithm": algorithm_id(),
            "inputs": (labels, page, text),
            "labels": [[p.name, p.color, p.fill, p.band] for p in palette.labels],
            "selection": [palette.selection, palette.selection_text],
            "warnings": list(palette.warnings),
        }
    )


def palette_from_literal(
    data: object, labels: Labels, page: str = PAGE, text: str = TEXT
) -> Palette | None:
    """The palette stored by :func:`palette_to_literal`, if ``data`` holds one derived by
    this version of the rules from exactly these inputs; None otherwise (other label
    colours or rules, or text that is not a well-formed palette). Read by
    ``ast.literal_eval``, which a window's start has loaded already (PySide's signature
    support imports it), not by ``json``."""
    import ast

    try:
        d = ast.literal_eval(data) if isinstance(data, str) else None
        algorithm = algorithm_id()
        if not isinstance(d, dict) or not algorithm or d.get("algorithm") != algorithm:
            return None
        if d.get("inputs") != (labels, page, text):
            return None
        paints = tuple(LabelPaint(*_hexes(row, 4, 2)) for row in d["labels"])
        selection, selection_text = _hexes(d["selection"], 2, 0)
        warnings = d["warnings"]
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            return None
    except (ValueError, TypeError, KeyError, SyntaxError, MemoryError, RecursionError):
        return None
    if [(p.name, p.color) for p in paints] != [tuple(lab) for lab in labels]:
        return None
    return Palette(paints, selection, selection_text, tuple(warnings))


def _hexes(row: object, length: int, skip: int) -> list[str]:
    """``row``: a list of ``length`` strings, all colours ``#rrggbb`` after the first
    ``skip`` (else ValueError)."""
    if not isinstance(row, list) or len(row) != length or not all(isinstance(v, str) for v in row):
        raise ValueError("not a palette row")
    for v in row[skip:]:  # (int(v, 16) would take "-", "+", "_" and spaces)
        if len(v) != 7 or v[0] != "#" or v[1:].strip("0123456789abcdefABCDEF"):
            raise ValueError(f"not a colour: {v!r}")
    return row


@lru_cache(maxsize=16)
def _derive_palette(labels: Labels, page: str, text: str) -> Palette:
    page_rgb, text_rgb = parse_hex(page), parse_hex(text)
    colors = dict(labels)
    seen = _Seen()
    paints: list[LabelPaint] = []
    bands: list[RGB] = []
    fills: list[RGB] = []
    for name, color in colors.items():
        L, c, h = lch(srgb_to_lab(parse_hex(color)))
        band_options = (
            _visible_band(from_lch(min(95.0, max(5.0, L + dl)), c, h + dh), page_rgb)
            for dl, dh in _SHIFTS
        )
        band = seen.pick(band_options, bands, LABEL_MIN_DE)
        fill_options = (
            label_fill(from_lch(L, c, h + dh), lightness, text_rgb)
            for lightness in (FILL_L, 87.0, FILL_L_ALT)
            for dh in (0, -15, 15, -30, 30)
        )
        fill = seen.pick(fill_options, fills, FILL_MIN_DE)
        bands.append(band)
        fills.append(fill)
        paints.append(LabelPaint(name, color, to_hex(fill), to_hex(band)))
    selection, apart = _choose_selection(fills + bands, text_rgb, seen)
    warnings = warning_lines(colors)
    if apart < SELECTION_MIN_DE:
        warnings.append(
            f"no selection colour is CIEDE2000 {SELECTION_MIN_DE:.0f} from every label's"
            f" fill and band for every vision (the best, {to_hex(selection)}, is"
            f" {apart:.1f}); fewer or more different label colours would help"
        )
    return Palette(tuple(paints), to_hex(selection), text, tuple(warnings))
