"""Turn one JSON object of a given format into a :class:`LabelTask`."""

from __future__ import annotations

import math
from typing import Any

from ..jsonsafe import shown
from ..models import STATES, origin_problem
from .tasks import LabelTask, LineError, TaskSpan, as_int, as_str, base_task, read_memo


def read_canonical(obj: Any, all_answers: bool = False) -> LabelTask:
    """The app's own JSONL (``annotator export``): spans, notes, doc_labels, the memo,
    versions, the origin of every label (span ``origin``, ``doc_label_origins``: absent
    means manual) and for the gold layer its provenance (span ``sources``,
    ``doc_label_sources``).

    A record without ``"answer"`` counts as accepted: the format is ours, the export always
    writes ``"accept"``, and a hand-written file that leaves it out means its labels. An
    explicit ``"reject"`` or ``"ignore"`` is still skipped (unless ``all_answers``).
    """
    if isinstance(obj, dict) and "answer" not in obj:
        all_answers = True
    task = read_prodigy(obj, all_answers=all_answers)
    task.doc_labels.update(_field_values(obj, "doc_labels"))
    for i, (sp, tsp) in enumerate(zip(obj.get("spans") or [], task.spans, strict=True), 1):
        if sp.get("sources") is not None:
            tsp.sources = _names(sp["sources"], f"span {i} sources")
    _read_status(obj, task)
    read_memo(obj, task)
    task.label_origins = _label_origins(obj, task.doc_labels)
    label_sources = obj.get("doc_label_sources")
    if label_sources is not None:
        if not isinstance(label_sources, dict):
            raise LineError('"doc_label_sources" must be an object')
        task.label_sources = {
            as_str(f, "doc_label_sources field"): _names(v, f'doc_label_sources["{f}"]')
            for f, v in label_sources.items()
        }
    return task


def _origin(value: Any, what: str) -> str:
    """A label's origin, checked (:func:`~annotator.models.origin_problem`)."""
    problem = origin_problem(value)
    if problem is not None:
        raise LineError(f"{what}: {problem}")
    return str(value)


def _label_origins(obj: dict[str, Any], doc_labels: dict[str, Any]) -> dict[str, str]:
    """``doc_label_origins``: ``{field: origin}``, each checked; the origin of a field the
    record gives no value for (a hand-edited ``doc_labels``) is not used."""
    given = obj.get("doc_label_origins")
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise LineError('"doc_label_origins" must be an object')
    out = {}
    for fname, origin in given.items():
        checked = _origin(origin, f'doc_label_origins["{fname}"]')
        if fname in doc_labels:
            out[fname] = checked
    return out


def _read_status(obj: dict[str, Any], task: LabelTask) -> None:
    """The coder's ``status`` (new, in_progress, done) and ``seconds_spent`` (a finite,
    non-negative number); either may be absent or null (not restored)."""
    state = obj.get("status")
    if state is not None and state not in STATES:
        raise LineError(f'"status" must be one of {", ".join(STATES)}, got {shown(state)}')
    secs = obj.get("seconds_spent")
    if secs is not None:
        try:
            ok = not isinstance(secs, bool) and isinstance(secs, int | float)
            secs = float(secs) if ok else None
        except OverflowError:
            secs = None
        if secs is None or not math.isfinite(secs) or secs < 0:
            raise LineError(
                f'"seconds_spent" must be a finite number of seconds >= 0, got {shown(obj["seconds_spent"])}'
            )
    if state is not None or secs is not None:
        task.status, task.seconds_spent = state or "new", secs or 0.0


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise LineError(f"{what} must be a list of coder names")
    return tuple(as_str(v, f"{what} entry") for v in value)


