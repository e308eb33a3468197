"""Codebook changes as recorded operations (issue 16).

Each operation (rename, merge, split, add, retire) makes the next scheme version, with a
changelog entry (who, when, what), and applies it to the stored data (every coder's
spans and document labels, the gold layer, the suggestion layer) in one transaction
(:meth:`Store.change_codebook`): all of it or nothing. Every relabelled span and changed
document label keeps its old label and the scheme version it was made under
(:meth:`Store.label_history`). A split cannot be applied automatically: the spans of the
split label stay, readable, on their coders' recode worklist
(:meth:`Store.recode_worklist`) until each is relabelled or deleted; the label is
retired (``retired = true``: kept for reading, no longer offered,
:attr:`Scheme.offered_labels`).

:func:`adopt_scheme` is ``annotator init --scheme`` on an existing database: it names
what differs and refuses a scheme that would orphan stored labels unless each is mapped
(``--map OLD=NEW``, ``--map FIELD:OLD=NEW`` for an option).
"""

from __future__ import annotations

import getpass
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationError
from .scheme import (
    COLOR_RE,
    NAME_RE,
    DocField,
    Scheme,
    SpanLabel,
    check_key,
    free_colour,
    free_key,
    key_id,
    parse_scheme,
    scheme_to_toml,
)
from .store import Store

# (document, coder, start, end, label, how many identical spans)
DuplicateRow = tuple[int, str, int, int, str, int]


@dataclass(frozen=True)
class Change:
    """One recorded codebook change and what it did to the stored data."""

    version: int  # the scheme version it made
    op: str
    what: str  # one line: the operation as a person reads it
    spans: int = 0  # spans relabelled (coders' and gold)
    doc_labels: int = 0  # document labels renamed or merged
    suggestions: int = 0  # suggestions renamed or merged
    suggestions_removed: int = 0  # suggested spans of a split or retired label
    recode: int = 0  # spans on the recode worklist after it
    duplicates: tuple[DuplicateRow, ...] = field(default=())

    def summary(self) -> str:
        """The change and its effect, in one line."""
        return f"v{self.version}: {self.what}; {effect_text(self.__dict__)}"


def effect_text(effect: Mapping[str, Any]) -> str:
    """What a change did, as a phrase (from :class:`Change` or a stored ``effect``)."""
    parts = [
        f"{effect.get('spans', 0)} span(s) relabelled",
        f"{effect.get('doc_labels', 0)} document label(s) changed",
    ]
    if effect.get("suggestions"):
        parts.append(f"{effect['suggestions']} suggestion(s) changed")
    if effect.get("suggestions_removed"):
        parts.append(f"{effect['suggestions_removed']} suggestion(s) removed")
    if effect.get("recode"):
        parts.append(f"{effect['recode']} span(s) to recode")
    dups = effect.get("duplicates") or ()
    if dups:
        parts.append(f"{len(dups)} set(s) of identical spans")
    return ", ".join(parts)


