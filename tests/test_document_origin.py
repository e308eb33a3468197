"""Issue 12, point 9 (the core): where and when an article appeared, for the document
list — read from the .jsonl ``meta`` keys documented in the README, the file name
otherwise; never guessed from the text. Real files, a real SQLite file."""

from __future__ import annotations

import json
import sqlite3

import pytest

from annotator.corpus import DATE_KEYS, SOURCE_KEYS, URL_KEYS, origin_and_date
from annotator.ingest import import_paths
from annotator.store import Store


@pytest.mark.parametrize(
    ("meta", "source", "expected"),
    [
        ({"source": "Reuters", "date": "2024-06-19"}, "w.jsonl:3", ("Reuters", "2024-06-19")),
        ({"publisher": " The  Guardian "}, "w.jsonl:4", ("The Guardian", "")),
        ({"url": "https://www.nknews.org/2024/06/x"}, "w.jsonl:5", ("nknews.org", "")),
        ({"link": "http://apnews.com/a", "published": "2024-06-19T08:30:00Z"}, "w.jsonl:6",
         ("apnews.com", "2024-06-19")),
        ({"source": "Yonhap", "url": "https://reuters.com/x"}, "w.jsonl:7", ("Yonhap", "")),
        ({"date": "19 June 2024"}, "/data/wire.jsonl:8", ("wire.jsonl:8", "19 June 2024")),
        ({"published_at": 2024}, "a.txt", ("a.txt", "2024")),
        ({"source": {"name": "AP"}, "date": ["2024"], "url": 5}, "C:\\in\\b.txt", ("b.txt", "")),
        ({"source": True, "date": None}, "", ("", "")),
        ({"url": "not a url"}, "x/c.txt", ("c.txt", "")),
    ],
)  # fmt: skip
def test_origin_and_date(meta, source, expected):
    assert origin_and_date(meta, source) == expected


def test_the_documented_keys_are_read_in_order():
    assert SOURCE_KEYS[0] == "source" and URL_KEYS[0] == "url"
    assert DATE_KEYS[:2] == ("date", "published")
    long = "x" * 100
    origin, date = origin_and_date({"source": long, "date": long}, "")
    assert len(origin) == 40 and origin.endswith("…") and len(date) == 25


def test_the_store_lists_origin_and_date_from_the_import(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # A "Time & Date" line in a text file is text, not metadata: no date is shown.
    (folder / "004_alliance.txt").write_text(
        "Time & Date\nNovember 21, 2024 4:08 pm\n\nA new alliance emerges in the east today",
        encoding="utf-8",
    )
    lines = [
        {"text": "Russia and Iran deepen their ties, officials say", "meta": {
            "source": "Reuters", "date": "2024-06-19"}},
        {"text": "North Korea sends troops to Russia, reports say", "meta": {
            "url": "https://www.nknews.org/x", "published": "2024-06-20T10:00:00+09:00"}},
        {"text": "China keeps its distance from the new axis", "meta": {}},
    ]  # fmt: skip
    (folder / "wire.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8"
    )
    path = tmp_path / "labels.db"
    with Store(path) as store:
        import_paths(store, [folder])
        rows = {r.title.split()[0]: (r.origin, r.date) for r in store.list_documents()}
    assert rows == {
        "A": ("004_alliance.txt", ""),
        "Russia": ("Reuters", "2024-06-19"),
        "North": ("nknews.org", "2024-06-20"),
        "China": ("wire.jsonl:3", ""),
    }
    # A meta that is not JSON (a damaged or hand-edited file) lists the file name.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE documents SET meta = '{not json' WHERE title LIKE 'Russia%'")
    with Store(path) as store:
        [row] = [r for r in store.list_documents() if r.title.startswith("Russia")]
        assert (row.origin, row.date) == ("wire.jsonl:1", "")
