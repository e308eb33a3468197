"""The SQL of codebook changes (issue 16): one change applied to every stored row it
touches (spans, document labels, the gold layer, the suggestion layer, the rejections
that name a label), with the old labels kept in ``label_history`` and the change itself
in ``scheme_changes``. Called by :meth:`Store.change_codebook` inside its one write
transaction; nothing here commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import ValidationError

Value = str | list[str]


class Duplicate(NamedTuple):
    """Spans of one coder that a change made identical (same document, start, end, label)."""

    document_id: int
    coder: str
    start: int
    end: int
    label: str
    n: int  # how many identical spans


class ChangeEffect(NamedTuple):
    """What one recorded change did to the stored data."""

    change_id: int
    version: int
    spans: int  # spans relabelled (coders' and gold)
    doc_labels: int  # document labels whose field or value changed
    suggestions: int  # suggested spans and field values renamed or merged
    suggestions_removed: int  # suggested spans of a split or retired label
    recode: int  # spans of the labels it split, now on the recode worklist
    duplicates: tuple[Duplicate, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "spans": self.spans,
            "doc_labels": self.doc_labels,
            "suggestions": self.suggestions,
            "suggestions_removed": self.suggestions_removed,
            "recode": self.recode,
            "duplicates": [d._asdict() for d in self.duplicates],
        }


class SchemeChange(NamedTuple):
    """One row of the changelog (``annotator scheme log``)."""

    id: int
    version: int
    op: str
    args: dict[str, Any]
    effect: dict[str, Any]
    who: str
    at: str


class RecodeItem(NamedTuple):
    """A span whose label was split: its coder has to choose one of ``into``."""

    coder: str
    document_id: int
    span_id: int
    start: int
    end: int
    label: str
    into: tuple[str, ...]


class HistoryEntry(NamedTuple):
    """What a span's label or a document label was before a change."""

    change_id: int
    version: int  # the scheme version the change made
    op: str
    kind: str  # "span" or "field"
    span_id: int | None
    document_id: int
    coder: str
    field: str | None  # the field as it is now (kind "field")
    old_field: str | None
    old_value: str | tuple[str, ...]
    new_value: str | tuple[str, ...]
    old_scheme_version: int | None


def _case(mapping: Mapping[str, str], column: str) -> tuple[str, list[str]]:
    """``CASE column WHEN old THEN new ... END`` and its parameters (one statement maps
    every name at once, so a swap a->b, b->a cannot collide half-way)."""
    sql = f"CASE {column} " + " ".join("WHEN ? THEN ?" for _ in mapping) + " END"
    return sql, [x for pair in mapping.items() for x in pair]


def _in(names: Collection[str]) -> str:
    return "(" + ", ".join("?" for _ in names) + ")"


class _Values:
    """Maps a document field's name and value as a change asks."""

    def __init__(
        self,
        fields: Mapping[str, str],
        options: Mapping[str, Mapping[str, str]],
        order: Mapping[str, Sequence[str]],
    ):
        self.fields = fields
        self.options = options
        self.order = order
        self.touched = set(fields) | set(options)

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    def value(self, field: str, value: Value) -> Value:
        """``value`` of (old) ``field`` after the change; a multi field's list keeps its
        options once each (a merge gives the union), in the new scheme's order."""
        opts = self.options.get(field, {})
        if isinstance(value, str):
            return opts.get(value, value)
        mapped = list(dict.fromkeys(opts.get(v, v) for v in value))
        order = {o: i for i, o in enumerate(self.order.get(self.field(field), ()))}
        return sorted(mapped, key=lambda o: order.get(o, len(order)))

    def target(self, field: str, shown: str) -> str:
        """A rejected suggestion's value as its target shows it (a multi value joined by |)."""
        opts = self.options.get(field, {})
        if shown in opts:
            return opts[shown]
        return "|".join(self.value(field, shown.split("|")))


