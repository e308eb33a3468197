"""``annotator train`` (issue 15): a spaCy pipeline trained on this project's own labels.

What it learns from (``source``):

- ``gold``: the adjudicated gold layer, on every document where gold holds a span or a
  field value (the gold layer has no status);
- ``agreed``: on every document at least two coders marked done, the spans all of those
  coders made identically (same start, end and label) and the field values all of them
  gave identically (a field one of them left empty is unknown there);
- a coder's name (or ``coder:NAME``, for a coder called ``gold`` or ``agreed``): that
  coder's labels on the documents they marked done.

Only documents marked done count for coders: in a document still in progress a missing
span is not yet a "no", while a done document without spans teaches that nothing is
there. A field's classifier learns only from documents whose value is known.

The reliability sample (``Store.reliability_documents``) is never held out for the
evaluation, and by default it is not trained on either, so the model can later be
compared with the coders there out of sample (``include_reliability`` trains on it; the
model's meta records it). The other documents are split by document, at random with the
seed: ``eval_split`` of them are held out, the rest trained on.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import text_hash
from .errors import AnnotatorError
from .learn import (
    DEFAULT_EPOCHS,
    META_KEY,
    TRAINED_ON,
    TrainDoc,
    check_model_dir,
    lang_of_pipeline,
    name_from_folder,
    save_pipeline,
    train_pipeline,
)
from .models import source_problem
from .paths import check_output
from .store import GOLD, Store

GOLD_SOURCE = "gold"
AGREED = "agreed"
CODER_PREFIX = "coder:"
MAX_EPOCHS = 1000


class TrainingError(AnnotatorError):
    """Too little data to train or evaluate, or a bad option; one line."""


def coded_by(
    store: Store, source: str
) -> tuple[str, dict[int, tuple[tuple[tuple[int, int, str], ...], dict[str, Any]]]]:
    """``(what, {doc_id: (spans, field values)})`` the source coded (see the module)."""
    if source.startswith(CODER_PREFIX):
        who: str | None = store.resolve_coders([source[len(CODER_PREFIX) :]])[0]
        what = f"coder {who}"
    elif source == GOLD_SOURCE:
        who, what = GOLD, "the gold layer"
    elif source == AGREED:
        who, what = None, "the spans and values every coder of a document agreed on"
    else:
        who = store.resolve_coders([source])[0]
        what = f"coder {who}"
    out: dict[int, tuple[tuple[tuple[int, int, str], ...], dict[str, Any]]] = {}
    for doc_id, _title, _length, states, spans, labels in store.iter_coding():
        if who == GOLD:
            mine = tuple((s, e, lab) for c, s, e, lab, *_ in spans if c == GOLD)
            values = {f: v for c, f, v, *_ in labels if c == GOLD}
            if mine or values:
                out[doc_id] = (mine, values)
        elif who is not None:
            if (who, "done") in states:
                mine = tuple((s, e, lab) for c, s, e, lab, *_ in spans if c == who)
                out[doc_id] = (mine, {f: v for c, f, v, *_ in labels if c == who})
        else:
            done = sorted({c for c, state in states if state == "done" and c != GOLD})
            if len(done) < 2:
                continue
            sets = [{(s, e, lab) for c, s, e, lab, *_ in spans if c == d} for d in done]
            agreed = tuple(sorted(set.intersection(*sets)))
            given: dict[str, dict[str, Any]] = {}
            for c, f, v, *_ in labels:
                if c in done:
                    given.setdefault(f, {})[c] = v if isinstance(v, str) else tuple(sorted(v))
            values = {
                f: next(iter(by.values()))
                for f, by in given.items()
                if len(by) == len(done) and len(set(by.values())) == 1
            }
            out[doc_id] = (agreed, values)
    return what, out


@dataclass(frozen=True)
class Plan:
    """Which documents :func:`train` trains on and holds out (sorted ids), and which
    coded documents are in the reliability sample."""

    what: str
    coded: dict[int, tuple[tuple[tuple[int, int, str], ...], dict[str, Any]]]
    train_ids: list[int]
    eval_ids: list[int]
    reliability_ids: list[int]


def plan(
    store: Store,
    source: str = GOLD_SOURCE,
    eval_split: float = 0.2,
    seed: int = 0,
    *,
    include_reliability: bool = False,
) -> Plan:
    """The split :func:`train` uses: the documents ``source`` coded outside the
    reliability sample, ``eval_split`` of them held out at random with ``seed``; the
    coded reliability-sample documents are added to the training ones only with
    ``include_reliability``, and are never held out. One-line errors when there is too
    little to train on or to hold out."""
    if not 0 <= eval_split < 1:
        raise TrainingError(f"--eval-split must be at least 0 and below 1, got {eval_split}")
    what, coded = coded_by(store, source)
    reliability = set(store.reliability_documents())
    pool = [d for d in coded if d not in reliability]
    in_sample = sorted(d for d in coded if d in reliability)
    if not coded:
        raise TrainingError(f"nothing to train on: {what} coded no document")
    if eval_split > 0 and len(pool) < 2:
        raise TrainingError(
            f"{what} coded {len(pool)} document(s) outside the reliability sample: at least 2"
            " are needed to hold one out for the evaluation (or give --eval-split 0)"
        )
    train_ids, eval_ids = _split(pool, eval_split, seed)
    if include_reliability:
        train_ids = sorted(train_ids + in_sample)
    if not train_ids:
        raise TrainingError(
            f"nothing to train on: the {len(in_sample)} document(s) {what} coded are all in"
            " the reliability sample (--include-reliability trains on them)"
        )
    return Plan(what, coded, train_ids, eval_ids, in_sample)


def _split(ids: list[int], eval_split: float, seed: int) -> tuple[list[int], list[int]]:
    """``(train, held out)``: ``round(len * eval_split)`` documents (at least one when
    ``eval_split`` > 0, and one fewer than all, so one is left to train on) drawn with
    the seed; both sorted."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    n_eval = round(len(order) * eval_split)
    if eval_split > 0:
        n_eval = max(0, min(max(1, n_eval), len(order) - 1))
    return sorted(order[n_eval:]), sorted(order[:n_eval])


