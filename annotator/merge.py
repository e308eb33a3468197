"""``annotator merge``: bring other coders' databases into this one.

Documents are matched by SHA-256 (missing ones are copied with their stored tokens);
every coder's labels stay under their own name. Merging never overwrites and is
idempotent. For one coder and one document:

- nothing here yet, or this side is a subset of the other: the missing labels are added;
- the other side is a subset of this one (or equal): nothing to do;
- both sides differ: a **conflict**. The other version is kept beside this one under
  ``coder@<other file name>`` so both stay visible; with ``strict`` the merge stops
  and writes nothing.

A coder's memo on a document counts as one of their labels: a memo only the other side
has is added, the same memo is nothing to do, and two different memos are a conflict (the
other version, memo included, is kept under ``coder@<other file name>``; the conflict line
says that only the memos differ when so). Status keeps the further state (new <
in_progress < done) and the larger time spent.
Spans are a list, not a set: a coder who marked the same range twice keeps both.
Every label copied keeps its origin (``manual``, ``suggestion:<source>``,
``edited:<source>``; a database from before origins were recorded is upgraded on opening,
so its labels are ``manual``). An origin is not a difference: a span or field value this
database already holds keeps the origin it has here.

Nothing from the other file is trusted: every row is checked before it is copied (text is
text and matches its SHA-256, ``meta`` is a JSON object, coder names follow the name rule,
spans lie inside the text, origins are ``manual``, ``suggestion:<source>`` or
``edited:<source>``, numbers are finite). Token offsets that do not decode or do not
fit the text are recomputed with spaCy. Any other problem refuses the whole file with one
line naming it and the document, and this database is left unchanged.

The design of a study (a coder's pack carries the coder's rounds and assignments,
:mod:`annotator.coder_pack`) is merged by adding what this database lacks, never by
changing what it has:

- a round of the other file that this database has no round of that name for is created
  with the other file's seed and design (a pack's: no seed, ``{"packed_for": coder}``);
- an assignment (matched by round name, coder and the document's SHA-256) that is not
  here is added: its queue position is kept when that coder has no document at that
  position of the round here, else it goes to the end of the coder's queue; its
  reliability flag is the other file's (NULL, as in a pack, stays NULL);
- an assignment present here is never changed: the lead's file keeps its reliability
  flags and queue positions. The other file's settings (``file_settings``: the coder a
  pack was made for) are never copied.
- from a coder's pack (a file whose settings name the coder it was made for) only that
  coder's assignments are taken, and always without a reliability flag: a pack edited
  by hand cannot add to another coder's queue or to the reliability sample.

So merging a pack back adds nothing to the design of the database it was packed from,
and packing again after the lead extended a round (``assign --only-unassigned``) gives a
pack whose merge back adds only the coder's new work.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, NamedTuple

from .align import CHANGED, LOST, MOVED
from .codebook import Renames
from .corpus import normalize_text, text_hash
from .errors import AnnotatorError, ValidationError
from .models import STATES, StoredDocument, origin_problem
from .nlp import DEFAULT_PIPELINE, tokenize_arrays
from .packing import unpack
from .scheme import parse_scheme
from .store import (
    GOLD,
    MAX_NAME_LEN,
    RESERVED_NAMES,
    Store,
    check_coder_name,
    read_snapshot,
)
from .updating import OlderText


@dataclass(frozen=True)
class Conflict:
    doc_id: int
    title: str
    coder: str
    kept_as: str
    new: bool = True  # False: an earlier merge already kept the other version
    memo: bool = False  # the two versions differ only in the coder's memo on the document

    def __str__(self) -> str:
        return conflict_line(self)


def conflict_line(c: Conflict, wording: Literal["command", "window"] = "command") -> str:
    """One merge conflict as one line, in the wording of a front end (each adds its own
    prefix: the command line indents it, the window names the file).

    ``command``: ``conflict: ana labelled document 7 (Title) differently; the other version
    is kept as 'ana@laptop'`` (the title cut at 60 characters; an earlier merge's conflict:
    "was already kept"). ``window``: ``ana labelled “Title” (document 7) differently; kept
    as 'ana@laptop'`` (a title over 70 characters ends in "…"; an earlier merge's conflict
    ends in "(by an earlier merge)").
    """
    if wording == "window":
        title = c.title if len(c.title) <= 70 else c.title[:68].rstrip() + "…"
        if c.memo:
            line = (
                f"{c.coder} wrote a different memo on “{title}” (document {c.doc_id});"
                f" kept as {c.kept_as!r}"
            )
        else:
            line = (
                f"{c.coder} labelled “{title}” (document {c.doc_id}) differently;"
                f" kept as {c.kept_as!r}"
            )
        return line if c.new else line + " (by an earlier merge)"
    kept = "is kept" if c.new else "was already kept"
    if c.memo:
        return (
            f"conflict: {c.coder} wrote a different memo on document {c.doc_id}"
            f" ({c.title[:60]}); the other version {kept} as {c.kept_as!r}"
        )
    return (
        f"conflict: {c.coder} labelled document {c.doc_id} ({c.title[:60]}) "
        f"differently; the other version {kept} as {c.kept_as!r}"
    )


@dataclass
class MergeReport:
    source: str
    documents_added: int = 0
    coders: set[str] = field(default_factory=set)
    spans_added: int = 0
    doc_labels_set: int = 0
    memos_set: int = 0  # coders' memos added (a memo only the other database had)
    statuses_updated: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    schemes_added: list[int] = field(default_factory=list)
    gold_skipped: int = 0  # documents whose gold labels in the other database were not merged
    # documents on which a coder's pack holds other coders' labels that differ from ours
    # (a copy made by ``pack --with-labels``): not merged, see :func:`_merge_document`
    others_skipped: int = 0
    retokenised: int = 0  # new documents whose stored tokens were unusable and were recomputed
    rounds_added: list[str] = field(default_factory=list)  # rounds only the other file had
    assignments_added: int = 0  # assignments only the other file had
    # labels of a file made under an older scheme version, read under the current names
    # (renamed or merged since: :func:`codebook.renames_since`)
    labels_renamed: int = 0
    # documents matched through an older text (a pack made before ``import --update``
    # corrected them), and what carrying the other file's spans onto the current text did
    texts_corrected: int = 0
    spans_moved: int = 0
    spans_changed: int = 0  # their text differs: flagged for the coder when added
    spans_lost: int = 0  # their text is gone: not added

    @property
    def new_conflicts(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.new]

    def summary(self) -> str:
        old = len(self.conflicts) - len(self.new_conflicts)
        earlier = f" (and {old} kept by an earlier merge)" if old else ""
        labels = f"{self.spans_added} span(s) and {self.doc_labels_set} document label(s)"
        if self.memos_set:
            labels = (
                f"{self.spans_added} span(s), {self.doc_labels_set} document label(s) and"
                f" {self.memos_set} memo(s)"
            )
        return (
            f"{self.source}: {self.documents_added} new document(s), {labels} added for"
            f" {len(self.coders)} coder(s), {len(self.new_conflicts)} new conflict(s){earlier}"
            + (
                f"; tokens recomputed for {self.retokenised} document(s) whose stored tokens"
                " did not fit their text"
                if self.retokenised
                else ""
            )
            + (
                f"; {self.assignments_added} assignment(s) added"
                + (f" (new round(s): {', '.join(self.rounds_added)})" if self.rounds_added else "")
                if self.assignments_added or self.rounds_added
                else ""
            )
            + (
                f"; {self.labels_renamed} label(s) made under an older scheme version read"
                " under their current names"
                if self.labels_renamed
                else ""
            )
            + (
                f"; {self.texts_corrected} document(s) matched through an older text"
                f" (corrected since): {self.spans_moved} span(s) moved, {self.spans_changed}"
                f" changed (flagged), {self.spans_lost} lost (not added)"
                if self.texts_corrected
                else ""
            )
            + (
                f"; the gold labels of {self.gold_skipped} document(s) were not merged"
                " (adjudicate in this database, or export them with --gold and import-labels)"
                if self.gold_skipped
                else ""
            )
            + (
                f"; other coders' labels on {self.others_skipped} document(s) were not merged"
                " (a coder's pack holds a copy of them as they were when it was packed;"
                " they come from their own files)"
                if self.others_skipped
                else ""
            )
        )


class MergeConflictError(AnnotatorError):
    def __init__(self, report: MergeReport):
        self.report = report
        super().__init__(
            f"{report.source}: {len(report.conflicts)} conflict(s); nothing merged (--strict)"
        )


# a coder's labels on one document: (spans as (start, end, label, note, version, origin),
# {field: value})
SpanRow = tuple[int, int, str, str, int | None, str]
Labels = tuple[list[SpanRow], dict[str, str | tuple[str, ...]]]


def _labels(store: Store, doc_id: int) -> dict[str, Labels]:
    """``{coder: (spans as (start, end, label, note, version, origin), doc labels)}``."""
    out: dict[str, Labels] = {}
    for s in store.spans(doc_id):
        out.setdefault(s.coder, ([], {}))[0].append(
            (s.start, s.end, s.label, s.note, s.scheme_version, s.origin)
        )
    for dl in store.all_doc_labels(doc_id):
        out.setdefault(dl.coder, ([], {}))[1][dl.field] = dl.value
    return out


class _Times(NamedTuple):
    """When a coder did what the other file holds (its stamps, copied with the rows so
    that progress dates the work by when it was done, not by the merge): per coder, the
    creation times of their spans by (start, end, label, note), of their field values by
    field, of their memo and of their status; and the origins of their field values."""

    spans: dict[str, dict[tuple[int, int, str, str], list[str]]]
    fields: dict[str, dict[str, str]]
    memos: dict[str, str]
    status: dict[str, str]
    field_origins: dict[str, dict[str, str]]


def _times(store: Store, doc_id: int) -> _Times:
    spans: dict[str, dict[tuple[int, int, str, str], list[str]]] = {}
    for s in store.spans(doc_id):
        key = (s.start, s.end, s.label, s.note)
        spans.setdefault(s.coder, {}).setdefault(key, []).append(s.created_at)
    fields: dict[str, dict[str, str]] = {}
    origins: dict[str, dict[str, str]] = {}
    for dl in store.all_doc_labels(doc_id):
        fields.setdefault(dl.coder, {})[dl.field] = dl.updated_at
        origins.setdefault(dl.coder, {})[dl.field] = dl.origin
    memos = {coder: at for coder, (_, at) in store.memo_rows(doc_id).items()}
    return _Times(spans, fields, memos, store.status_times(doc_id), origins)


def _key(span: SpanRow) -> tuple[int, int, str, str]:
    return span[:4]  # the scheme version a label was made under is not a difference


def _subset(a: Labels, b: Labels) -> bool:
    """Every span of ``a`` (as often as ``a`` has it) and every field value is in ``b``."""
    spans_a, labels_a = a
    spans_b, labels_b = b
    missing = Counter(map(_key, spans_a)) - Counter(map(_key, spans_b))
    return not missing and all(labels_b.get(f) == v for f, v in labels_a.items())


def _memo_in(a: str, b: str) -> bool:
    """A coder's memo ``a`` is part of ``b``: there is none, or it is the same."""
    return not a or a == b