def default_who() -> str:
    """The person making a change when ``--by`` is not given: the operating system's user."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):  # no user name in the environment or passwd
        return "unknown"


# -- checks, each a one-line error naming what is known -------------------------------


def _label(scheme: Scheme, name: str) -> SpanLabel:
    lab = scheme.label(name)
    if lab is None:
        known = ", ".join(scheme.label_names) or "none"
        raise ValidationError(f"unknown label {name!r} (labels: {known})")
    return lab


def _field(scheme: Scheme, name: str) -> DocField:
    f = scheme.field(name)
    if f is None:
        known = ", ".join(scheme.field_names) or "none"
        raise ValidationError(f"unknown field {name!r} (fields: {known})")
    return f


def _option(f: DocField, option: str) -> None:
    if option not in f.options:
        raise ValidationError(
            f"{option!r} is not an option of field {f.name!r} (options: {', '.join(f.options)})"
        )


def _new_name(scheme: Scheme, name: str, what: str = "label") -> None:
    if not NAME_RE.fullmatch(name):
        raise ValidationError(
            f"{what} name must use lowercase letters, digits, _ and -, got {name!r}"
        )
    taken = scheme.label(name) if what == "label" else scheme.field(name)
    if taken is not None:
        raise ValidationError(f"{what} {name!r} already exists")


def _new_option(f: DocField, option: str) -> None:
    if not option.strip():
        raise ValidationError(f"an option of field {f.name!r} must be a non-empty string")
    if option in f.options:
        raise ValidationError(f"option {option!r} of field {f.name!r} already exists")


def _distinct(names: Sequence[str], what: str) -> None:
    if len(names) < 2:
        raise ValidationError(f"name at least two {what}s")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(f"{what} {dupes[0]!r} is named twice")


# -- building the next version --------------------------------------------------------


def _next(
    scheme: Scheme,
    labels: Iterable[SpanLabel] | None = None,
    fields: Iterable[DocField] | None = None,
) -> Scheme:
    """The next version of ``scheme`` with these labels and fields, written as TOML and
    read back (so it is checked as any scheme is)."""
    version = scheme.version + 1
    draft = Scheme(
        scheme.name,
        version,
        tuple(scheme.span_labels if labels is None else labels),
        tuple(scheme.doc_fields if fields is None else fields),
        suggestions=scheme.suggestions,
    )
    # A scheme stored by an earlier version may keep its own keys (see extend_scheme).
    keys = [lab.key for lab in draft.span_labels]
    legacy = len({key_id(k) for k in keys}) < len(keys) or any(map(check_key, keys))
    return parse_scheme(scheme_to_toml(draft), source=f"scheme v{version}", stored=legacy)


def _with_name(lab: SpanLabel, name: str) -> SpanLabel:
    return SpanLabel(
        name, lab.key, lab.color, lab.description, lab.phrases, lab.patterns, lab.retired
    )


def _field_with(
    f: DocField, name: str | None = None, options: Iterable[str] | None = None
) -> DocField:
    return DocField(
        f.name if name is None else name,
        f.kind,
        f.options if options is None else tuple(options),
        f.description,
    )


def check_not_a_pack(store: Store) -> None:
    """Refuse a codebook change in a coder's pack (``annotator pack``): the pack's next
    scheme version would differ from the lead's, and ``merge`` refuses a file whose scheme
    version differs, so the coder's work could not come back. The codebook is changed in
    the lead's database; a new pack takes it."""
    coder = store.pack_coder()
    if coder is not None:
        raise ValidationError(
            f"{store.path.name} is {coder}'s pack: change the codebook in the lead's"
            " database, then pack again (a change here would part the pack's scheme from"
            " the lead's, and merge refuses a file whose scheme version differs)"
        )


def _commit(
    store: Store,
    scheme: Scheme,
    op: str,
    args: dict[str, Any],
    what: str,
    by: str | None,
    *,
    labels: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
    options: Mapping[str, Mapping[str, str]] | None = None,
    split: Mapping[str, Sequence[str]] | None = None,
    drop_suggestions: Collection[str] = (),
    base: int | None = None,
) -> Change:
    check_not_a_pack(store)
    who = by if by is not None and by.strip() else default_who()
    effect = store.change_codebook(
        scheme, op, {**args, "what": what}, who.strip(),
        labels=labels or {}, fields=fields or {}, options=options or {}, split=split or {},
        drop_suggestions=drop_suggestions,
        base_version=scheme.version - 1 if base is None else base,
    )  # fmt: skip
    return Change(
        effect.version, op, what, effect.spans, effect.doc_labels, effect.suggestions,
        effect.suggestions_removed, effect.recode, tuple(effect.duplicates),
    )  # fmt: skip


# -- the operations -------------------------------------------------------------------


