"""The tests never read or write the user's own settings: the window's QSettings (the
native format, ``~/.config/annotator/annotator.conf`` on Linux) go to each test's folder
(tests/gui/conftest.py). A test that runs the window without ``settings=`` wrote a coder
remembered for its databases into the real file before."""

from __future__ import annotations


def test_the_windows_settings_file_is_in_the_tests_folder(tmp_path):
    from annotator.gui.coder import app_settings

    settings = app_settings()
    settings.setValue("probe", "x")
    settings.sync()
    assert settings.fileName().startswith(str(tmp_path)), settings.fileName()


def test_each_test_has_its_own_settings(tmp_path):
    from annotator.gui.coder import app_settings

    assert app_settings().value("probe") is None  # not the previous test's
