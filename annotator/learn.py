"""spaCy pipelines trained on a project's labels (issue 15): how such a pipeline is laid
out, loaded, and read back as suggestions. An engine: no database, no Qt.

A trained pipeline is a normal spaCy pipeline folder (``spacy.load`` reads it):

- ``spancat`` predicts the span labels into ``doc.spans[SPANS_KEY]`` (scores in
  ``doc.spans[SPANS_KEY].attrs["scores"]``);
- each document field has its own text classifier named :func:`textcat_name` (``textcat``
  for a single field, ``textcat_multilabel`` for a multi field) whose labels are
  :func:`cat_label` ``(field, option)``, so fields sharing option names stay apart in
  ``doc.cats``;
- ``nlp.meta[META_KEY]`` records the scheme it was trained for, where its training data
  came from and its evaluation.

spaCy is imported only inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AnnotatorError
from .records import FrozenRecord

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPANS_KEY = "sc"
META_KEY = "annotator"
CAT_SEPARATOR = "="
DEFAULT_THRESHOLD = 0.5


def textcat_name(field: str) -> str:
    """The pipeline component that classifies document field ``field``."""
    return f"textcat_{field}"


def cat_label(field: str, option: str) -> str:
    """The ``doc.cats`` key of ``option`` of document field ``field``."""
    return f"{field}{CAT_SEPARATOR}{option}"


class ModelSpan(FrozenRecord):
    start: int
    end: int
    label: str
    score: float

    def __init__(self, start: int, end: int, label: str, score: float) -> None:
        d = self.__dict__
        d["start"] = start
        d["end"] = end
        d["label"] = label
        d["score"] = score


class ModelLabel(FrozenRecord):
    """A predicted document field value (a multi field's: the options at or above the
    threshold, possibly none) with its score (a multi field's: the lowest chosen one, or
    the highest refused one when none is chosen)."""

    field: str
    value: str | tuple[str, ...]
    score: float

    def __init__(self, field: str, value: str | tuple[str, ...], score: float) -> None:
        d = self.__dict__
        d["field"] = field
        d["value"] = value
        d["score"] = score


def model_info(nlp: Language) -> dict[str, Any]:
    """What ``nlp.meta[META_KEY]`` says (``{}`` for a pipeline not trained here)."""
    info = nlp.meta.get(META_KEY)
    return info if isinstance(info, dict) else {}


def model_name(nlp: Language) -> str:
    """The pipeline's name (``meta.json`` ``name``), the source name of its suggestions."""
    return str(nlp.meta.get("name") or "model")


def load_model(path: str | Path) -> Language:
    """Load a pipeline folder trained by ``annotator train`` (any spaCy pipeline folder
    with a ``spancat`` or field classifiers will do); one-line AnnotatorError if it
    cannot be read."""
    import spacy

    path = Path(path)
    if not (path / "meta.json").is_file() or not (path / "config.cfg").is_file():
        raise AnnotatorError(f"{path}: not a spaCy pipeline folder (no meta.json and config.cfg)")
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError, ImportError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AnnotatorError(f"{path}: cannot load the spaCy pipeline: {first[:200]}") from None
    if not nlp.has_pipe("spancat") and not any(
        name.startswith("textcat_") for name in nlp.pipe_names
    ):
        raise AnnotatorError(
            f"{path}: the pipeline predicts no spans or document fields"
            " (no spancat, no textcat_<field>); train one with 'annotator train'"
        )
    return nlp


def fields_of(nlp: Language) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``{field: (kind, options)}`` the pipeline classifies (from its components)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    prefix = "textcat_"
    for name in nlp.pipe_names:
        if not name.startswith(prefix):
            continue
        field = name[len(prefix) :]
        labels: tuple[str, ...] = tuple(getattr(nlp.get_pipe(name), "labels", ()))
        kind = "multi" if nlp.get_pipe_meta(name).factory == "textcat_multilabel" else "single"
        head = field + CAT_SEPARATOR
        options = tuple(lab[len(head) :] for lab in labels if lab.startswith(head))
        out[field] = (kind, options)
    return out


def predict_doc(
    doc: Doc,
    threshold: float = DEFAULT_THRESHOLD,
    fields: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
) -> tuple[list[ModelSpan], list[ModelLabel]]:
    """What a processed ``doc`` predicts: spans scoring at least ``threshold`` (character
    offsets into ``doc.text``, code points) and one value per field (``fields`` as
    :func:`fields_of` gives it; a single field's best option when it reaches the
    threshold)."""
    spans: list[ModelSpan] = []
    group = doc.spans.get(SPANS_KEY) if SPANS_KEY in doc.spans else None
    if group is not None:
        scores = group.attrs.get("scores")
        for i, span in enumerate(group):
            score = float(scores[i]) if scores is not None else 1.0
            if score >= threshold:
                spans.append(ModelSpan(span.start_char, span.end_char, span.label_, score))
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    labels: list[ModelLabel] = []
    for field, (kind, options) in (fields or {}).items():
        scored = [(float(doc.cats.get(cat_label(field, o), 0.0)), o) for o in options]
        if not scored:
            continue
        if kind == "single":
            best, option = max(scored)
            if best >= threshold:
                labels.append(ModelLabel(field, option, best))
        else:
            chosen = [(s, o) for s, o in scored if s >= threshold]
            if chosen:
                value = tuple(o for o in options if any(o == c for _, c in chosen))
                labels.append(ModelLabel(field, value, min(s for s, _ in chosen)))
            else:
                labels.append(ModelLabel(field, (), max(s for s, _ in scored)))
    return spans, labels
