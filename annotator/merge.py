"""``annotator merge``: bring other coders' databases into this one.

Documents are matched by SHA-256 (missing ones are copied with their stored tokens);
every coder's labels stay under their own name. Merging never overwrites and is
idempotent. For one coder and one document:

- nothing here yet, or this side is a subset of the other: the missing labels are added;
- the other side is a subset of this one (or equal): nothing to do;
- both sides differ: a **conflict**. The other version is kept beside this one under
  ``coder@<other file name>`` so both stay visible; with ``strict`` the merge stops
  and writes nothing.

Status keeps the further state (new < in_progress < done) and the larger time spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import AnnotatorError
from .scheme import parse_scheme
from .store import GOLD, Store, read_snapshot


@dataclass(frozen=True)
class Conflict:
    doc_id: int
    title: str
    coder: str
    kept_as: str
    new: bool = True  # False: an earlier merge already kept the other version

    def __str__(self) -> str:
        kept = "is kept" if self.new else "was already kept"
        return (
            f"conflict: {self.coder} labelled document {self.doc_id} ({self.title[:60]}) "
            f"differently; the other version {kept} as {self.kept_as!r}"
        )


@dataclass
class MergeReport:
    source: str
    documents_added: int = 0
    coders: set[str] = field(default_factory=set)
    spans_added: int = 0
    doc_labels_set: int = 0
    statuses_updated: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    schemes_added: list[int] = field(default_factory=list)
    gold_skipped: int = 0  # documents whose gold labels in the other database were not merged

    @property
    def new_conflicts(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.new]

    def summary(self) -> str:
        old = len(self.conflicts) - len(self.new_conflicts)
        earlier = f" (and {old} kept by an earlier merge)" if old else ""
        return (
            f"{self.source}: {self.documents_added} new document(s), {self.spans_added} span(s)"
            f" and {self.doc_labels_set} document label(s) added for"
            f" {len(self.coders)} coder(s), {len(self.new_conflicts)} new conflict(s){earlier}"
        )


class MergeConflictError(AnnotatorError):
    def __init__(self, report: MergeReport):
        self.report = report
        super().__init__(
            f"{report.source}: {len(report.conflicts)} conflict(s); nothing merged (--strict)"
        )


def _labels(store: Store, doc_id: int) -> dict[str, tuple[set, dict]]:
    """``{coder: (spans as (start, end, label, note, version), doc labels)}``."""
    out: dict[str, tuple[set, dict]] = {}
    for s in store.spans(doc_id):
        out.setdefault(s.annotator, (set(), {}))[0].add(
            (s.start, s.end, s.label, s.note, s.scheme_version)
        )
    for dl in store.all_doc_labels(doc_id):
        out.setdefault(dl.annotator, (set(), {}))[1][dl.field] = dl.value
    return out


def _key(span: tuple) -> tuple:
    return span[:4]  # the scheme version a label was made under is not a difference


def _subset(a: tuple[set, dict], b: tuple[set, dict]) -> bool:
    spans_a, labels_a = a
    spans_b, labels_b = b
    keys_b = {_key(s) for s in spans_b}
    return all(_key(s) in keys_b for s in spans_a) and all(
        labels_b.get(f) == v for f, v in labels_a.items()
    )


def merge_database(store: Store, other_path: str | Path, strict: bool = False) -> MergeReport:
    """Merge one database into ``store`` in a single transaction."""
    from .paths import check_input

    check_input(other_path, [store])  # before anything opens it: that would drop our locks
    other_path = Path(other_path)
    if other_path.resolve() == store.path.resolve():
        raise AnnotatorError(f"{other_path}: cannot merge a database into itself")
    report = MergeReport(str(other_path))
    stem = other_path.stem
    with read_snapshot(other_path) as other, store.transaction():
        _merge_schemes(store, other, report)
        for sd in other.stored_documents():
            doc_id = store.document_id_by_hash(sd.sha256)
            if doc_id is None:
                doc_id = store.add_stored_document(sd)
                report.documents_added += 1
            theirs = _labels(other, sd.id)
            ours = _labels(store, doc_id)
            targets: dict[str, str] = {}  # coder -> name their labels (and status) go under
            for coder, their in sorted(theirs.items()):
                if coder == GOLD:  # adjudication is done in the lead's database
                    report.gold_skipped += 1
                    continue
                target = targets[coder] = coder
                mine = ours.get(coder, (set(), {}))
                if _subset(their, mine):
                    continue
                if not _subset(mine, their):
                    target = targets[coder] = f"{coder}@{stem}"
                    mine = ours.get(target, (set(), {}))
                    kept = _subset(their, mine)
                    report.conflicts.append(Conflict(doc_id, sd.title, coder, target, not kept))
                    if kept:
                        continue
                    if not _subset(mine, their):
                        raise AnnotatorError(
                            f"{other_path}: document {doc_id}: {target!r} already holds a"
                            " different version; rename the file and merge again"
                        )
                report.coders.add(coder)
                _copy_labels(store, doc_id, target, their, mine, report)
            for coder, (state, secs) in other.statuses(sd.id).items():
                if coder == GOLD:
                    continue
                target = targets.get(coder, coder)
                before = store.statuses(doc_id).get(target)
                store.merge_status(doc_id, target, state, secs)
                if store.statuses(doc_id).get(target) != before:
                    report.statuses_updated += 1
        if strict and report.new_conflicts:
            raise MergeConflictError(report)
    return report


def _copy_labels(store, doc_id, coder, their, mine, report) -> None:
    have = {_key(s) for s in mine[0]}
    versions = set(store.scheme_versions())
    for start, end, label, note, version in sorted(their[0]):
        if (start, end, label, note) in have:
            continue
        store.add_span(
            doc_id, coder, start, end, label, note,
            scheme_version=version if version in versions else None,
        )  # fmt: skip
        report.spans_added += 1
    for fname, value in sorted(their[1].items()):
        if mine[1].get(fname) != value:
            store.set_doc_label(
                doc_id, coder, fname, list(value) if isinstance(value, tuple) else value
            )
            report.doc_labels_set += 1


def _merge_schemes(store: Store, other: Store, report: MergeReport) -> None:
    ours = store.scheme_versions()
    for version in other.scheme_versions():
        toml = other.scheme_version_toml(version)
        if version in ours:
            if store.scheme_version_toml(version).strip() != toml.strip():
                raise AnnotatorError(
                    f"{other.path}: scheme v{version} differs from this database's v{version};"
                    " the databases were not made with the same scheme"
                )
            continue
        if ours and version < max(ours):
            raise AnnotatorError(
                f"{other.path}: has scheme v{version}, which this database (at v{max(ours)})"
                " never recorded"
            )
        store.record_scheme(parse_scheme(toml, source=f"{other.path} (scheme v{version})"))
        ours.append(version)
        report.schemes_added.append(version)