def _field_values(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """``{field: option or [options]}`` under ``key`` (canonical ``doc_labels``, doccano ``cats``)."""
    values = obj.get(key) or {}
    if not isinstance(values, dict):
        raise LineError(f'"{key}" must be an object')
    for fname, value in values.items():
        if isinstance(value, list):
            for v in value:
                as_str(v, f'{key}["{fname}"] option')
        elif not isinstance(value, str):
            raise LineError(f'{key}["{fname}"] must be an option or a list of options')
    return dict(values)


def read_prodigy(obj: Any, all_answers: bool = False) -> LabelTask:
    """Prodigy: ``spans`` with start/end/label (and our ``origin``, which the Prodigy
    export writes), ``accept`` for choices, ``answer``."""
    task = base_task(obj)
    answer = obj.get("answer")
    if answer is not None and answer not in ("accept", "reject", "ignore"):
        raise LineError(f'"answer" must be accept, reject or ignore, got {shown(answer)}')
    task.skip = answer != "accept" and not all_answers
    coder = obj.get("_annotator_id") or obj.get("_session_id")
    if coder is not None:
        task.coder = as_str(coder, '"_annotator_id"')
    spans = obj.get("spans") or []
    if not isinstance(spans, list):
        raise LineError('"spans" must be a list')
    for i, sp in enumerate(spans, 1):
        if not isinstance(sp, dict):
            raise LineError(f"span {i} is not an object")
        for key in ("start", "end", "label"):
            if key not in sp:
                raise LineError(f'span {i} has no "{key}"')
        version = sp.get("scheme_version")
        origin = sp.get("origin")
        task.spans.append(
            TaskSpan(
                as_int(sp["start"], f"span {i} start"),
                as_int(sp["end"], f"span {i} end"),
                as_str(sp["label"], f"span {i} label"),
                as_str(sp.get("note") or "", f"span {i} note"),
                as_int(version, f"span {i} scheme_version") if version is not None else None,
                origin=_origin(origin, f"span {i} origin") if origin is not None else None,
            )
        )
    accept = obj.get("accept")
    if accept is not None:
        if not isinstance(accept, list):
            raise LineError('"accept" must be a list of option ids')
        task.choices.extend(str(a) for a in accept)
    return task


def read_doccano(obj: Any, all_answers: bool = False) -> LabelTask:
    """doccano: ``label: [[start, end, "L"], ...]``, ``entities``, or ``label: ["A", ...]``.

    ``cats`` (``{field: option or [options]}``, as ``annotator export --format doccano``
    writes it) fills document fields directly; ``_annotator_id`` (written there too) names
    the coder, ``memo`` is the coder's memo on the document.
    """
    task = base_task(obj)
    coder = obj.get("_annotator_id")  # as annotator's own doccano export writes it
    if coder is not None:
        task.coder = as_str(coder, '"_annotator_id"')
    label = obj.get("label", [])
    if not isinstance(label, list):
        raise LineError('"label" must be a list')
    for i, item in enumerate(label, 1):
        if isinstance(item, list):
            if len(item) != 3:
                raise LineError(f"label {i} must be [start, end, label]")
            start, end, name = item
            task.spans.append(
                TaskSpan(
                    as_int(start, f"label {i} start"),
                    as_int(end, f"label {i} end"),
                    as_str(name, f"label {i} name"),
                )
            )
        elif isinstance(item, str):
            task.choices.append(item)
        else:
            raise LineError(f"label {i} must be [start, end, label] or a category name")
    entities = obj.get("entities", [])
    if not isinstance(entities, list):
        raise LineError('"entities" must be a list')
    for i, ent in enumerate(entities, 1):
        if not isinstance(ent, dict):
            raise LineError(f"entity {i} is not an object")
        for key in ("start_offset", "end_offset", "label"):
            if key not in ent:
                raise LineError(f'entity {i} has no "{key}"')
        task.spans.append(
            TaskSpan(
                as_int(ent["start_offset"], f"entity {i} start_offset"),
                as_int(ent["end_offset"], f"entity {i} end_offset"),
                as_str(ent["label"], f"entity {i} label"),
            )
        )
    task.doc_labels.update(_field_values(obj, "cats"))
    read_memo(obj, task)  # as annotator's own doccano export writes it
    # the origins annotator's own doccano export writes (absent: manual)
    origins = obj.get("origins")
    if origins is not None:
        if not isinstance(origins, list) or len(origins) != len(task.spans):
            raise LineError('"origins" must be a list with one origin per span of "label"')
        for i, (sp, origin) in enumerate(zip(task.spans, origins, strict=True), 1):
            sp.origin = _origin(origin, f"span {i} origin")
    task.label_origins = _label_origins(obj, task.doc_labels)
    return task


READERS = {"jsonl": read_canonical, "prodigy": read_prodigy, "doccano": read_doccano}
