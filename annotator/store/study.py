"""The design of a study as stored: rounds, assignments (who codes which document, in
which position of their queue, and whether it belongs to the reliability sample) and the
settings of this file.

Functions over an open connection; :class:`~annotator.store.Store` reaches them through
its study methods (``create_round``, ``add_assignments``, ``queue`` ...), which take the
write transaction. Imported only when a study method is first called, so opening the
window loads it only for a database that has a design.

A round is named by the study lead (``pilot``, ``main``); its ``design`` is a JSON object
describing how it was drawn (coders, overlap, seed ...), written by
:mod:`annotator.assign` and shown above agreement reports. ``reliability`` is True or
False in the lead's database and None in a coder's pack (the pack must not tell the coder
which documents are in the sample).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..errors import AnnotatorError, NotFoundError, ValidationError
from .settings import PACK_CODER as PACK_CODER  # re-exported: the store's study names
from .settings import PACK_ROUND as PACK_ROUND
from .settings import set_setting as set_setting
from .settings import setting as setting

MAX_ROUND_LEN = 64


class Round(NamedTuple):
    name: str
    seed: int | None
    design: dict[str, Any]
    created_at: str


class Assignment(NamedTuple):
    round: str
    coder: str
    doc_id: int
    reliability: bool | None  # None: not recorded in this file (a coder's pack)
    position: int  # 1-based position in the coder's queue for this round


def check_round_name(name: object) -> str:
    """A round name as given, or ValidationError naming the problem: a round is named in
    reports, file names of packs and command lines, so one short line of printable text."""
    if not isinstance(name, str):
        raise ValidationError(f"round name must be text, got {type(name).__name__}")
    if not name or name != name.strip():
        raise ValidationError(f"round name {name!r} must not be empty or begin or end with a space")
    if len(name) > MAX_ROUND_LEN:
        raise ValidationError(f"round name is longer than {MAX_ROUND_LEN} characters")
    if not name.isprintable():
        raise ValidationError(f"round name {name!r} contains a control character")
    return name


def round_id(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM rounds WHERE name = ?", (name,)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT name FROM rounds ORDER BY id")]
        raise NotFoundError(
            f"unknown round {name!r} (known: {', '.join(known)})"
            if known
            else f"unknown round {name!r}: this database has no assignments"
        )
    ident: int = row[0]
    return ident


def _design(text: str | None, name: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        raise AnnotatorError(f"round {name!r}: its stored design is not JSON") from None
    if not isinstance(value, dict):
        raise AnnotatorError(f"round {name!r}: its stored design is not a JSON object")
    return value


def create_round(
    conn: sqlite3.Connection, name: str, seed: int | None, design: dict[str, Any], stamp: str
) -> None:
    name = check_round_name(name)
    if conn.execute("SELECT 1 FROM rounds WHERE name = ?", (name,)).fetchone():
        raise ValidationError(f"round {name!r} already exists")
    if seed is not None and not -(2**63) <= seed < 2**63:
        raise ValidationError(f"seed {seed} does not fit in 64 bits")
    text = json.dumps(design, ensure_ascii=False, sort_keys=True, allow_nan=False)
    conn.execute(
        "INSERT INTO rounds (name, seed, design, created_at) VALUES (?, ?, ?, ?)",
        (name, seed, text, stamp),
    )


def rounds(conn: sqlite3.Connection) -> list[Round]:
    return [
        Round(name, seed, _design(design, name), created or "")
        for name, seed, design, created in conn.execute(
            "SELECT name, seed, design, created_at FROM rounds ORDER BY id"
        )
    ]


def add_assignments(
    conn: sqlite3.Connection,
    rid: int,
    rows: Iterable[tuple[int, int, bool | None, int]],
    stamp: str,
) -> int:
    """Insert ``(coder id, document id, reliability, position)`` rows; returns how many.
    A document or position given twice to one coder in the round is refused."""
    known = {r[0] for r in conn.execute("SELECT id FROM documents")}
    batch: list[tuple[int, int, int, int | None, int, str]] = []
    count = 0

    def flush() -> None:
        try:
            conn.executemany(
                "INSERT INTO assignments (round_id, annotator_id, document_id, reliability,"
                " position, assigned_at) VALUES (?, ?, ?, ?, ?, ?)",
                batch,
            )
        except sqlite3.IntegrityError as e:
            raise ValidationError(
                f"an assignment repeats a document or a queue position of a coder ({e})"
            ) from None
        batch.clear()

    for aid, doc_id, reliability, position in rows:
        if doc_id not in known:
            raise NotFoundError(f"unknown document {doc_id!r}")
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise ValidationError(f"queue position must be a whole number >= 1, got {position!r}")
        flag = None if reliability is None else int(bool(reliability))
        batch.append((rid, aid, doc_id, flag, position, stamp))
        count += 1
        if len(batch) >= 10_000:
            flush()
    if batch:
        flush()
    return count


def assignments(conn: sqlite3.Connection, rid: int | None, aid: int | None) -> list[Assignment]:
    where, params = [], []
    if rid is not None:
        where.append("x.round_id = ?")
        params.append(rid)
    if aid is not None:
        where.append("x.annotator_id = ?")
        params.append(aid)
    sql = (
        "SELECT r.name, a.name, x.document_id, x.reliability, x.position FROM assignments x"
        " JOIN rounds r ON r.id = x.round_id JOIN annotators a ON a.id = x.annotator_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY x.round_id, a.name, x.position"
    )
    return [
        Assignment(r, c, d, None if rel is None else bool(rel), p)
        for r, c, d, rel, p in conn.execute(sql, params)
    ]


def queue(conn: sqlite3.Connection, rid: int, aid: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT document_id FROM assignments WHERE round_id = ? AND annotator_id = ?"
            " ORDER BY position",
            (rid, aid),
        )
    ]


def round_coders(conn: sqlite3.Connection, rid: int) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT a.name FROM assignments x JOIN annotators a"
            " ON a.id = x.annotator_id WHERE x.round_id = ? ORDER BY a.name",
            (rid,),
        )
    ]


def assigned_documents(conn: sqlite3.Connection, rid: int | None) -> set[int]:
    if rid is None:
        rows = conn.execute("SELECT DISTINCT document_id FROM assignments")
    else:
        rows = conn.execute(
            "SELECT DISTINCT document_id FROM assignments WHERE round_id = ?", (rid,)
        )
    return {r[0] for r in rows}


def reliability_documents(conn: sqlite3.Connection, rid: int | None) -> list[int]:
    sql = "SELECT DISTINCT document_id FROM assignments WHERE reliability = 1"
    params: tuple[int, ...] = ()
    if rid is not None:
        sql += " AND round_id = ?"
        params = (rid,)
    return sorted(r[0] for r in conn.execute(sql + " ORDER BY document_id", params))
