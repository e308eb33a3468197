"""Agreement from per-document sufficient statistics (bounded memory) gives exactly, bit for
bit, the values of the corpus-level functions, intervals included (same seeded draws); the
faster resampling paths give exactly what the loops they replaced gave."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.agreement import f1_pairs, pairwise_f1, per_document, token_alpha, unitizing_alpha
from annotator.agreement.bootstrap import _draws
from annotator.agreement.spans import (
    MODES,
    _token_mask,
    _TokenSetAlpha,
    _UnitizingAlpha,
)
from annotator.agreement.streaming import SpanAgreement
from annotator.corpus import RawDocument
from annotator.ingest import import_documents
from annotator.reliability import compute_agreement
from annotator.store import Store

LABELS = ("a", "b", "c")
CODERS = ("ana", "ben", "cy")


def make_corpus(seed: int, n_docs: int, n_coders: int, max_spans: int, max_len: int):
    """Random documents: tokens with gaps, each coder present or not, spans that overlap,
    nest, touch, are empty or cover the text; lengths 0 .. max_len."""
    rng = random.Random(seed)
    coders = list(CODERS[:n_coders])
    docs, tokens, lengths = {}, {}, {}
    for d in range(n_docs):
        length = rng.choice([0, 1, rng.randint(0, max_len), max_len])
        toks, pos = [], 0
        while pos < length:
            start = pos + rng.choice([0, 0, 1, 2])
            end = min(length, start + rng.randint(1, 6))
            if start >= length:
                break
            toks.append((start, end))
            pos = end
        doc = {}
        for c in coders:
            if rng.random() < 0.2:
                continue  # this coder did not annotate this document
            spans = []
            for _ in range(rng.randint(0, max_spans)):
                a, b = sorted((rng.randint(0, length), rng.randint(0, length)))
                spans.append((a, b, rng.choice(LABELS)))
            if length and rng.random() < 0.1:
                spans.append((0, length, "a"))
            doc[c] = spans
        if doc:
            docs[1000 + d] = doc
            tokens[1000 + d], lengths[1000 + d] = toks, length
    return coders, docs, tokens, lengths


def stream(coders, docs, tokens, lengths):
    acc = SpanAgreement(coders, LABELS)
    per = {}
    for d, doc in docs.items():
        toks = None
        if len(doc) >= 2:
            toks = (np.array([s for s, _ in tokens[d]]), np.array([e for _, e in tokens[d]]))
        per[d] = acc.add(d, doc, toks, lengths[d])
    return acc, per


corpora = st.builds(
    make_corpus,
    seed=st.integers(0, 2**32 - 1),
    n_docs=st.integers(1, 9),
    n_coders=st.integers(1, 3),
    max_spans=st.integers(0, 6),
    max_len=st.integers(1, 80),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=corpora, seed=st.integers(0, 5))
def test_streaming_equals_the_corpus_functions_bit_for_bit(corpus, seed):
    coders, docs, tokens, lengths = corpus
    acc, per = stream(coders, docs, tokens, lengths)
    # the report passes the tokens of the documents two or more coders annotated
    multi = {d: tokens[d] for d, doc in docs.items() if len(doc) >= 2}
    blocks = [None, *LABELS]
    tok = acc.token_alphas(blocks, bootstrap=30, seed=seed)
    alpha_u = acc.unitizing_alphas(blocks, bootstrap=30, seed=seed)
    for label in blocks:
        for mode in MODES:
            assert acc.f1_pairs(mode, label) == f1_pairs(docs, mode, label, coders)
            assert acc.f1(mode, label) == pairwise_f1(docs, mode, label, coders)
        assert tok[label] == token_alpha(docs, multi, label, bootstrap=30, seed=seed)
        # α_U: the coders who annotated a document (one who annotated none is not counted)
        assert alpha_u[label] == unitizing_alpha(docs, lengths, label, bootstrap=30, seed=seed)
    assert per == per_document(docs, tokens_per_doc=multi, lengths=lengths, coders=coders)


def weights(n_docs: int, seed: int, n: int = 20):
    """The bootstrap's own multiplicities, plus all-ones and sparse ones."""
    out = [np.bincount(idx, minlength=n_docs) for idx in _draws(n_docs, n, seed)]
    rng = np.random.default_rng(seed)
    out.append(np.ones(n_docs, dtype=np.int64))
    out.append((rng.random(n_docs) < 0.2).astype(np.int64) * rng.integers(1, 4, n_docs))
    return out