def train(
    store: Store,
    out_dir: str | Path,
    source: str = GOLD_SOURCE,
    eval_split: float = 0.2,
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    progress: Callable[[int, float], None] | None = None,
    *,
    include_reliability: bool = False,
    name: str | None = None,
) -> dict[str, Any]:
    """Train a pipeline on ``source``'s labels, evaluate it on held-out documents and
    write it to ``out_dir`` (a new or empty folder; nothing is written anywhere else, and
    nothing at all when this raises). Returns the evaluation (the ``train --json`` object):
    ``n_train``, ``n_eval``, ``spans`` (precision, recall, F1 overall and ``by_label``),
    ``doc_fields`` (per field ``accuracy`` and ``macro_f1``) and how it was made."""
    started = time.monotonic()
    if not 0 <= eval_split < 1:
        raise TrainingError(f"--eval-split must be at least 0 and below 1, got {eval_split}")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise TrainingError(f"--epochs must be 1 to {MAX_EPOCHS}, got {epochs}")
    if name is None:
        name = name_from_folder(out_dir)
    problem = source_problem(name)
    if problem is not None:
        raise TrainingError(f"--name: {problem}")
    check_model_dir(out_dir)
    check_output(out_dir, folder=True, databases=[store])

    scheme = store.scheme
    span_labels = tuple(lab.name for lab in scheme.offered_labels)  # never a retired one
    doc_fields = {f.name: (f.kind, f.options) for f in scheme.doc_fields}
    split = plan(store, source, eval_split, seed, include_reliability=include_reliability)
    what, coded, in_sample = split.what, split.coded, split.reliability_ids

    def item(doc_id: int) -> TrainDoc:
        spans, values = coded[doc_id]
        return TrainDoc(doc_id, store.document(doc_id).text, spans, values)

    from . import learn

    train_docs = [item(d) for d in split.train_ids]
    eval_docs = [item(d) for d in split.eval_ids]
    warnings: list[str] = []
    too_long = sum(len(doc.text) > learn.MAX_TRAIN_CHARS for doc in train_docs + eval_docs)
    if too_long:
        train_docs = [doc for doc in train_docs if len(doc.text) <= learn.MAX_TRAIN_CHARS]
        eval_docs = [doc for doc in eval_docs if len(doc.text) <= learn.MAX_TRAIN_CHARS]
        warnings.append(
            f"{too_long} document(s) longer than {learn.MAX_TRAIN_CHARS:,} characters (what"
            " the pipeline takes) left out of training and evaluation"
        )
    retired = Counter(
        lab for doc in train_docs + eval_docs for _s, _e, lab in doc.spans if lab not in span_labels
    )
    if retired:
        warnings.append(
            f"{sum(retired.values())} span(s) of retired label(s)"
            f" {', '.join(map(repr, sorted(retired)))} left out: a retired label is no"
            " longer offered, so the model does not learn it"
        )
    seen = Counter(lab for doc in train_docs for _s, _e, lab in doc.spans)
    for label in span_labels:
        if not seen[label]:
            warnings.append(
                f"span label {label!r} has no example in the training data: the model will"
                " not predict it"
            )
    if not any(seen[label] for label in span_labels):
        span_labels = ()  # no spancat at all
    for f, (kind, options) in list(doc_fields.items()):
        if kind == "single" and len(options) < 2:
            del doc_fields[f]  # spaCy's textcat needs two classes; there is nothing to learn
            warnings.append(
                f"document field {f!r} has one option: there is nothing to learn, the model"
                " does not classify it"
            )
    known = {f: sum(f in doc.fields for doc in train_docs) for f in doc_fields}
    for field, n in known.items():
        if not n:
            warnings.append(
                f"document field {field!r} has no value in the training data: the model does"
                " not classify it"
            )
    doc_fields = {f: v for f, v in doc_fields.items() if known[f]}
    if not span_labels and not doc_fields:
        raise TrainingError(
            f"nothing to learn: {what} gave no span and no field value on the"
            f" {len(train_docs)} training document(s)"
        )
    pipelines = store.document_pipelines()
    lang = lang_of_pipeline(next(iter(pipelines), ""))

    trained = train_pipeline(
        train_docs,
        eval_docs,
        lang=lang,
        span_labels=span_labels,
        doc_fields=doc_fields,
        epochs=epochs,
        seed=seed,
        progress=progress,
    )
    alignment = trained.alignment
    if alignment["spans_dropped"]:
        warnings.append(
            f"{alignment['spans_dropped']} span(s) cover no token of the pipeline and were left out"
        )
    if alignment["spans_too_long"]:
        warnings.append(
            f"{alignment['spans_too_long']} training span(s) are longer than"
            f" {trained.suggester[1]} tokens: the model cannot propose spans that long"
        )
    evaluation: dict[str, Any] = {
        "n_train": len(train_docs),
        "n_eval": len(eval_docs),
        **trained.evaluation,
        "source": source,
        "n_reliability_excluded": 0 if include_reliability else len(in_sample),
        "reliability_in_training": bool(include_reliability and in_sample),
        "epochs": epochs,
        "seed": seed,
        "eval_split": eval_split,
        "losses": list(trained.losses),
        "alignment": dict(alignment),
        "suggester": {"min_size": trained.suggester[0], "max_size": trained.suggester[1]},
        "lang": lang,
        "name": name,
        "warnings": warnings,
    }
    nlp = trained.nlp
    nlp.meta["name"] = name
    nlp.meta["description"] = f"Trained by annotator on {what} of {store.path.name}"
    nlp.meta[META_KEY] = {
        "scheme": {"name": scheme.name, "version": scheme.version},
        "span_labels": list(span_labels),
        "doc_fields": {f: {"kind": k, "options": list(o)} for f, (k, o) in doc_fields.items()},
        "trained_from": source,
        "n_train": len(train_docs),
        "n_eval": len(eval_docs),
        "evaluation": {k: evaluation[k] for k in ("spans", "doc_fields")},
        "seed": seed,
        "epochs": epochs,
        "reliability_excluded": not include_reliability,
        "n_reliability_in_training": len(in_sample) if include_reliability else 0,
        # the texts it learned from: `suggest --model` records which suggested documents
        # these are, and `agreement --with-source` leaves them out (out of sample only)
        TRAINED_ON: sorted({text_hash(doc.text) for doc in train_docs}),
    }
    save_pipeline(nlp, out_dir)
    evaluation["seconds"] = round(time.monotonic() - started, 3)
    return evaluation