def _conflict_name(coder: str, stem: str) -> str:
    """``coder@stem``, kept within the name rule (a file name may hold anything)."""
    stem = re.sub(r"[|\s]+", "_", "".join(c if c.isprintable() else "_" for c in stem))
    stem = stem.strip("_") or "other"
    # keep at least some of the file's name: a long coder name is shortened instead (a
    # 100-character name used to leave no room, and "coder@file" became the coder itself)
    stem = stem[: max(MAX_NAME_LEN - len(coder) - 1, min(len(stem), 20))].strip("_") or "other"
    head = coder[: MAX_NAME_LEN - len(stem) - 1].rstrip()
    return f"{head}@{stem}"


@dataclass(frozen=True)
class MergeResult:
    """What :func:`merge_databases` did with one database."""

    path: str  # as given
    report: MergeReport | None  # None: refused before anything in it was compared
    error: AnnotatorError | None = None  # why nothing from it was merged (None: merged)


def merge_databases(
    store: Store,
    paths: Iterable[str | Path],
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    keep_going: bool = False,
) -> Iterator[MergeResult]:
    """Merge each database of ``paths`` into ``store`` (:func:`merge_database`: one
    transaction each), yielding each one's :class:`MergeResult` as soon as it is done.

    A database is refused, and nothing from it merged, on any :class:`AnnotatorError`
    (with ``strict``, a conflict is one: :class:`MergeConflictError`, whose report lists
    the conflicts). Without ``keep_going`` (the command line) every path is checked before
    anything is merged (the first problem is raised), and the first refused database is
    the last result: those before it stay merged. With ``keep_going`` (the window) the
    next database is merged after a refused one. ``progress(done, total)`` is called after
    each database.
    """
    from .paths import check_inputs

    names = [str(p) for p in paths]
    if not keep_going:
        check_inputs(names, [store])  # all of them before anything is merged
        for name in names:
            _refuse_labels_as_text(Path(name))
    for i, path in enumerate(names):
        try:
            result = MergeResult(path, merge_database(store, path, strict=strict))
        except MergeConflictError as e:
            result = MergeResult(path, e.report, e)
        except AnnotatorError as e:
            result = MergeResult(path, None, e)
        if progress:
            progress(i + 1, len(names))
        yield result
        if result.error is not None and not keep_going:
            return


