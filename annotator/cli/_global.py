"""The global options (``--db``, ``--annotator``, ``--busy-timeout``): given before the
command, as always, or after it (``annotator merge a.db b.db --db project.db``).

The group declares them with their defaults; every command gets a copy without a default,
shown in its help, whose value replaces the group's. A command that has an option of the
same name (``export --annotator``, ``import-labels --annotator``) keeps its own.
Given on both sides with different values, the command refuses in one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from ..project import DEFAULT_DB
from ..store import BUSY_TIMEOUT_S, check_coder_option

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "The labels database (created on first use)."
CODER_HELP = "Coder name for the window."
TIMEOUT_HELP = "Seconds to wait while another program holds the database's lock."


class _Seconds(click.FloatRange):
    """A number of seconds from 0 to a day; NaN, which every range comparison lets
    through, is refused as out of range too (it reached SQLite's busy timeout)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        rv = super().convert(value, param, ctx)
        if rv != rv:  # NaN
            self.fail(f"{rv} is not in the range {self._describe_range()}.", param, ctx)
        return rv


TIMEOUT_TYPE = _Seconds(0, 24 * 3600)


def group_options(f: F) -> F:
    """The group's options, with their defaults."""
    f = click.option(
        "--busy-timeout",
        "busy_timeout",
        type=TIMEOUT_TYPE,
        default=BUSY_TIMEOUT_S,
        show_default=True,
        help=TIMEOUT_HELP,
    )(f)
    f = click.option("--annotator", "coder", default=None, help=CODER_HELP)(f)
    f = click.option(
        "--db",
        "db",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False),
        help=DB_HELP,
    )(f)
    return f


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "db":  # one file, however it is spelled (./x.db, x.db)
        return bool(os.path.abspath(a) == os.path.abspath(b))
    return bool(a == b)


def _after_command(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command: it replaces the group's value."""
    if value is None or param.name is None:
        return
    obj = ctx.ensure_object(dict)
    group = ctx.parent
    before = group is not None and group.get_parameter_source(param.name) in (
        ParameterSource.COMMANDLINE,
        ParameterSource.ENVIRONMENT,
    )
    if before and not _same(param.name, obj.get(param.name), value):
        opt = param.opts[0]
        raise click.UsageError(
            f"{opt} is given twice with different values ({obj.get(param.name)} before the"
            f" command, {value} after it); give it once",
            ctx,
        )
    if param.name == "coder":
        check_coder_option(value)
    obj[param.name] = value


def _command_options() -> list[click.Option]:
    return [
        click.Option(
            ["--db"],
            type=click.Path(dir_okay=False),
            default=None,
            expose_value=False,
            callback=_after_command,
            help=f"{DB_HELP}  [default: {DEFAULT_DB}]",
        ),
        click.Option(
            ["--annotator", "coder"],
            default=None,
            expose_value=False,
            callback=_after_command,
            help=f"{CODER_HELP[:-1]} (this command does not use it).",
        ),
        click.Option(
            ["--busy-timeout", "busy_timeout"],
            type=TIMEOUT_TYPE,
            default=None,
            expose_value=False,
            callback=_after_command,
            help=f"{TIMEOUT_HELP}  [default: {BUSY_TIMEOUT_S}]",
        ),
    ]


def add_global_options(command: click.Command) -> click.Command:
    """``command`` with the global options it does not define itself, listed last."""
    own = {o for p in command.params for o in getattr(p, "opts", ())}
    command.params.extend(o for o in _command_options() if o.opts[0] not in own)
    return command