def old_token_set_value(data: _TokenSetAlpha, w):
    """The resampling loop this replaced: a Counter of categories per document, summed in
    document order over the documents drawn."""
    weights_ = np.ones(len(data.doc_ids)) if w is None else np.asarray(w, dtype=float)
    n = float(weights_ @ data.n)
    same = float(weights_ @ data.same)
    if n == 0:
        return None
    doc, key, count, _ = data._entry_arrays()
    category = {k: cat for cat, k in data.keys.items()}
    per_doc = [Counter() for _ in data.doc_ids]
    for d, k, c in zip(doc.tolist(), key.tolist(), count.tolist(), strict=True):
        per_doc[d][category[k]] += int(c)
    totals: Counter = Counter()
    for wt, doc_totals in zip(weights_, per_doc, strict=True):
        if wt:
            for cat, c in doc_totals.items():
                totals[cat] += wt * c
    d_e = n * n - sum(c * c for c in totals.values())
    if d_e <= 0:
        return None
    return 1.0 - (n - 1.0) * (n - same) / d_e


@settings(max_examples=100, deadline=None)
@given(corpus=corpora, seed=st.integers(0, 2**16))
def test_token_set_alpha_resampling_equals_the_per_document_loop(corpus, seed):
    _coders, docs, tokens, _lengths = corpus
    data = _TokenSetAlpha(docs, tokens, None)
    for w in [None, *weights(len(data.doc_ids), seed)]:
        assert data.at(w).value == old_token_set_value(data, w)


@settings(max_examples=100, deadline=None)
@given(corpus=corpora, seed=st.integers(0, 2**16))
def test_alpha_u_suffix_sums_per_length_equal_the_gap_by_gap_sums(corpus, seed):
    coders, docs, _tokens, lengths = corpus
    if len(coders) < 2:  # α_U needs two coders
        return
    for label in LABELS:
        fast = _UnitizingAlpha(docs, lengths, label, coders)
        slow = _UnitizingAlpha(docs, lengths, label, coders)
        slow._gap_total = float("inf")  # forces the ascending gap-by-gap cumulative sums
        for w in [None, *weights(len(fast.doc_ids), seed)]:
            assert fast.parts(w) == slow.parts(w)


def old_token_mask(starts, ends, spans):
    """The mask as computed before (np.add.at)."""
    diff = np.zeros(len(starts) + 1, dtype=np.int64)
    if spans:
        sp = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        sp = sp[sp[:, 1] > sp[:, 0]]
        first = np.searchsorted(ends, sp[:, 0], side="right")
        last = np.searchsorted(starts, sp[:, 1], side="left")
        ok = first < last
        np.add.at(diff, first[ok], 1)
        np.add.at(diff, last[ok], -1)
    return (np.cumsum(diff[:-1]) > 0).astype(np.int64)


@given(corpus=corpora)
def test_token_mask_equals_the_add_at_version(corpus):
    _coders, docs, tokens, _lengths = corpus
    for d, doc in docs.items():
        bounds = np.asarray(tokens[d], dtype=np.int64).reshape(-1, 2)
        for spans in doc.values():
            pairs = [(s, e) for s, e, _ in spans]
            got = _token_mask(bounds[:, 0], bounds[:, 1], pairs)
            assert got.dtype == np.int64
            assert np.array_equal(got, old_token_mask(bounds[:, 0], bounds[:, 1], pairs))


# --- the report from a real database, against the way it was computed before ------------

STORE_LABELS = ("alarmist", "skeptical_of_alliance", "policy_prescription")