def apply_change(
    c: sqlite3.Connection,
    *,
    version: int,
    op: str,
    args: dict[str, Any],
    who: str,
    at: str,
    labels: Mapping[str, str],
    fields: Mapping[str, str],
    options: Mapping[str, Mapping[str, str]],
    order: Mapping[str, Sequence[str]],
    split: Mapping[str, Sequence[str]],
    drop_suggestions: Collection[str],
    retired: Collection[str] = (),
) -> ChangeEffect:
    """Record the change and apply it to the stored rows, inside the caller's transaction.

    ``labels``: span label renames (old -> new; a merge maps several to one); ``fields``:
    field renames; ``options``: per (old) field name, option renames; ``order``: per (new)
    multi field, its options in scheme order; ``split``: labels split, each with the labels
    it is split into (its spans go on the recode worklist); ``drop_suggestions``: labels
    whose suggested spans are removed (a split or retired label is no longer offered);
    ``retired``: the labels the new scheme keeps only for reading. A split label renamed
    to a retired label stays split under its new name; merged into a label that is
    offered, its spans are that label's now, and off the recode worklist.
    """
    cur = c.execute(
        "INSERT INTO scheme_changes (version, op, args, who, at) VALUES (?, ?, ?, ?, ?)",
        (version, op, json.dumps(args, ensure_ascii=False), who, at),
    )
    change_id = cur.lastrowid
    assert change_id is not None
    spans = suggestions = removed = 0
    if labels:
        case, params = _case(labels, "label")
        keys = list(labels)
        c.execute(
            "INSERT INTO label_history (change_id, kind, span_id, document_id, annotator_id,"
            f" old_value, new_value, old_scheme_version) SELECT ?, 'span', id, document_id,"
            f" annotator_id, label, {case}, scheme_version FROM spans WHERE label IN {_in(keys)}",
            [change_id, *params, *keys],
        )
        spans = c.execute(
            f"UPDATE spans SET label = {case}, scheme_version = ? WHERE label IN {_in(keys)}",
            [*params, version, *keys],
        ).rowcount
        suggestions += c.execute(
            f"UPDATE suggestions SET label = {case} WHERE label IN {_in(keys)}", [*params, *keys]
        ).rowcount
        follow = [k for k in keys if labels[k] in retired]
        if follow:
            follow_case, follow_params = _case({k: labels[k] for k in follow}, "label")
            c.execute(
                f"UPDATE OR IGNORE split_labels SET label = {follow_case}"
                f" WHERE label IN {_in(follow)}",
                [*follow_params, *follow],
            )
        c.execute(f"DELETE FROM split_labels WHERE label IN {_in(keys)}", keys)
        for label, into in c.execute("SELECT label, into_labels FROM split_labels").fetchall():
            renamed = list(dict.fromkeys(labels.get(x, x) for x in json.loads(into)))
            c.execute(
                "UPDATE split_labels SET into_labels = ? WHERE label = ?",
                (json.dumps(renamed, ensure_ascii=False), label),
            )
    values = _Values(fields, options, order)
    doc_labels = 0
    if values.touched:
        doc_labels = _map_doc_labels(c, change_id, version, values)
        suggestions += _map_suggested_labels(c, values)
        for old, new in fields.items():
            c.execute("UPDATE gold_label_sources SET field = ? WHERE field = ?", (new, old))
    if labels or values.touched:
        _map_rejections(c, labels, values)
    for label, into in split.items():
        c.execute(
            "INSERT OR REPLACE INTO split_labels (label, change_id, into_labels) VALUES (?, ?, ?)",
            (label, change_id, json.dumps(list(into), ensure_ascii=False)),
        )
    if drop_suggestions:
        removed = c.execute(
            f"DELETE FROM suggestions WHERE label IN {_in(drop_suggestions)}",
            list(drop_suggestions),
        ).rowcount
    recode = 0
    if split:
        recode = c.execute(
            f"SELECT count(*) FROM spans WHERE label IN {_in(split)}", list(split)
        ).fetchone()[0]
    effect = ChangeEffect(
        change_id, version, spans, doc_labels, suggestions, removed, recode,
        _duplicates(c, change_id),
    )  # fmt: skip
    c.execute(
        "UPDATE scheme_changes SET effect = ? WHERE id = ?",
        (json.dumps(effect.as_json(), ensure_ascii=False), change_id),
    )
    return effect


