"""Issue 12, point 8: the window opens at a size that fits the screen's available area
(status bar, done count and codebook all on screen at 1366×768), a remembered size larger
than the screen is clamped, and size, panes and zoom are remembered on this machine.

Each window runs in its own process on an offscreen screen of the given size
(``offscreen:configfile=``), with real widgets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize

HERE = Path(__file__).resolve().parent


def _screen(tmp_path: Path, width: int, height: int) -> str:
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(
        json.dumps(
            {
                "windowFrameMargins": True,
                "screens": [
                    {
                        "name": "s",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    },
                ],
            }
        )  # fmt: skip
    )
    return f"offscreen:configfile={config}"


def _open(db: Path, settings: Path, platform: str, *opts: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    out = subprocess.run(
        [sys.executable, str(HERE / "window_fit_helper.py"), str(db), str(settings), *opts],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _inside(rect: list[int], area: list[int]) -> bool:
    left, top, right, bottom = rect
    return area[0] <= left and area[1] <= top and right <= area[2] and bottom <= area[3]


@pytest.mark.parametrize("screen", [(1366, 768), (1920, 1080)])
def test_the_window_fits_the_screen_with_everything_essential_on_it(db, tmp_path, screen):
    r = _open(db, tmp_path / "q", _screen(tmp_path, *screen))
    avail = r["available"]
    assert avail == [0, 0, screen[0] - 1, screen[1] - 1]
    assert _inside(r["frame"], avail), r
    assert r["panel_ready"]
    for part in ("status_bar", "done_count", "panel"):  # the codebook's right edge included
        assert _inside(r[part], avail), (part, r)
    assert "done 0 of" in r["done_text"]


def test_a_remembered_size_larger_than_the_screen_is_clamped(db, tmp_path):
    settings_dir = tmp_path / "q"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    s = QSettings()
    s.setValue("window/size", QSize(2400, 1500))  # saved on a large monitor
    s.sync()
    r = _open(db, settings_dir, _screen(tmp_path, 1366, 768))
    assert _inside(r["frame"], r["available"]), r
    assert r["size"][0] < 1366 and r["size"][1] < 768
    assert _inside(r["status_bar"], r["available"]) and _inside(r["panel"], r["available"])


def test_size_panes_and_zoom_are_remembered(db, tmp_path):
    settings_dir = tmp_path / "q"
    platform = _screen(tmp_path, 1920, 1080)
    first = _open(
        db, settings_dir, platform, "--zoom-in", "--panes", "260,900,400", "--size", "1500x950"
    )
    again = _open(db, settings_dir, platform)
    assert again["size"] == [1500, 950]
    assert again["splitter"] == first["splitter_set"]
    assert again["font_pt"] == first["font_pt"] + 2


def test_panes_left_wide_on_a_large_monitor_still_fit_a_laptop(db, tmp_path):
    settings_dir = tmp_path / "q"
    big = _open(
        db, settings_dir, _screen(tmp_path, 1920, 1080), "--size", "1880x1000",
        "--panes", "600,680,600",
    )  # fmt: skip
    assert big["splitter_set"][0] == 600
    r = _open(db, settings_dir, _screen(tmp_path, 1366, 768))
    assert _inside(r["frame"], r["available"]), r
    for part in ("status_bar", "done_count", "panel"):
        assert _inside(r[part], r["available"]), (part, r)
    assert r["splitter"][0] < r["splitter"][1] * 1.5  # the article keeps a useful width