def rename_label(store: Store, old: str, new: str, *, by: str | None = None) -> Change:
    scheme = store.reload_scheme()
    _label(scheme, old)
    _new_name(scheme, new)
    labels = [_with_name(lab, new) if lab.name == old else lab for lab in scheme.span_labels]
    return _commit(
        store, _next(scheme, labels), "rename-label", {"old": old, "new": new},
        f"label {old!r} renamed {new!r}", by, labels={old: new},
    )  # fmt: skip


def rename_option(
    store: Store, field_name: str, old: str, new: str, *, by: str | None = None
) -> Change:
    scheme = store.reload_scheme()
    f = _field(scheme, field_name)
    _option(f, old)
    _new_option(f, new)
    renamed = _field_with(f, options=(new if o == old else o for o in f.options))
    fields = [renamed if x.name == f.name else x for x in scheme.doc_fields]
    return _commit(
        store, _next(scheme, fields=fields), "rename-option",
        {"field": field_name, "old": old, "new": new},
        f"option {old!r} of field {field_name!r} renamed {new!r}", by,
        options={field_name: {old: new}},
    )  # fmt: skip


def rename_field(store: Store, old: str, new: str, *, by: str | None = None) -> Change:
    scheme = store.reload_scheme()
    f = _field(scheme, old)
    _new_name(scheme, new, "field")
    fields = [_field_with(f, name=new) if x.name == old else x for x in scheme.doc_fields]
    return _commit(
        store, _next(scheme, fields=fields), "rename-field", {"old": old, "new": new},
        f"field {old!r} renamed {new!r}", by, fields={old: new},
    )  # fmt: skip


def merge_labels(
    store: Store, sources: Sequence[str], into: str, *, by: str | None = None
) -> Change:
    """Relabel the spans of every label of ``sources`` as ``into`` (an existing label, one
    of them, or a new one taking the first's key and colour). Spans of one coder that
    become identical are reported (:attr:`Change.duplicates`), never collapsed."""
    scheme = store.reload_scheme()
    _distinct(list(sources), "label")
    first = _label(scheme, sources[0])
    for name in sources[1:]:
        _label(scheme, name)
    target = scheme.label(into)
    if target is None:
        _new_name(scheme, into)
        merged = [scheme.label(n) for n in sources]
        target = SpanLabel(
            into, first.key, first.color, first.description,
            tuple(dict.fromkeys(p for lab in merged if lab for p in lab.phrases)),
            tuple(dict.fromkeys(p for lab in merged if lab for p in lab.patterns)),
        )  # fmt: skip
    labels: list[SpanLabel] = []  # the merged label where the first of them was
    for lab in scheme.span_labels:
        if lab.name not in sources and lab.name != into:
            labels.append(lab)
        elif target not in labels:
            labels.append(target)
    mapping = {n: into for n in sources if n != into}
    return _commit(
        store, _next(scheme, labels), "merge-labels", {"labels": list(sources), "into": into},
        f"labels {', '.join(map(repr, sources))} merged into {into!r}", by, labels=mapping,
    )  # fmt: skip


def merge_options(
    store: Store, field_name: str, sources: Sequence[str], into: str, *, by: str | None = None
) -> Change:
    """Give every document label choosing one of ``sources`` the option ``into`` (an
    existing option, one of them, or a new one in the first's place); a multi field's
    value keeps each option once (the union)."""
    scheme = store.reload_scheme()
    f = _field(scheme, field_name)
    _distinct(list(sources), "option")
    for option in sources:
        _option(f, option)
    if into not in f.options and not into.strip():
        raise ValidationError(f"an option of field {f.name!r} must be a non-empty string")
    options: list[str] = []  # the merged option where the first of them was
    for o in f.options:
        if o not in sources and o != into:
            options.append(o)
        elif into not in options:
            options.append(into)
    merged = _field_with(f, options=options)
    fields = [merged if x.name == f.name else x for x in scheme.doc_fields]
    return _commit(
        store, _next(scheme, fields=fields), "merge-options",
        {"field": field_name, "options": list(sources), "into": into},
        f"options {', '.join(map(repr, sources))} of field {field_name!r} merged into {into!r}",
        by, options={field_name: {o: into for o in sources if o != into}},
    )  # fmt: skip