def _map_doc_labels(c: sqlite3.Connection, change_id: int, version: int, values: _Values) -> int:
    touched = sorted(values.touched)
    rows = c.execute(
        "SELECT document_id, annotator_id, field, value, scheme_version FROM doc_labels"
        f" WHERE field IN {_in(touched)}",
        touched,
    ).fetchall()
    changed = 0
    for doc_id, aid, field, raw, old_version in rows:
        value = json.loads(raw)
        new_field, new_value = values.field(field), values.value(field, value)
        if new_field == field and new_value == value:
            continue
        new_raw = json.dumps(new_value, ensure_ascii=False)
        c.execute(
            "INSERT INTO label_history (change_id, kind, document_id, annotator_id, field,"
            " old_field, old_value, new_value, old_scheme_version)"
            " VALUES (?, 'field', ?, ?, ?, ?, ?, ?, ?)",
            (change_id, doc_id, aid, new_field, field, raw, new_raw, old_version),
        )
        try:
            c.execute(
                "UPDATE doc_labels SET field = ?, value = ?, scheme_version = ?"
                " WHERE document_id = ? AND annotator_id = ? AND field = ?",
                (new_field, new_raw, version, doc_id, aid, field),
            )
        except sqlite3.IntegrityError:
            raise ValidationError(
                f"document {doc_id} already has a value of field {new_field!r} stored beside"
                f" {field!r}; nothing was changed"
            ) from None
        changed += 1
    return changed


def _map_suggested_labels(c: sqlite3.Connection, values: _Values) -> int:
    touched = sorted(values.touched)
    rows = c.execute(
        f"SELECT rowid, field, value FROM suggested_labels WHERE field IN {_in(touched)}",
        touched,
    ).fetchall()
    changed = 0
    for rowid, field, raw in rows:
        value = json.loads(raw)
        new_field, new_value = values.field(field), values.value(field, value)
        if new_field != field or new_value != value:
            c.execute(
                "UPDATE OR REPLACE suggested_labels SET field = ?, value = ? WHERE rowid = ?",
                (new_field, json.dumps(new_value, ensure_ascii=False), rowid),
            )
            changed += 1
    return changed


def _map_rejections(c: sqlite3.Connection, labels: Mapping[str, str], values: _Values) -> None:
    """Rejected suggestions and adjudication decisions name labels and values in their
    keys: rewrite them so a rejection still holds after the change."""
    for row in c.execute(
        "SELECT document_id, annotator_id, source, target, rejected_at FROM suggestion_rejections"
    ).fetchall():
        kind, _, rest = row[3].partition(":")
        target = row[3]
        if kind == "span":
            start, end, label = rest.split(":", 2)
            target = f"span:{start}:{end}:{labels.get(label, label)}"
        elif kind == "field":
            field, _, shown = rest.partition(":")
            if field in values.touched:
                target = f"field:{values.field(field)}:{values.target(field, shown)}"
        if target != row[3]:
            c.execute(
                "DELETE FROM suggestion_rejections WHERE document_id = ? AND annotator_id = ?"
                " AND source = ? AND target = ?",
                row[:4],
            )
            c.execute(
                "INSERT OR IGNORE INTO suggestion_rejections VALUES (?, ?, ?, ?, ?)",
                (*row[:3], target, row[4]),
            )
    for doc_id, decision, at in c.execute(
        "SELECT document_id, decision, rejected_at FROM gold_rejections"
    ).fetchall():
        try:
            key = json.loads(decision)
        except ValueError:
            continue
        new = key
        if isinstance(key, list) and len(key) == 4 and key[0] in ("span", "gold"):
            new = [*key[:3], labels.get(key[3], key[3])]
        elif (
            isinstance(key, list) and len(key) == 3 and key[0] == "field"
            and key[1] in values.touched and isinstance(key[2], (str, list))
        ):  # fmt: skip
            new = ["field", values.field(key[1]), values.value(key[1], key[2])]
        if new != key:
            c.execute(
                "DELETE FROM gold_rejections WHERE document_id = ? AND decision = ?",
                (doc_id, decision),
            )
            c.execute(
                "INSERT OR IGNORE INTO gold_rejections VALUES (?, ?, ?)",
                (doc_id, json.dumps(new, ensure_ascii=False), at),
            )


