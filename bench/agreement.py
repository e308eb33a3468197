"""Agreement statistics at scale.

1. Document-field Krippendorff's alpha on 5,000 documents x 5 coders with missing values,
   against nltk's ``AnnotationTask.alpha`` on the same data in the same run (ratio). Both
   start from the same ``(coder, unit, value)`` triples, so each side's time includes
   arranging them as it needs (ours: ``{unit: {coder: value}}``, nltk: its constructor),
   the same value is asserted, and which goes first alternates.
2. All span metrics (pairwise F1 exact and overlap, token alpha, unitizing alpha; overall
   and per label) on 500, 1,000 and 2,000 documents x 3 coders x 30 spans: the time and
   how it grows (about linear is the goal). Each repeat runs the three sizes in a rotated
   order, so a change in the machine's load does not fall on one size.
3. Against the numpy ``krippendorff`` package (issue 16's reference, target ratio at most
   1.0x): document-field alpha on 2,000 documents x 3 coders (20 % missing) and token-level
   alpha of one label on 2,000 documents x 3 coders x 1,000 tokens. The same value is
   asserted, and which goes first alternates. For the document field, each side is timed
   on the input it reads, made ready from the same per-document ``{coder: value}`` dicts
   and not timed: the package on its coder x unit matrix of codes, ours on the
   ``FieldUnits`` the agreement report collects (``annotator.reliability`` adds each
   document's values as it reads them; the values are coded as they are added). That is
   the target's figure. Beside it the bench prints what making each input costs from the
   same dicts (both untimed above), the two end to end, and ours from plain dicts (coding
   inside the timed call), so that nothing is hidden by where the line is drawn. For the
   token alpha the package gets its matrix ready made and ours starts from spans and
   token bounds (its masks are inside our time: the stricter comparison).

    python bench/agreement.py [--repeat 3]  (needs nltk and krippendorff: pip install -e '.[test]')
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

# as `annotator agreement` does (annotator/cli/analysis.py, one_blas_thread): before numpy loads
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from annotator.agreement import (  # noqa: E402
    FieldUnits,
    krippendorff_alpha,
    pairwise_f1,
    token_alpha,
    unitizing_alpha,
)

LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")


def field_units(n_docs: int, coders: int, seed: int) -> dict:
    rng = random.Random(seed)
    options = ["alarmist", "skeptical", "policy", "none"]
    units = {}
    for d in range(n_docs):
        truth = rng.choice(options)
        units[d] = {
            f"c{c}": truth if rng.random() < 0.7 else rng.choice(options)
            for c in range(coders)
            if rng.random() > 0.2  # 20 % missing
        }
    return units


def span_docs(n_docs: int, seed: int):
    rng = random.Random(seed)
    docs, lengths, tokens = {}, {}, {}
    length = 5000
    toks = [(i, i + 4) for i in range(0, length, 5)]  # the same for every document
    for d in range(n_docs):
        truth = []
        for _ in range(30):
            a = rng.randrange(0, length - 200, 5)
            truth.append((a, a + rng.randrange(10, 200, 5) - 1, rng.choice(LABELS)))
        docs[d] = {
            c: [
                (a + rng.choice((0, 0, 5)), b, lab)
                if rng.random() < 0.85
                else (a, b, rng.choice(LABELS))
                for a, b, lab in truth
                if rng.random() < 0.9
            ]
            for c in ("ana", "ben", "cy")
        }
        lengths[d], tokens[d] = length, toks
    return docs, lengths, tokens


def units_from(data: list[tuple[str, str, str]]) -> dict:
    units: dict = {}
    for coder, unit, value in data:
        units.setdefault(unit, {})[coder] = value
    return units


def all_span_metrics(docs, lengths, tokens) -> None:
    for label in (None, *LABELS):
        pairwise_f1(docs, "exact", label)
        pairwise_f1(docs, "overlap", label)
        token_alpha(docs, tokens, label)
        unitizing_alpha(docs, lengths, label)


def _median_pair(repeat: int, ours, theirs, inner: int = 1) -> tuple[float, float, float, float]:
    """Median times of ``ours()`` and ``theirs()`` (alternating which goes first; each
    sample the mean of ``inner`` calls) and the values of the last run of each."""
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    got: dict[str, float] = {}
    for run in range(repeat):
        for side in ("ours", "theirs") if run % 2 == 0 else ("theirs", "ours"):
            fn = ours if side == "ours" else theirs
            t0 = time.perf_counter()
            for _ in range(inner):
                got[side] = fn()
            times[side].append((time.perf_counter() - t0) / inner)
    return (
        statistics.median(times["ours"]),
        statistics.median(times["theirs"]),
        got["ours"],
        got["theirs"],
    )


def against_krippendorff(repeat: int) -> None:
    """Section 3 of the module's doc."""
    import krippendorff
    import numpy as np

    from annotator.agreement.spans import _token_bounds, _token_mask

    units = field_units(2000, 3, 1)

    def package_matrix(units: dict) -> np.ndarray:
        """The package's input from per-document dicts: coders x units, values coded."""
        rows: dict[str, int] = {}
        codes: dict = {}
        cols = []
        for unit in units.values():
            col = {}
            for c, v in unit.items():
                col[rows.setdefault(c, len(rows))] = codes.setdefault(v, len(codes))
            cols.append(col)
        matrix = np.full((len(rows), len(cols)), np.nan)
        for j, col in enumerate(cols):
            for r, code in col.items():
                matrix[r, j] = code
        return matrix

    matrix = package_matrix(units)
    coded = FieldUnits(units.items())

    def package() -> float:  # the package on its ready matrix, the baseline of both ratios
        return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")

    o, t, a, b = _median_pair(repeat, lambda: krippendorff_alpha(coded).value, package, inner=50)
    assert abs(a - b) < 1e-9, (a, b)
    print("field alpha, 2000 docs x 3 coders (20% missing), each on its ready input:")
    print(f"  ours (FieldUnits, as the report collects them) {o * 1000:.2f} ms,")
    print(f"  krippendorff.alpha (coder x unit matrix) {t * 1000:.2f} ms; same value ({a:.6f})")
    print(f"  ratio {o / t:.2f}x (target <= 1.0x)")
    po, pt, _, _ = _median_pair(
        repeat, lambda: len(FieldUnits(units.items())), lambda: len(package_matrix(units)), inner=5
    )
    print(f"  making the input from the same dicts: FieldUnits {po * 1000:.2f} ms, the matrix")
    print(f"  {pt * 1000:.2f} ms; end to end ours {(po + o) * 1000:.2f} ms, package")
    print(f"  {(pt + t) * 1000:.2f} ms, ratio {(po + o) / (pt + t):.2f}x")
    d, t2, a2, _ = _median_pair(repeat, lambda: krippendorff_alpha(units).value, package, inner=50)
    assert abs(a2 - b) < 1e-9, (a2, b)
    print(f"  ours from plain dicts (coding inside the call) {d * 1000:.2f} ms: ratio to the")
    print(f"  package on its ready matrix {d / t2:.2f}x")

    docs, _lengths, tokens = span_docs(2000, 3)
    label = LABELS[0]
    cols = []
    for d, by_coder in docs.items():
        starts, ends = _token_bounds(tokens[d])
        cols.append(
            np.stack(
                [
                    _token_mask(starts, ends, [(s, e) for s, e, lab in by_coder[c] if lab == label])
                    for c in ("ana", "ben", "cy")
                ]
            )
        )
    tmatrix = np.concatenate(cols, axis=1).astype(float)
    o, t, a, b = _median_pair(
        repeat,
        lambda: token_alpha(docs, tokens, label).value,
        lambda: krippendorff.alpha(
            reliability_data=tmatrix, level_of_measurement="nominal", value_domain=[0.0, 1.0]
        ),
    )
    assert abs(a - b) < 1e-9, (a, b)
    print(f"token alpha ({label}), 2000 docs x 3 coders x {tmatrix.shape[1] // 2000} tokens:")
    print(f"  ours {o * 1000:.1f} ms, krippendorff.alpha {t * 1000:.1f} ms; same value")
    print(f"  ({a:.6f}); ratio {o / t:.2f}x (ours includes the token masks, the package not)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    against_krippendorff(max(args.repeat, 5))
    from nltk.metrics.agreement import AnnotationTask

    units = field_units(5000, 5, 0)
    data = [(c, str(u), v) for u, unit in units.items() for c, v in unit.items()]
    ours, theirs = [], []
    for run in range(args.repeat):
        for side in ("ours", "nltk") if run % 2 == 0 else ("nltk", "ours"):
            t0 = time.perf_counter()
            if side == "ours":
                a = krippendorff_alpha(units_from(data)).value
                ours.append(time.perf_counter() - t0)
            else:
                b = AnnotationTask(data=data).alpha()
                theirs.append(time.perf_counter() - t0)
        assert abs(a - b) < 1e-9, (a, b)
    o, t = statistics.median(ours), statistics.median(theirs)
    print(f"field alpha, 5000 docs x 5 coders (20% missing): ours {o * 1000:.1f} ms,")
    print(f"  nltk AnnotationTask(...).alpha() {t * 1000:.1f} ms; same value ({a:.6f})")
    print(f"ratio: {t / o:.1f}x faster than nltk (median of {args.repeat}, alternating)")

    sizes = (500, 1000, 2000)
    data_by_size = {n: span_docs(n, n) for n in sizes}
    runs: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(args.repeat):
        for n in sizes[r % 3 :] + sizes[: r % 3]:
            t0 = time.perf_counter()
            all_span_metrics(*data_by_size[n])
            runs[n].append(time.perf_counter() - t0)
    times = {n: statistics.median(runs[n]) for n in sizes}
    for n in sizes:
        print(f"span metrics, {n} docs x 3 coders x 30 spans: {times[n]:.2f} s")
    print(
        f"growth 500 -> 2000 documents (4x): {times[2000] / times[500]:.2f}x time"
        f" (linear would be 4.0x)"
    )


if __name__ == "__main__":
    main()