def split_label(store: Store, label: str, into: Sequence[str], *, by: str | None = None) -> Change:
    """Split ``label`` into the labels ``into`` (new ones are added after it). Its spans
    cannot be split automatically: they go on their coders' recode worklist, and the label
    is retired (kept for reading, no longer offered) until none is left."""
    scheme = store.reload_scheme()
    _label(scheme, label)
    _distinct(list(into), "label")
    if label in into:
        raise ValidationError(f"label {label!r} cannot be split into itself")
    added: list[SpanLabel] = []
    draft = scheme
    for name in into:
        if scheme.label(name) is not None:
            continue
        _new_name(scheme, name)
        key = free_key(draft)
        if key is None:
            raise ValidationError(f"cannot add label {name!r}: no free hotkey left")
        lab = SpanLabel(name, key, free_colour(draft), f"Split from {label!r}.")
        added.append(lab)
        draft = Scheme(draft.name, draft.version, (*draft.span_labels, lab), draft.doc_fields)
    labels: list[SpanLabel] = []
    for lab in scheme.span_labels:
        if lab.name == label:
            labels.append(
                SpanLabel(
                    lab.name, lab.key, lab.color, lab.description, lab.phrases, lab.patterns,
                    retired=True,
                )
            )  # fmt: skip
            labels += added
        else:
            labels.append(lab)
    return _commit(
        store, _next(scheme, labels), "split-label", {"label": label, "into": list(into)},
        f"label {label!r} split into {', '.join(map(repr, into))}", by,
        split={label: list(into)}, drop_suggestions=[label],
    )  # fmt: skip


def add_label(
    store: Store,
    name: str,
    *,
    key: str | None = None,
    color: str | None = None,
    description: str = "",
    by: str | None = None,
) -> Change:
    scheme = store.reload_scheme()
    _new_name(scheme, name)
    if key is None:
        key = free_key(scheme)
        if key is None:
            raise ValidationError(f"cannot add label {name!r}: no free hotkey left; give --key")
    else:
        problem = check_key(key)
        if problem is not None:
            raise ValidationError(f"label {name!r}: {problem}")
        other = scheme.label_for_key(key)
        if other is not None:
            raise ValidationError(f"key {key!r} is already used by label {other.name!r}")
    if color is None:
        color = free_colour(scheme)
    elif not COLOR_RE.fullmatch(color):
        raise ValidationError(f"label {name!r}: color must look like #rrggbb, got {color!r}")
    lab = SpanLabel(name, key, color.lower(), description.strip())
    return _commit(
        store, _next(scheme, (*scheme.span_labels, lab)), "add-label",
        {"label": name, "key": key, "color": color.lower(), "description": description.strip()},
        f"label {name!r} added (key {key!r})", by,
    )  # fmt: skip


def add_option(store: Store, field_name: str, option: str, *, by: str | None = None) -> Change:
    scheme = store.reload_scheme()
    f = _field(scheme, field_name)
    _new_option(f, option)
    grown = _field_with(f, options=(*f.options, option))
    fields = [grown if x.name == f.name else x for x in scheme.doc_fields]
    return _commit(
        store, _next(scheme, fields=fields), "add-option", {"field": field_name, "option": option},
        f"option {option!r} added to field {field_name!r}", by,
    )  # fmt: skip


def retire_label(store: Store, name: str, *, by: str | None = None) -> Change:
    """Keep ``name`` for reading its spans, no longer offer it (its suggestions go)."""
    scheme = store.reload_scheme()
    lab = _label(scheme, name)
    if lab.retired:
        raise ValidationError(f"label {name!r} is already retired")
    labels = [
        SpanLabel(x.name, x.key, x.color, x.description, x.phrases, x.patterns, True)
        if x.name == name
        else x
        for x in scheme.span_labels
    ]
    return _commit(
        store, _next(scheme, labels), "retire-label", {"label": name},
        f"label {name!r} retired", by, drop_suggestions=[name],
    )  # fmt: skip


