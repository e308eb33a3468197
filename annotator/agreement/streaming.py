"""Span agreement of a whole corpus, fed one document at a time.

:class:`SpanAgreement` keeps only per-document sufficient statistics (a few numbers per
document and label, and the lengths of α_U's units and gaps), never the documents'
spans or tokens, so memory grows with the corpus by a small constant per document. Its
values are exactly (bit for bit) those of the functions of :mod:`.spans` on the same
documents in the same order:

* ``f1(mode, label)`` / ``f1_pairs(mode, label)`` = :func:`.spans.pairwise_f1` /
  :func:`.spans.f1_pairs` with ``coders``;
* ``token_alpha(label)`` = :func:`.spans.token_alpha` with ``coders=None`` (every coder
  seen; feed only the coders wanted);
* ``unitizing_alpha(label)`` = :func:`.spans.unitizing_alpha` with ``coders=None``:
  on the documents annotated by every coder who annotated any (a coder of ``coders`` who
  annotated none of the documents is not one of them; :attr:`SpanAgreement.active`);
* :meth:`SpanAgreement.add` returns the document's own
  :class:`~.per_document.DocumentAgreement` (what :func:`.per_document.per_document` gives).

The bootstrap resamples documents with the same seeded draws as the functions, summing
the per-document statistics with the multiplicities of the draw (:func:`.bootstrap.weighted_cis`);
every label's interval and the overall one are taken from one pass over the draws.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np

from .bootstrap import weighted_cis
from .nominal import pair_key
from .per_document import DocumentAgreement
from .result import Interval, Stat, undefined
from .spans import (
    MODES,
    Span,
    _check_mode,
    _combine_alpha_u,
    _DocMasks,
    _f1,
    _label_parts,
    _max_overlap_matching,
    _mean_over_pairs,
    _pieces,
    _single_parts,
    _TokenAlpha,
    _TokenSetAlpha,
    _UnitizingAlpha,
    _units,
    only_every_coder,
)

NO_SHARED = "no document annotated by both {x} and {y}"


class SpanAgreement:
    """Accumulates span agreement over documents added in order with :meth:`add`.

    ``coders``: the coders considered (pairs for F1, "every coder" for α_U); ``labels``:
    every label a span may have (a span with another label is an error). With ``tokens``
    each document's token α is computed (a document that fewer than two coders annotated
    needs no tokens); with ``lengths`` its α_U.
    """

    def __init__(
        self,
        coders: Sequence[str],
        labels: Iterable[str],
        *,
        tokens: bool = True,
        lengths: bool = True,
    ):
        self.with_tokens, self.with_lengths = tokens, lengths
        self.names = sorted(coders, key=str)
        self.labels = sorted(set(labels))
        self.pairs = list(combinations(self.names, 2))
        self.seen: set[str] = set()  # labels of the spans added
        self.n_docs = 0
        self._shared = dict.fromkeys(self.pairs, 0)
        # [mode][label][pair] -> [tp, fp, fn]
        self._f1 = {
            mode: {lab: {p: [0, 0, 0] for p in self.pairs} for lab in self.labels} for mode in MODES
        }
        self._tok = {lab: _TokenAlpha(None, None, lab, None) for lab in self.labels}
        self._tokset = _TokenSetAlpha(None, None, None)
        # α_U's pieces of each document, by the coders (two or more) who annotated it: the
        # corpus value takes the documents annotated by every coder who annotated any
        # (:meth:`_finish`), so a coder who annotated nothing does not leave it undefined
        self._unit_by: dict[tuple[str, ...], dict[str, _UnitizingAlpha]] = {}
        self._unit: dict[str, _UnitizingAlpha] = {}
        self.active: tuple[str, ...] = ()  # the coders who annotated a document (in order)
        self._annotated: set[str] = set()
        self._docs_annotated = 0  # documents with at least one of the coders
        self._finished = False

    # ------------------------------------------------------------------ feeding

    def add(
        self,
        doc_id: Hashable,
        doc: Mapping[str, Iterable[Span]],
        tokens: tuple[Sequence[int] | np.ndarray, Sequence[int] | np.ndarray] | None = None,
        length: int | None = None,
    ) -> DocumentAgreement:
        """Add one document: ``doc`` maps each coder who annotated it to their spans,
        ``tokens`` are its (non-whitespace) tokens' start and end offsets in order (only
        needed when two coders or more annotated it), ``length`` its length in characters.
        Returns the document's own agreement."""
        if self._finished:
            raise RuntimeError("documents were added after the results were read")
        self.n_docs += 1
        coded = {c: [(int(s), int(e), lab) for s, e, lab in spans] for c, spans in doc.items()}
        for c, spans in coded.items():
            for *_, lab in spans:
                if lab not in self._tok:
                    raise ValueError(f"label {lab!r} is not one of {self.labels}")
                if c in self.names:
                    self.seen.add(lab)
        by_label = {c: _group(spans) for c, spans in coded.items()}

        # F1: every pair, mode and label from one matching each
        doc_pairs: dict[str, dict[str, Stat]] = {mode: {} for mode in MODES}
        for x, y in self.pairs:
            if x not in coded or y not in coded:
                for mode in MODES:
                    doc_pairs[mode][pair_key(x, y)] = undefined(NO_SHARED.format(x=x, y=y))
                continue
            self._shared[x, y] += 1
            a, b = by_label[x], by_label[y]
            for mode in MODES:
                tp = fp = fn = 0
                counts = self._f1[mode]
                for lab in sorted(a.keys() | b.keys()):
                    sa, sb = a.get(lab, []), b.get(lab, [])
                    t = _matches(sa, sb, mode)
                    row = counts[lab][x, y]
                    row[0] += t
                    row[1] += len(sb) - t
                    row[2] += len(sa) - t
                    tp, fp, fn = tp + t, fp + len(sb) - t, fn + len(sa) - t
                value = _f1(tp, fp, fn)
                doc_pairs[mode][pair_key(x, y)] = (
                    Stat(value, n=1)
                    if value is not None
                    else undefined("neither coder marked a span of any label", 1)
                )

        # token α: the masks of each coder and label, once
        names = list(coded)
        masks = None
        if len(coded) >= 2 and tokens is not None and len(tokens[0]):
            masks = _DocMasks(list(coded.values()), *_as_bounds(tokens))
        for tok in self._tok.values():
            tok.add(doc_id, names, masks)
        self._tokset.add(doc_id, names, masks)
        if not coded:
            doc_tok = undefined("no annotations")
        elif len(coded) < 2:
            doc_tok = undefined("only one coder")
        else:
            doc_tok = self._tokset.last()

        # α_U: each label's units per coder, for the corpus and for this document alone
        doc_alpha_u = None
        if self.with_lengths:
            if length is None:
                raise ValueError(f"document {doc_id!r}: no length given")
            doc_alpha_u = self._add_unitizing(doc_id, coded, int(length))

        return DocumentAgreement(
            f1_exact=_mean_over_pairs(doc_pairs["exact"]),
            f1_overlap=_mean_over_pairs(doc_pairs["overlap"]),
            token_alpha=doc_tok if self.with_tokens else None,
            unitizing_alpha=doc_alpha_u,
        )

    def _add_unitizing(self, doc_id: Hashable, coded: dict[str, list[Span]], length: int) -> Stat:
        here = tuple(c for c in self.names if c in coded)  # as _all_coders orders them
        self._annotated.update(here)
        self._docs_annotated += bool(here)
        if not here:
            return undefined("no annotations")
        if len(here) < 2:
            return undefined("only one coder")
        present = sorted({lab for c in here for *_, lab in coded[c]})
        units = self._unit_by.get(here)
        if units is None:
            units = self._unit_by[here] = {
                lab: _UnitizingAlpha(None, None, lab, list(here)) for lab in self.labels
            }
        one = []
        m = len(here)
        for lab in self.labels:
            pieces = _pieces(length, [_units(coded[c], lab, length) for c in here])
            units[lab].add_pieces(doc_id, length, pieces)
            if lab in present and length:  # this document alone, as unitizing_alpha(it)
                one.append(_single_parts(length, m, pieces))
        if not present:
            return undefined("no spans")
        if length == 0:
            return undefined("the documents are empty", 1)
        return _combine_alpha_u(one, 1, None)

    # ------------------------------------------------------------------ results

    def _finish(self) -> None:
        if not self._finished:
            self.active = tuple(c for c in self.names if c in self._annotated)
            self._unit = self._unit_by.get(self.active) or {
                lab: _UnitizingAlpha(None, None, lab, list(self.active)) for lab in self.labels
            }
            for p in self._unit.values():
                p.finish()
            self._unit_by = {}  # the other coder sets' pieces are not needed any more
            self._finished = True

    def f1_pairs(self, mode: str = "exact", label: str | None = None) -> dict[str, Stat]:
        _check_mode(mode)
        out: dict[str, Stat] = {}
        for x, y in self.pairs:
            shared = self._shared[x, y]
            key = pair_key(x, y)
            if shared == 0:
                out[key] = undefined(NO_SHARED.format(x=x, y=y))
                continue
            labels = self.labels if label is None else [label]
            tp = fp = fn = 0
            for lab in labels:
                row = self._f1[mode][lab][x, y] if lab in self._f1[mode] else [0, 0, 0]
                tp, fp, fn = tp + row[0], fp + row[1], fn + row[2]
            if (value := _f1(tp, fp, fn)) is None:
                what = f"label {label!r}" if label is not None else "any label"
                out[key] = undefined(f"neither coder marked a span of {what}", shared)
            else:
                out[key] = Stat(value, n=shared)
        return out

    def f1(self, mode: str = "exact", label: str | None = None) -> Stat:
        return _mean_over_pairs(self.f1_pairs(mode, label))

    def _token_data(self, label: str | None) -> _TokenAlpha | _TokenSetAlpha:
        return self._tokset if label is None else self._tok[label]

    def token_alpha(
        self, label: str | None, *, bootstrap: int = 0, seed: int = 0, confidence: float = 0.95
    ) -> Stat:
        return self.token_alphas([label], bootstrap=bootstrap, seed=seed, confidence=confidence)[
            label
        ]

    def token_alphas(
        self,
        labels: Sequence[str | None],
        *,
        bootstrap: int = 0,
        seed: int = 0,
        confidence: float = 0.95,
    ) -> dict[str | None, Stat]:
        """Token α of several labels (``None``: overall); their intervals share the draws."""
        out: dict[str | None, Stat] = {}
        coders = self._tokset.coders
        for label in labels:
            if not coders:
                out[label] = undefined("no annotations")
            elif len(coders) < 2:
                out[label] = undefined("only one coder")
            else:
                out[label] = self._token_data(label).at()
        defined = [lab for lab in labels if out[lab].defined]
        if bootstrap and defined:
            data = {lab: self._token_data(lab) for lab in defined}
            cis = weighted_cis(
                self.n_docs,
                lambda w: {lab: d.at(w).value for lab, d in data.items()},
                defined,
                bootstrap,
                seed,
                confidence,
            )
            out.update({lab: _with_ci(out[lab], cis[lab]) for lab in defined})
        return out

    def unitizing_alpha(
        self, label: str | None, *, bootstrap: int = 0, seed: int = 0, confidence: float = 0.95
    ) -> Stat:
        return self.unitizing_alphas(
            [label], bootstrap=bootstrap, seed=seed, confidence=confidence
        )[label]

    def _unitizing_prepared(self, label: str | None) -> tuple[list[_UnitizingAlpha], Stat | None]:
        if label is not None and label not in self._tok:
            raise ValueError(f"label {label!r} is not one of {self.labels}")
        if not self.active:
            return [], undefined("no annotations")
        if len(self.active) < 2:
            return [], undefined("only one coder")
        labels = sorted(self.seen) if label is None else [label]
        if not labels:
            return [], undefined("no spans")
        prepared = [self._unit[lab] for lab in labels]
        if not prepared[0].doc_ids:
            return [], undefined("no document annotated by every coder")
        if prepared[0].length.sum() == 0:
            return [], undefined("the documents are empty", len(prepared[0].doc_ids))
        return prepared, None

    def unitizing_alphas(
        self,
        labels: Sequence[str | None],
        *,
        bootstrap: int = 0,
        seed: int = 0,
        confidence: float = 0.95,
    ) -> dict[str | None, Stat]:
        """α_U of several labels (``None``: overall); their intervals share the draws and
        each label's pieces are computed once per draw."""
        self._finish()
        out: dict[str | None, Stat] = {}
        prepared: dict[str | None, list[_UnitizingAlpha]] = {}
        for label in labels:
            prep, bad = self._unitizing_prepared(label)
            if bad is not None:
                out[label] = bad
                continue
            prepared[label] = prep
            out[label] = only_every_coder(
                _combine_alpha_u(
                    (_label_parts(p, None) for p in prep), len(prep[0].doc_ids), label
                ),
                len(prep[0].doc_ids),
                self._docs_annotated,
            )
        defined = [lab for lab in prepared if out[lab].defined]
        if bootstrap and defined:
            n_docs = len(prepared[defined[0]][0].doc_ids)

            def values(w: np.ndarray) -> Mapping[Hashable, float | None]:
                cache: dict[int, tuple[float, ...]] = {}
                result: dict[Hashable, float | None] = {}
                for lab in defined:
                    parts = []
                    for p in prepared[lab]:
                        if id(p) not in cache:
                            cache[id(p)] = _label_parts(p, w)
                        parts.append(cache[id(p)])
                    result[lab] = _combine_alpha_u(parts, n_docs, lab).value
                return result

            cis = weighted_cis(n_docs, values, defined, bootstrap, seed, confidence)
            out.update({lab: _with_ci(out[lab], cis[lab]) for lab in defined})
        return out


def _group(spans: list[Span]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, e, lab in spans:
        out[lab].append((s, e))
    return out


def _matches(a: list[tuple[int, int]], b: list[tuple[int, int]], mode: str) -> int:
    if not a or not b:
        return 0
    if mode == "exact":
        return sum((Counter(a) & Counter(b)).values())
    return _max_overlap_matching(a, b)


def _as_bounds(
    tokens: tuple[Sequence[int] | np.ndarray, Sequence[int] | np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    starts = np.asarray(tokens[0], dtype=np.int64)
    ends = np.asarray(tokens[1], dtype=np.int64)
    if len(starts) > 1 and not (np.all(starts[1:] >= starts[:-1])):
        order = np.lexsort((ends, starts))
        starts, ends = starts[order], ends[order]
    return starts, ends


def _with_ci(stat: Stat, ci: Interval) -> Stat:
    return Stat(stat.value, stat.reason, stat.n, ci)