def old_span_report(store: Store, coders: list[str], bootstrap: int, seed: int) -> dict:
    """What compute_agreement computed before it streamed: every document's spans and
    tokens read into dictionaries, then the corpus-level functions."""
    from annotator.reliability import _num

    wanted = set(coders)
    spans, tokens, lengths = {}, {}, {}
    for summary in store.list_documents():
        coded = {}
        for coder, (state, _secs) in store.statuses(summary.id).items():
            if coder in wanted and state != "new":
                coded.setdefault(coder, [])
        for s in store.spans(summary.id):
            if s.coder in wanted:
                coded.setdefault(s.coder, []).append((s.start, s.end, s.label))
        for dl in store.all_doc_labels(summary.id):
            if dl.coder in wanted:
                coded.setdefault(dl.coder, [])
        if not coded:
            continue
        spans[summary.id], lengths[summary.id] = coded, summary.length
        if len(coded) >= 2:
            tok = store.tokenization(summary.id)
            tokens[summary.id] = [
                (a, b)
                for i, (a, b) in enumerate(zip(tok.token_starts, tok.token_ends, strict=True))
                if i not in tok.space_tokens
            ]
    out = {}
    for label in (None, *STORE_LABELS):
        tok = token_alpha(spans, tokens, label, bootstrap=bootstrap, seed=seed)
        au = unitizing_alpha(spans, lengths, label, bootstrap=bootstrap, seed=seed)
        out[label] = {
            "f1_exact": _num(pairwise_f1(spans, "exact", label, coders)),
            "f1_overlap": _num(pairwise_f1(spans, "overlap", label, coders)),
            "alpha_token": _num(tok),
            "alpha_u": _num(au),
            "alpha_token_ci": None if tok.ci is None else (tok.ci.lo, tok.ci.hi),
            "alpha_u_ci": None if au.ci is None else (au.ci.lo, au.ci.hi),
            "f1_pairs": {k: _num(v) for k, v in f1_pairs(spans, "overlap", label, coders).items()},
        }
    per = per_document(spans, tokens_per_doc=tokens, lengths=lengths, coders=coders)
    docs = {
        d: (_num(a.f1_exact), _num(a.f1_overlap), _num(a.token_alpha), _num(a.unitizing_alpha))
        for d, a in per.items()
    }
    return {"blocks": out, "documents": docs, "n": len(spans)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_docs=st.integers(1, 6))
def test_report_equals_the_dictionary_computation_it_replaced(tmp_path_factory, seed, n_docs):
    rng = random.Random(seed)
    words = "Kim visits  Moscow to sign a pact.\n\nXi watches warily from Beijing; allies fret."
    with Store(tmp_path_factory.mktemp("agree") / "a.db") as store:
        texts = [" ".join(rng.sample(words.split(" "), 8)) + f" {i}." for i in range(n_docs)]
        ids = import_documents(store, [RawDocument(t, f"t{i}") for i, t in enumerate(texts)]).added
        for doc_id in ids:
            tok = store.tokenization(doc_id)
            for coder in ("ana", "ben", "cy"):
                if rng.random() < 0.25:
                    continue
                if rng.random() < 0.2:
                    store.set_status(doc_id, coder, "done")  # coded, found nothing
                    continue
                for _ in range(rng.randint(0, 4)):
                    i = rng.randrange(len(tok.token_starts))
                    j = min(len(tok.token_starts) - 1, i + rng.randint(0, 3))
                    store.add_span(
                        doc_id,
                        coder,
                        tok.token_starts[i],
                        tok.token_ends[j],
                        rng.choice(STORE_LABELS),
                    )
                if rng.random() < 0.5:
                    store.set_doc_label(
                        doc_id, coder, "dominant_frame", rng.choice(["alarmist", "none"])
                    )
        coders = store.coders()
        report = compute_agreement(store, bootstrap=40, seed=seed % 7).to_dict()
        old = old_span_report(store, coders, 40, seed % 7)
    assert report["n_documents"] == old["n"]
    blocks = {None: report["spans"]["overall"], **report["spans"]["by_label"]}
    for label, want in old["blocks"].items():
        got = blocks[label]
        for key in ("f1_exact", "f1_overlap", "alpha_token", "alpha_u", "f1_pairs"):
            assert got[key] == want[key], (label, key)
        for key in ("alpha_token_ci", "alpha_u_ci"):
            lo_hi = want[key]
            expected = None if lo_hi is None or lo_hi[0] is None else [round(x, 6) for x in lo_hi]
            assert got[key] == expected, (label, key)
    rows = {
        r["doc_id"]: (r["f1_exact"], r["f1_overlap"], r["alpha_token"], r["alpha_u"])
        for r in report["documents"]
    }
    assert rows == old["documents"]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40_000), seed=st.integers(0, 2**16))
def test_np_dot_gives_the_same_sums_as_the_matmul_operator_it_replaced(n, seed):
    """The statistics' weighted sums use ``np.dot`` (``@`` on vectors can be a thousand
    times slower where BLAS threads wait for a busy CPU); the values are the same."""
    rng = np.random.default_rng(seed)
    w = np.bincount(rng.integers(0, max(n, 1), n), minlength=n)  # the bootstrap's weights
    x = rng.random(n) * 10.0 ** rng.integers(-3, 9)
    assert np.dot(w, x) == w @ x
    assert np.dot(w.astype(float), x) == w.astype(float) @ x
    assert np.dot(x, x) == x @ x