# -- the changelog and the worklist ---------------------------------------------------


def log(store: Store) -> list[dict[str, Any]]:
    """Every scheme version, oldest first: ``{"version", "at", "who", "op", "what",
    "args", "effect"}`` (versions recorded without an operation, by ``init --scheme``
    before issue 16, an import or a merge, have ``op`` "recorded")."""
    changes = {ch.version: ch for ch in store.scheme_changes()}
    out = []
    for version, name, at in store.scheme_rows():
        ch = changes.get(version)
        if ch is None:
            out.append(
                {"version": version, "at": at, "who": "", "op": "recorded",
                 "what": f"scheme '{name}' v{version} recorded", "args": {}, "effect": {}}
            )  # fmt: skip
            continue
        args = dict(ch.args)
        what = str(args.pop("what", ch.op))
        out.append(
            {"version": version, "at": ch.at, "who": ch.who, "op": ch.op, "what": what,
             "args": args, "effect": ch.effect}
        )  # fmt: skip
    return out


def log_lines(store: Store) -> list[str]:
    """:func:`log` as lines a person reads."""
    lines = []
    for entry in log(store):
        who = f" by {entry['who']}" if entry["who"] else ""
        line = f"v{entry['version']}  {entry['at'] or '-'}{who}  {entry['what']}"
        if entry["op"] != "recorded":
            line += f" ({effect_text(entry['effect'])})"
        lines.append(line)
        for d in entry["effect"].get("duplicates", ()):
            lines.append(
                f"    identical spans: document {d['document_id']}, coder {d['coder']},"
                f" [{d['start']}, {d['end']}) {d['label']} x{d['n']}"
            )
    return lines


def renames_since(
    store: Store, version: int
) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
    """What the recorded changes after scheme ``version`` did to names, composed: span
    labels (old -> current), fields, and per (old) field its options. For labels made
    under an older version (a coder's pack, an older export) to be read under the current
    one; a label split since is not in it (its spans go on the recode worklist)."""
    labels: dict[str, str] = {}
    fields: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}

    def compose(mapping: dict[str, str], step: Mapping[str, str]) -> None:
        for k, v in mapping.items():
            mapping[k] = step.get(v, v)
        for k, v in step.items():
            mapping.setdefault(k, v)

    for ch in store.scheme_changes():
        if ch.version <= version:
            continue
        a = ch.args
        step_labels: dict[str, str] = {}
        step_fields: dict[str, str] = {}
        step_options: dict[str, dict[str, str]] = {}
        if ch.op == "rename-label":
            step_labels = {a["old"]: a["new"]}
        elif ch.op == "merge-labels":
            step_labels = {x: a["into"] for x in a["labels"] if x != a["into"]}
        elif ch.op == "rename-field":
            step_fields = {a["old"]: a["new"]}
        elif ch.op == "rename-option":
            step_options = {a["field"]: {a["old"]: a["new"]}}
        elif ch.op == "merge-options":
            step_options = {a["field"]: {x: a["into"] for x in a["options"] if x != a["into"]}}
        elif ch.op == "replace":
            step_labels, step_fields = dict(a.get("labels", {})), dict(a.get("fields", {}))
            step_options = {f: dict(m) for f, m in a.get("options", {}).items()}
        compose(labels, step_labels)
        # options are keyed by the field's name at the step: find the original name
        current = {fields.get(f, f): f for f in {*fields, *options}}
        for fname, step in step_options.items():
            compose(options.setdefault(current.get(fname, fname), {}), step)
        compose(fields, step_fields)
    return labels, fields, options


