"""Command line: a thin shell over the core. Each command parses options, calls one
core function and prints its result. User errors print one line and exit 1.

The group and its error handling live here; the commands, by topic, in the modules
beside it (corpus, labels, merge, analysis), the window's launch in ``window``. A command's
module is imported when the command is asked for (run, or listed by ``--help``), and
each command imports the core modules it works with when it runs: opening the window
loads none of them (tests/gui/test_startup_path.py).
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import AnnotatorError
from ..project import DEFAULT_DB
from ..store import check_coder_option, database_error
from ._global import add_global_options, group_options
from ._util import not_utf8, one_line
from .window import launch_gui

# Each command: its name, the module (beside this one) and the function that define it.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("corpus", "init"),
    "import": ("corpus", "import_cmd"),
    "title": ("corpus", "title"),
    "export": ("labels", "export"),
    "import-labels": ("labels", "import_labels_cmd"),
    "merge": ("merge", "merge"),
    "pack": ("pack", "pack"),
    "stats": ("analysis", "stats"),
    "gold": ("analysis", "gold"),
    "agreement": ("analysis", "agreement"),
    "assign": ("assign", "assign"),
    "search": ("search", "search"),
    "progress": ("progress", "progress"),
    "suggest": ("suggest", "suggest"),
    "import-suggestions": ("suggest", "import_suggestions_cmd"),
    "train": ("train", "train"),
    "scheme": ("scheme", "scheme"),
    "predict": ("predict", "predict"),
}


class _Group(click.Group):
    """Turns core errors into one-line messages instead of tracebacks; loads each command
    of ``COMMANDS`` (and the global options it gets) when it is first asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._unloaded = dict(COMMANDS)
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        """Every command, all loaded (what lists them all needs)."""
        for name in list(self._unloaded):
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._commands = value

    def _load(self, name: str) -> None:
        where = self._unloaded.pop(name, None)
        if where is None:
            return
        module, function = where
        command = getattr(importlib.import_module(f".{module}", __name__), function)
        assert isinstance(command, click.Command) and command.name == name, where
        self._commands[name] = add_global_options(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._commands, *self._unloaded})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Bytes that are not UTF-8 reach Python as lone surrogates: refuse them here, before
        # they can become a file name or a stored value.
        for arg in args:
            if not_utf8(arg):
                shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
                raise click.ClickException(
                    f'argument "{shown}" is not valid UTF-8 text; rename the file or convert'
                    " the text to UTF-8"
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as e:
            # click declares ``message`` Final, yet it is a plain attribute; a new exception
            # would lose the subclass (a UsageError's exit code and usage line)
            e.message = one_line(e.message)  # type: ignore[misc]
            raise
        except AnnotatorError as e:
            raise click.ClickException(one_line(str(e))) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; everything committed before this point is kept.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(1)
        except sqlite3.Error as e:  # e.g. a read refused by a lock held beyond the timeout
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            raise click.ClickException(
                one_line(str(database_error(db, e, "database error")))
            ) from None
        except OSError as e:  # the disk or the file system refused (full, permissions, ...)
            where = f"{e.filename}: " if e.filename else ""
            raise click.ClickException(one_line(f"{where}{e.strerror or e}")) from None
        except OverflowError as e:
            raise click.ClickException(f"a number is too large ({e})") from None
        except UnicodeDecodeError as e:  # a damaged database's text, as a last resort
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            raise click.ClickException(
                f"{db}: text that is not valid UTF-8 ({e.reason} at byte {e.start}); the"
                " database or an input is damaged"
            ) from None
        except (ValueError, IndexError, KeyError, TypeError) as e:
            # a stored value no code path expects: a damaged or hand-edited database (a
            # date, a token blob or a label's JSON), or a bug; one line either way
            db = Path((ctx.obj or {}).get("db") or DEFAULT_DB)
            what = one_line(f"{type(e).__name__}: {e}")[:160]
            raise click.ClickException(
                f"{db}: a stored value cannot be read ({what}); the database may be damaged"
                f" or edited by hand (check it with PRAGMA integrity_check), or this is a bug"
            ) from None


@click.group(cls=_Group, invoke_without_command=True)
@click.version_option(__version__, prog_name="annotator")
@group_options
@click.pass_context
def cli(ctx: click.Context, db: str, coder: str | None, busy_timeout: float) -> None:
    """Annotate news articles for framing: spans, document labels, agreement, exports.

    Without a command, opens the annotation window on the database.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["busy_timeout"] = busy_timeout
    if coder is not None:
        check_coder_option(coder)  # the window's coder: the one rule for names, one line
    ctx.obj["coder"] = coder
    if ctx.invoked_subcommand is None:
        launch_gui(ctx)


def main() -> None:
    cli(prog_name="annotator")
