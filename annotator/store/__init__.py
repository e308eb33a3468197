"""The only package that touches SQLite.

``Store`` (:mod:`.database`) is the one public class: a labels database and every read
and write of it. Around it, by topic: :mod:`.schema` (the sqlite-utils migrations that
create and upgrade the schema), :mod:`.connection` (opening a file, the one-line errors
for what SQLite refuses), :mod:`.snapshot` (reading another database without writing
beside it), :mod:`.names` (the rule for coder names, finding a coder by name),
:mod:`.rows` (how values are stored), :mod:`.documents` (documents in bulk) and
:mod:`.queries` (whole-database reports) and :mod:`.coder_labels` (one coder's labels on
some documents deleted, a status set exactly: ``import-labels --replace``) and
:mod:`.study` (the design of a study: rounds, assignments, queues) and :mod:`.settings`
(settings of the file: a pack's coder and round).
No module outside this package runs SQL (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .connection import BUSY_TIMEOUT_S, SIDECARS, database_error
from .database import Store
from .names import (
    GOLD,
    MAX_NAME_LEN,
    RESERVED_NAMES,
    SOURCE_PREFIX,
    check_coder_name,
    check_coder_name_spelling,
    check_coder_option,
    resolve_coders,
    unknown_coder,
)
from .rows import now
from .schema import MIGRATION_SET, MIGRATIONS, index_progress, migrations
from .snapshot import read_snapshot

if TYPE_CHECKING:
    from .study import PACK_CODER, PACK_ROUND, Assignment, Round, check_round_name

# The study-design names, loaded when first used (opening the window needs none of them).
_STUDY = ("PACK_CODER", "PACK_ROUND", "Assignment", "Round", "check_round_name")


def __getattr__(name: str) -> Any:
    if name in _STUDY:
        from . import study

        return getattr(study, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PACK_CODER",
    "PACK_ROUND",
    "Assignment",
    "Round",
    "check_round_name",
    "BUSY_TIMEOUT_S",
    "GOLD",
    "MAX_NAME_LEN",
    "MIGRATIONS",
    "MIGRATION_SET",
    "RESERVED_NAMES",
    "SOURCE_PREFIX",
    "SIDECARS",
    "Store",
    "check_coder_name_spelling",
    "check_coder_option",
    "check_coder_name",
    "database_error",
    "index_progress",
    "migrations",
    "now",
    "read_snapshot",
    "resolve_coders",
    "unknown_coder",
]