class Renames:
    """:func:`renames_since` as a translator of labels made under an older scheme version
    (a coder's pack or file made before a change) into the current names. A label split
    since is left as it is: it stays valid for reading and its spans go on the recode
    worklist."""

    def __init__(self, store: Store, version: int) -> None:
        self.labels, self.fields, self.options = renames_since(store, version)
        self._scheme = store.scheme

    def __bool__(self) -> bool:
        return bool(self.labels or self.fields or self.options)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    def option(self, field_name: str, option: str) -> str:
        """``option`` of (old) field ``field_name`` under the current name."""
        return self.options.get(field_name, {}).get(option, option)

    def value(self, field_name: str, value: Any) -> Any:
        """The value of (old) field ``field_name`` under the current names: an option
        renamed or merged since is mapped; a multi value (a list or tuple, returned as
        the same type) keeps each option once, in the current scheme's order when an
        option was mapped. Anything else (not an option) is returned as it is."""
        opts = self.options.get(field_name, {})
        if not opts:
            return value
        if isinstance(value, str):
            return opts.get(value, value)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            return value
        mapped: list[str] = list(dict.fromkeys(opts.get(str(v), str(v)) for v in value))
        if mapped != list(value):
            spec = self._scheme.field(self.field(field_name))
            order = {o: i for i, o in enumerate(spec.options if spec else ())}
            mapped.sort(key=lambda o: order.get(o, len(order)))
        return tuple(mapped) if isinstance(value, tuple) else mapped


def recode_queue(store: Store, coder: str) -> list[tuple[int, int]]:
    """The documents where ``coder`` has spans of a split label to recode, with how many,
    in document order (the window's queue; the count is the sum)."""
    counts: dict[int, int] = {}
    for item in store.recode_worklist(coder):
        counts[item.document_id] = counts.get(item.document_id, 0) + 1
    return sorted(counts.items())


def worklist_counts(store: Store, coder: str | None = None) -> dict[str, dict[str, int]]:
    """Per coder, per split label, how many spans are still to recode."""
    out: dict[str, dict[str, int]] = {}
    for item in store.recode_worklist(coder):
        per = out.setdefault(item.coder, {})
        per[item.label] = per.get(item.label, 0) + 1
    return out


# -- a whole new scheme (init --scheme) ------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    """What :func:`adopt_scheme` found and did."""

    differences: tuple[str, ...]
    change: Change | None  # None: the scheme was already the current one


def scheme_differences(old: Scheme, new: Scheme) -> list[str]:
    """What differs between two schemes, one line each."""
    lines = []
    if old.name != new.name:
        lines.append(f"name {old.name!r} -> {new.name!r}")
    for lab in old.span_labels:
        other = new.label(lab.name)
        if other is None:
            lines.append(f"label {lab.name!r} removed")
            continue
        changed = [
            what for what in ("key", "color", "description", "phrases", "patterns", "retired")
            if getattr(lab, what) != getattr(other, what)
        ]  # fmt: skip
        if changed:
            lines.append(f"label {lab.name!r} changed ({', '.join(changed)})")
    lines += [f"label {lab.name!r} added" for lab in new.span_labels if old.label(lab.name) is None]
    for f in old.doc_fields:
        nf = new.field(f.name)
        if nf is None:
            lines.append(f"field {f.name!r} removed")
            continue
        if nf.kind != f.kind:
            lines.append(f"field {f.name!r} kind {f.kind} -> {nf.kind}")
        lines += [
            f"option {o!r} of field {f.name!r} removed" for o in f.options if o not in nf.options
        ]
        lines += [
            f"option {o!r} of field {f.name!r} added" for o in nf.options if o not in f.options
        ]
        if nf.description != f.description:
            lines.append(f"field {f.name!r} description changed")
    lines += [f"field {f.name!r} added" for f in new.doc_fields if old.field(f.name) is None]
    if old.suggestions != new.suggestions:
        lines.append(f"suggestions {old.suggestions!r} -> {new.suggestions!r}")
    return lines