def _holds_labels_as_text(path: Path) -> bool:
    """Whether ``path``, a regular file, begins as a JSONL file of labels does (``{``),
    which SQLite would call "not a database". Anything else is not opened here (a named
    pipe would block the read): the store says what it is."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return False  # reported as SQLite finds it
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def _refuse_labels_as_text(path: Path) -> None:
    if _holds_labels_as_text(path):
        raise AnnotatorError(
            f"{path}: a file of labels (JSONL), not a database: read it with"
            " 'annotator import-labels'"
        )


def merge_database(store: Store, other_path: str | Path, strict: bool = False) -> MergeReport:
    """Merge one database into ``store`` in a single transaction."""
    from .paths import check_input

    check_input(other_path, [store])  # before anything opens it: that would drop our locks
    other_path = Path(other_path)
    if other_path.resolve() == store.path.resolve():
        raise AnnotatorError(f"{other_path}: cannot merge a database into itself")
    _refuse_labels_as_text(other_path)
    report = MergeReport(str(other_path))
    stem = other_path.stem
    with read_snapshot(other_path) as other, store.transaction():
        _merge_schemes(store, other, report)
        theirs = other.scheme_versions()
        # labels made before a codebook change recorded here are read under today's names
        renames = Renames(store, max(theirs)) if theirs else None
        ids: dict[int, int] = {}  # the other file's document ids -> this database's
        try:
            packed_for = other.pack_coder()  # a coder's pack speaks only for its coder
            # the documents the pack assigns its coder in a round this database has (by
            # name): the database it was made from had them
            ours = {r.name for r in store.rounds()}
            assigned = {
                a.doc_id: a.round
                for a in (other.assignments() if packed_for else ())
                if a.coder == packed_for and a.round in ours
            }
        except (AnnotatorError, ValueError, sqlite3.Error) as e:
            raise AnnotatorError(f"{other_path}: its settings cannot be read ({e})") from None
        for sd in other.stored_documents():
            where = f"{other_path}: document {sd.id}"
            try:
                ids[sd.id or 0] = _merge_document(
                    store, other, sd, stem, report, where, renames or None, packed_for, assigned
                )
            except ValidationError as e:  # a store call refused a row: name the file
                raise AnnotatorError(f"{where}: {e}") from None
        _merge_design(store, other, ids, report, str(other_path))
        if strict and report.new_conflicts:
            raise MergeConflictError(report)
    return report


def _merge_document(
    store: Store,
    other: Store,
    sd: StoredDocument,
    stem: str,
    report: MergeReport,
    where: str,
    renames: Renames | None = None,
    packed_for: str | None = None,
    assigned: Mapping[int, str] | None = None,
) -> int:
    """Merge one document of the other file and its labels; returns its id here. From
    ``packed_for``'s pack only that coder's labels, memo and status are taken: the other
    coders' in it (``pack --with-labels``) are a copy made when it was packed, which the
    coder could not change, and would bring back what they deleted or recoded since."""
    _check_document(sd, where)
    their_id = sd.id
    if their_id is None:  # never in a file annotator wrote (documents.id is its rowid)
        raise AnnotatorError(f"{where}: its id is empty (NULL)")
    doc_id = store.document_id_by_hash(sd.sha256)
    carrier: OlderText | None = None
    if doc_id is None and (older := store.document_by_old_text(sd.sha256)) is not None:
        # the other file was made before import --update corrected the document here
        doc_id = older[0]
        carrier = OlderText(store, doc_id, older[1], sd.text)
        report.texts_corrected += 1
    if doc_id is None and assigned and their_id in assigned:
        # A pack holds the documents of the database it was made from: one this database
        # lacks that the pack assigns its coder in a round this database has is from a pack
        # of another study, whose queue would be mixed into this study's round of that name.
        raise AnnotatorError(
            f"{where}: not in this database, though the pack assigns it to {packed_for} in"
            f" round {assigned[their_id]!r}, which this database has: the pack was made from"
            " another database (another study?); nothing merged"
        )
    if doc_id is None:
        sd = _with_usable_tokens(replace(sd, title=" ".join(sd.title.split())), report)
        doc_id = store.add_stored_document(sd)
        report.documents_added += 1
    try:
        theirs = _labels(other, their_id)
        their_memos = other.memos(their_id)
        their_statuses = other.statuses(their_id)
        times = _times(other, their_id)
    except (ValueError, sqlite3.Error) as e:  # a label that is not JSON, a name not UTF-8
        raise AnnotatorError(f"{where}: labels cannot be read ({e})") from None
    for coder in theirs.keys() | their_memos.keys():
        _check_labels(coder, theirs.get(coder, ([], {})), len(sd.text), where, store)
    for coder, origins in times.field_origins.items():
        for fname, origin in origins.items():
            _check_origin(origin, f"{where}: {coder}'s field {fname!r}")
    flagged: dict[str, set[tuple[int, int, str, str]]] = {}
    if renames is not None or carrier is not None:
        theirs, times, flagged = _translated(theirs, times, renames, carrier, report)
    ours = _labels(store, doc_id)
    our_memos = store.memos(doc_id)
    targets: dict[str, str] = {}  # coder -> name their labels (and status) go under
    others_differ = False  # another coder's labels in a pack that differ from ours
    for coder in sorted(theirs.keys() | their_memos.keys()):
        their = theirs.get(coder, ([], {}))
        their_memo = their_memos.get(coder, "")
        if coder == GOLD:  # adjudication is done in the lead's database
            if not _subset(their, ours.get(GOLD, ([], {}))):  # reported unless already here
                report.gold_skipped += 1
            continue
        if packed_for is not None and coder != packed_for:
            others_differ = others_differ or not (
                _subset(their, ours.get(coder, ([], {})))
                and _memo_in(their_memo, our_memos.get(coder, ""))
            )
            continue
        target = targets[coder] = coder
        mine = ours.get(coder, ([], {}))
        my_memo = our_memos.get(coder, "")
        if _subset(their, mine) and _memo_in(their_memo, my_memo):
            continue
        if not (_subset(mine, their) and _memo_in(my_memo, their_memo)):
            memo_only = _subset(their, mine) and _subset(mine, their)
            target = targets[coder] = _conflict_name(coder, stem)
            mine = ours.get(target, ([], {}))
            my_memo = our_memos.get(target, "")
            kept = _subset(their, mine) and _memo_in(their_memo, my_memo)
            report.conflicts.append(
                Conflict(doc_id, sd.title, coder, target, not kept, memo=memo_only)
            )
            if kept:
                continue
            if not (_subset(mine, their) and _memo_in(my_memo, their_memo)):
                raise AnnotatorError(
                    f"{where}: {target!r} already holds a"
                    " different version; rename the file and merge again"
                )
        report.coders.add(coder)
        _copy_labels(
            store, doc_id, target, their, mine, report, times, coder,
            flagged.get(coder, set()), carrier.reason if carrier else "",
        )  # fmt: skip
        if their_memo and their_memo != my_memo:
            store.set_memo(doc_id, target, their_memo, at=times.memos.get(coder, ""))
            report.memos_set += 1
    report.others_skipped += others_differ
    for coder, (state, secs) in their_statuses.items():
        if coder == GOLD or (packed_for is not None and coder != packed_for):
            continue
        _check_status(coder, state, secs, where)
        target = targets.get(coder, coder)
        before = store.statuses(doc_id).get(target)
        store.merge_status(doc_id, target, state, secs, at=times.status.get(coder, ""))
        if store.statuses(doc_id).get(target) != before:
            report.statuses_updated += 1
    return doc_id


def _merge_design(
    store: Store, other: Store, ids: dict[int, int], report: MergeReport, where: str
) -> None:
    """Add the rounds and assignments of ``other`` that ``store`` lacks (see the module's
    docstring); ``ids`` maps the other file's document ids to this database's."""
    try:
        their_rounds = other.rounds()
        theirs = other.assignments()
        packed_for = other.pack_coder()
    except (AnnotatorError, ValueError, sqlite3.Error) as e:
        raise AnnotatorError(f"{where}: its rounds cannot be read ({e})") from None
    if packed_for is not None:
        # A coder's pack speaks only for its coder, and never for the sample: a pack
        # edited by hand must not add documents to another coder's queue or to the
        # reliability sample.
        theirs = [a._replace(reliability=None) for a in theirs if a.coder == packed_for]
    ours = {r.name for r in store.rounds()}
    for r in their_rounds:
        if r.name in ours:
            continue
        try:
            store.create_round(r.name, r.seed, r.design)
        except (ValidationError, ValueError) as e:
            raise AnnotatorError(f"{where}: round {r.name!r}: {e}") from None
        report.rounds_added.append(r.name)
    have: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    for a in store.assignments():
        docs, positions = have.setdefault((a.round, a.coder), (set(), set()))
        docs.add(a.doc_id)
        positions.add(a.position)
    new: dict[str, list[tuple[str, int, bool | None, int]]] = {}
    for a in theirs:  # by round, coder and queue position
        doc = ids.get(a.doc_id)
        if doc is None:
            raise AnnotatorError(
                f"{where}: {a.coder}'s assignment in round {a.round!r} names document"
                f" {a.doc_id}, which the file does not hold"
            )
        docs, positions = have.setdefault((a.round, a.coder), (set(), set()))
        if doc in docs:
            continue  # assigned here already: never changed
        position = a.position if a.position not in positions else max(positions) + 1
        docs.add(doc)
        positions.add(position)
        new.setdefault(a.round, []).append((a.coder, doc, a.reliability, position))
    for name, rows in new.items():
        try:
            report.assignments_added += store.add_assignments(name, rows)
        except ValidationError as e:
            raise AnnotatorError(f"{where}: round {name!r}: {e}") from None


def _check_document(sd: StoredDocument, where: str) -> None:
    """Refuse a document row that is not what annotator stores (AnnotatorError)."""
    if not isinstance(sd.text, str):
        raise AnnotatorError(f"{where}: text is not text (a {type(sd.text).__name__})")
    if not sd.text.strip():
        raise AnnotatorError(f"{where}: text is empty")
    if normalize_text(sd.text) != sd.text:
        raise AnnotatorError(f"{where}: text has \\r line breaks or a byte-order mark")
    if sd.sha256 != text_hash(sd.text):
        raise AnnotatorError(f"{where}: sha256 {str(sd.sha256)[:16]!r}... does not match the text")
    for name in ("title", "source", "pipeline"):
        if not isinstance(getattr(sd, name), str):
            raise AnnotatorError(f"{where}: {name} is not text")


def _offsets_fit(blob: object, text: str, cover: bool) -> bool:
    """Do the packed offsets decode into sorted, non-empty ranges inside ``text`` (and,
    with ``cover``, leave only whitespace between them, as spaCy's tokens do)?"""
    if not isinstance(blob, bytes):
        return False
    try:
        starts, ends = unpack(blob)
    except ValueError:
        return False
    prev = 0
    for a, b in zip(starts, ends, strict=True):
        if not prev <= a < b <= len(text):
            return False
        if cover and a > prev and not text[prev:a].isspace():
            return False
        prev = b
    return not cover or prev == len(text) or text[prev:].isspace()


def _with_usable_tokens(sd: StoredDocument, report: MergeReport) -> StoredDocument:
    """The document, re-tokenised if its stored token or sentence offsets are unusable."""
    if _offsets_fit(sd.token_offsets, sd.text, cover=True) and _offsets_fit(
        sd.sentence_offsets, sd.text, cover=False
    ):
        return sd
    pipeline = sd.pipeline or DEFAULT_PIPELINE
    try:
        arrays = next(tokenize_arrays([sd.text], pipeline))
    except AnnotatorError:  # the pipeline it was made with is not installed here
        pipeline = DEFAULT_PIPELINE
        arrays = next(tokenize_arrays([sd.text], pipeline))
    tokens, sentences = arrays.packed()
    report.retokenised += 1
    return replace(sd, token_offsets=tokens, sentence_offsets=sentences, pipeline=pipeline)


def _check_labels(
    coder: str, labels: Labels, length: int, where: str, store: Store | None = None
) -> None:
    if coder != GOLD:
        try:
            check_coder_name(coder)
        except ValidationError as e:
            # a coder this database already has (named before today's rule, e.g. source:x,
            # whose pack comes back) merges as the store's own rule for known names allows
            if store is None or coder in RESERVED_NAMES or coder not in store.coders():
                raise AnnotatorError(f"{where}: {e}") from None
    for start, end, label, note, version, origin in labels[0]:
        what = f"{where}: {coder}'s span [{start!r}, {end!r})"
        _check_origin(origin, what)
        for v in (start, end):
            if not isinstance(v, int) or isinstance(v, bool):
                raise AnnotatorError(f"{what}: offsets must be integers")
        if not 0 <= start < end <= length:
            raise AnnotatorError(f"{what} does not lie inside the text (length {length})")
        if not isinstance(label, str) or not isinstance(note, str):
            raise AnnotatorError(f"{what}: label and note must be text")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise AnnotatorError(f"{what}: scheme_version must be an integer")
    for fname, value in labels[1].items():
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, str) for v in values):
            raise AnnotatorError(f"{where}: {coder}'s field {fname!r}: {value!r} is not an option")


