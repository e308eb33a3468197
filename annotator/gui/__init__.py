"""The annotation window (PySide6). The only part of the package that imports Qt."""

from ._compat import NONE_GUARD_APPLIED
from .app import main_window, run

__all__ = ["NONE_GUARD_APPLIED", "main_window", "run"]