def _mappings(
    old: Scheme, new: Scheme, given: Iterable[str]
) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]:
    labels: dict[str, str] = {}
    fields: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    for item in given:
        source, eq, target = item.partition("=")
        source, target = source.strip(), target.strip()
        if not eq or not source or not target:
            raise ValidationError(f"--map {item!r}: write OLD=NEW (FIELD:OLD=NEW for an option)")
        if ":" in source:
            fname, _, option = source.partition(":")
            f = _field(old, fname)
            _option(f, option)
            nf = new.field(fields.get(fname, fname))
            if nf is None or target not in nf.options:
                shown = ", ".join(nf.options) if nf else "the field is not in the new scheme"
                raise ValidationError(
                    f"--map {item!r}: {target!r} is not an option of field {fname!r} in the new"
                    f" scheme ({shown})"
                )
            options.setdefault(fname, {})[option] = target
        elif old.label(source) is not None:
            if new.label(target) is None:
                raise ValidationError(
                    f"--map {item!r}: label {target!r} is not in the new scheme"
                    f" (labels: {', '.join(new.label_names)})"
                )
            labels[source] = target
        elif old.field(source) is not None:
            if new.field(target) is None:
                raise ValidationError(
                    f"--map {item!r}: field {target!r} is not in the new scheme"
                    f" (fields: {', '.join(new.field_names)})"
                )
            fields[source] = target
        else:
            raise ValidationError(
                f"--map {item!r}: {source!r} is no label or field of the current scheme"
                f" (labels: {', '.join(old.label_names)}; fields: {', '.join(old.field_names)})"
            )
    return labels, fields, options


def adopt_scheme(
    store: Store,
    new: Scheme,
    mapping: Iterable[str] = (),
    *,
    by: str | None = None,
    source: str = "",
) -> Adoption:
    """Record ``new`` (a whole scheme file) as the next version, applying ``mapping``
    (``OLD=NEW`` for a label or a field, ``FIELD:OLD=NEW`` for an option) to the stored
    data as the operations above do. Refused, with nothing changed, when a label, field or
    option with stored labels would be missing from ``new`` and is not mapped, or a field
    with stored labels changes kind."""
    mapping = list(mapping)
    old = store.reload_scheme()
    differences = tuple(scheme_differences(old, new))
    if new.version <= old.version:
        store.record_scheme(new)  # the same scheme again, or the refusal as before
        if mapping:
            raise ValidationError(
                f"{source or 'the scheme'}: v{new.version} is already the current scheme;"
                " --map applies only to a new version"
            )
        return Adoption(differences, None)
    check_not_a_pack(store)
    labels, fields, options = _mappings(old, new, mapping)
    used_labels, used_fields = store.stored_names()
    orphans = []
    for label, n in sorted(used_labels.items()):
        if new.label(labels.get(label, label)) is None:
            orphans.append(f"label {label!r} ({n} span(s))")
    for fname, used in sorted(used_fields.items()):
        nf = new.field(fields.get(fname, fname))
        if nf is None:
            orphans.append(f"field {fname!r} ({sum(used.values()) or 'stored'} label(s))")
            continue
        of = old.field(fname)
        if of is not None and of.kind != nf.kind:
            orphans.append(f"field {fname!r} changes kind {of.kind} -> {nf.kind}")
        for option, n in sorted(used.items()):
            if options.get(fname, {}).get(option, option) not in nf.options:
                orphans.append(f"option {option!r} of field {fname!r} ({n} label(s))")
    if orphans:
        raise ValidationError(
            f"{source or 'the new scheme'} would orphan stored labels: {'; '.join(orphans)};"
            " map each with --map OLD=NEW (FIELD:OLD=NEW for an option); nothing was changed"
        )
    shown = "; ".join(differences) or "no difference"
    what = f"scheme replaced{f' from {source}' if source else ''}: {shown}"
    dropped = [lab for lab in old.label_names if new.label(labels.get(lab, lab)) is None]
    args = {
        "file": source, "map": mapping, "differences": list(differences),
        "labels": labels, "fields": fields, "options": options,
    }  # fmt: skip
    change = _commit(
        store, new, "replace", args, what, by, labels=labels, fields=fields, options=options,
        drop_suggestions=dropped, base=old.version,
    )  # fmt: skip
    return Adoption(differences, change)