def _duplicates(c: sqlite3.Connection, change_id: int) -> tuple[Duplicate, ...]:
    """Spans of one coder made identical by this change (at least one of them relabelled
    by it): reported, never collapsed."""
    rows = c.execute(
        "SELECT s.document_id, a.name, s.start, s.end, s.label, count(*)"
        " FROM spans s JOIN annotators a ON a.id = s.annotator_id"
        " WHERE s.label IN (SELECT new_value FROM label_history WHERE change_id = ?"
        " AND kind = 'span')"
        " GROUP BY s.document_id, s.annotator_id, s.start, s.end, s.label"
        " HAVING count(*) > 1 AND sum(s.id IN (SELECT span_id FROM label_history"
        " WHERE change_id = ? AND kind = 'span')) > 0"
        " ORDER BY s.document_id, a.name, s.start, s.end",
        (change_id, change_id),
    )
    return tuple(Duplicate(*r) for r in rows)


def changes(c: sqlite3.Connection) -> list[SchemeChange]:
    rows = c.execute(
        "SELECT id, version, op, args, effect, who, coalesce(at, '') FROM scheme_changes"
        " ORDER BY id"
    )
    return [
        SchemeChange(i, v, op, json.loads(a), json.loads(e), who, at)
        for i, v, op, a, e, who, at in rows
    ]


def worklist(c: sqlite3.Connection, coder: str | None) -> list[RecodeItem]:
    """Every span still carrying a split label (a coder's, or everyone's), by coder,
    document and position: relabelling or deleting a span takes it off the list."""
    where = "" if coder is None else " WHERE a.name = ?"
    rows = c.execute(
        "SELECT a.name, s.document_id, s.id, s.start, s.end, s.label, x.into_labels"
        " FROM spans s JOIN split_labels x ON x.label = s.label"
        f" JOIN annotators a ON a.id = s.annotator_id{where}"
        " ORDER BY a.name, s.document_id, s.start, s.end, s.id",
        () if coder is None else (coder,),
    )
    return [
        RecodeItem(name, doc, span, start, end, label, tuple(json.loads(into)))
        for name, doc, span, start, end, label, into in rows
    ]


def split_labels(c: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    return {
        label: tuple(json.loads(into))
        for label, into in c.execute("SELECT label, into_labels FROM split_labels ORDER BY label")
    }


def used_names(c: sqlite3.Connection) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The span labels of stored spans (coders' and gold) with their counts, and per field
    of stored document labels the options chosen, with their counts (a field whose only
    values are empty multi values is listed with no options)."""
    labels = dict(c.execute("SELECT label, count(*) FROM spans GROUP BY label").fetchall())
    fields: dict[str, dict[str, int]] = {}
    for field, raw in c.execute("SELECT field, value FROM doc_labels"):
        value = json.loads(raw)
        counts = fields.setdefault(field, {})
        for option in [value] if isinstance(value, str) else value:
            counts[option] = counts.get(option, 0) + 1
    return labels, fields


def history(
    c: sqlite3.Connection, *, span_id: int | None = None, document_id: int | None = None
) -> list[HistoryEntry]:
    """The old labels of one span, or of every span and document label of a document."""
    where, params = ("h.span_id = ?", span_id) if span_id is not None else (
        "h.document_id = ?", document_id,
    )  # fmt: skip
    rows = c.execute(
        "SELECT h.change_id, sc.version, sc.op, h.kind, h.span_id, h.document_id, a.name,"
        " h.field, h.old_field, h.old_value, h.new_value, h.old_scheme_version"
        " FROM label_history h JOIN scheme_changes sc ON sc.id = h.change_id"
        f" JOIN annotators a ON a.id = h.annotator_id WHERE {where} ORDER BY h.id",
        (params,),
    )
    out = []
    for change, version, op, kind, span, doc, coder, field, old_field, old, new, sv in rows:
        if kind == "field":
            old, new = _read_value(old), _read_value(new)
        out.append(
            HistoryEntry(
                change, version, op, kind, span, doc, coder, field, old_field, old, new, sv
            )
        )
    return out


def _read_value(raw: str) -> str | tuple[str, ...]:
    v = json.loads(raw)
    return tuple(v) if isinstance(v, list) else str(v)