def _check_origin(origin: object, what: str) -> None:
    problem = origin_problem(origin)
    if problem is not None:
        raise AnnotatorError(f"{what}: {problem}")


def _check_status(coder: str, state: object, secs: object, where: str) -> None:
    if state not in STATES:
        raise AnnotatorError(f"{where}: {coder}'s status {state!r} is not one of {STATES}")
    if (
        isinstance(secs, bool)
        or not isinstance(secs, int | float)
        or not math.isfinite(secs)
        or secs < 0
    ):
        raise AnnotatorError(f"{where}: {coder}'s seconds_spent {secs!r} is not a finite time")


def _copy_labels(
    store: Store, doc_id: int, coder: str, their: Labels, mine: Labels, report: MergeReport,
    times: _Times, source: str, flag: set[tuple[int, int, str, str]] | None = None,
    reason: str = "",
) -> None:  # fmt: skip
    """Copy ``their`` labels (``source``'s in the other file) that ``mine`` lacks under
    ``coder``, each with the time and origin the other file records for it; a span of
    ``flag`` (its text changed since the other file was made) is flagged with ``reason``."""
    have = Counter(_key(s) for s in mine[0])
    versions = set(store.scheme_versions())
    span_times = times.spans.get(source, {})
    field_times = times.fields.get(source, {})
    field_origins = times.field_origins.get(source, {})
    for start, end, label, note, version, origin in sorted(their[0], key=_key):
        stamps = span_times.get((start, end, label, note), [])
        at = stamps.pop(0) if stamps else ""
        if have[(start, end, label, note)] > 0:
            have[(start, end, label, note)] -= 1
            continue
        added = store.add_span(
            doc_id, coder, start, end, label, note,
            scheme_version=version if version in versions else None, at=at, origin=origin,
        )  # fmt: skip
        if flag and (start, end, label, note) in flag:
            store.flag_span(added.id, reason)
        report.spans_added += 1
    for fname, value in sorted(their[1].items()):
        if mine[1].get(fname) != value:
            store.set_doc_label(
                doc_id, coder, fname, list(value) if isinstance(value, tuple) else value,
                at=field_times.get(fname, ""), origin=field_origins.get(fname, "manual"),
            )  # fmt: skip
            report.doc_labels_set += 1


