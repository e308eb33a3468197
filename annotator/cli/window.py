"""Without a command: the annotation window on the database."""

from __future__ import annotations

import click

from ..errors import AnnotatorError
from ._util import open_db


def launch_gui(ctx: click.Context) -> None:
    try:
        from ..gui.app import run
    except ImportError as e:
        from ..syslibs import pyside_problem

        # PySide6 is there, a system library is not: the loader's message names it, unless
        # shiboken's ("could not import module 'PySide6.QtGui'") came first and hides it
        problem = pyside_problem(str(e)) or pyside_problem(_import_error("PySide6.QtGui"))
        if problem:
            raise AnnotatorError(problem) from None
        open_db(ctx)
        click.echo(
            "The annotation window is not available in this version yet; use the commands"
            " below (see 'annotator --help')."
        )
        click.echo(ctx.get_help())
        return
    # Opened (and seeded if new) once, handed to the window: a database that cannot be
    # written opens read-only there, and --busy-timeout holds for it.
    store = open_db(ctx, reading=True)
    ctx.exit(run(store, ctx.obj["coder"]))


def _import_error(module: str) -> str:
    """The message of importing ``module`` (itself, not through another), or ""."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as e:
        return str(e)
    return ""