def _translated(
    theirs: dict[str, Labels],
    times: _Times,
    renames: Renames | None,
    carrier: OlderText | None,
    report: MergeReport,
) -> tuple[dict[str, Labels], _Times, dict[str, set[tuple[int, int, str, str]]]]:
    """The other file's labels (and their times) under the current names (``renames``)
    and on the current text (``carrier``); per coder, the spans whose text changed."""
    out: dict[str, Labels] = {}
    span_times: dict[str, dict[tuple[int, int, str, str], list[str]]] = {}
    field_times: dict[str, dict[str, str]] = {}
    origins: dict[str, dict[str, str]] = {}
    flagged: dict[str, set[tuple[int, int, str, str]]] = {}
    for coder, (spans, fields) in theirs.items():
        stamps = {k: list(v) for k, v in times.spans.get(coder, {}).items()}
        new_stamps: dict[tuple[int, int, str, str], list[str]] = {}
        rows: list[SpanRow] = []
        for start, end, label, note, version, origin in spans:
            at = stamps.get((start, end, label, note), [])
            stamp = at.pop(0) if at else None
            if renames is not None and renames.label(label) != label:
                label, version = renames.label(label), None
                report.labels_renamed += 1
            if carrier is not None:
                moved = carrier(start, end)
                if moved.outcome == LOST:
                    report.spans_lost += 1
                    continue
                report.spans_moved += moved.outcome == MOVED
                report.spans_changed += moved.outcome == CHANGED
                start, end = moved.start, moved.end
                if moved.outcome == CHANGED:
                    flagged.setdefault(coder, set()).add((start, end, label, note))
            rows.append((start, end, label, note, version, origin))
            if stamp is not None:
                new_stamps.setdefault((start, end, label, note), []).append(stamp)
        span_times[coder] = new_stamps
        values: dict[str, str | tuple[str, ...]] = {}
        for fname, value in fields.items():
            if renames is None:
                values[fname] = value
                continue
            name, mapped = renames.field(fname), renames.value(fname, value)
            report.labels_renamed += (name, mapped) != (fname, value)
            values[name] = mapped
        out[coder] = (rows, values)
    for coder, per in times.fields.items():
        field_times[coder] = {renames.field(f) if renames else f: at for f, at in per.items()}
    for coder, per in times.field_origins.items():
        origins[coder] = {renames.field(f) if renames else f: o for f, o in per.items()}
    for coder, per_key in times.spans.items():
        span_times.setdefault(coder, per_key)
    return out, times._replace(spans=span_times, fields=field_times, field_origins=origins), flagged


def _merge_schemes(store: Store, other: Store, report: MergeReport) -> None:
    ours = store.scheme_versions()
    for version in other.scheme_versions():
        toml = other.scheme_version_toml(version)
        if not isinstance(toml, str):
            raise AnnotatorError(f"{other.path}: scheme v{version} is not text")
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
        # as stored: a scheme an earlier version recorded may use keys today's rule refuses
        store.record_scheme(
            parse_scheme(toml, source=f"{other.path} (scheme v{version})", stored=True)
        )
        ours.append(version)
        report.schemes_added.append(version)
