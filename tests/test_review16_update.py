"""``import --update`` attacked (issue 16 review): paragraphs that swap places, CRLF,
a byte-order mark, emoji and right-to-left texts, a gold span and suggestions on a
corrected document, the search index after an update."""

from __future__ import annotations

import pytest

from annotator.align import MOVED, UNCHANGED, align, carry
from annotator.store import Store


def test_the_example_hypothesis_found_a_span_whose_text_moves_to_the_end():
    old = "the the alliance alliance «ALPHA»  «ALPHA» "
    new = "t «ALPHA»  «ALPHA» the the alliance alliance"
    moved = carry(align(old, new), old, new, 26, 42)
    assert (moved.outcome, moved.start, moved.end) == (MOVED, 2, 18)


PARA_A = "Russia and Iran signed a pact that alarms the region.\n"
PARA_B = "Analysts doubt that the new partnership will last for long.\n"


@pytest.mark.parametrize("filler", [0, 400], ids=["short", "long"])
def test_swapped_paragraphs_keep_their_spans(filler):
    """Two paragraphs swap places: the alignment keeps one of them; the other's spans are
    found again where it was inserted (the long case goes through the line alignment)."""
    pad = "".join(f"Line {i} of the article stays as it was.\n" for i in range(filler))
    old = pad + PARA_A + PARA_B + pad
    new = pad + PARA_B + PARA_A + pad
    alignment = align(old, new)
    for para, word in ((PARA_A, "signed a pact"), (PARA_B, "doubt that")):
        start = old.index(para) + para.index(word)
        moved = carry(alignment, old, new, start, start + len(word))
        assert moved.outcome == MOVED
        assert moved.start == new.index(para) + para.index(word)


# -- import --update on real files, through the command ------------------------------

BOM_CRLF_OLD = "\ufeffHeadline 😀 here\r\nRussia and Iran signed a pact.\r\nשלום world مرحبا\r\n"
BOM_CRLF_NEW = (
    "\ufeffHeadline 😀😀 here\r\nRussia and North Korea signed a pact.\r\nשלום world مرحبا\r\n"
)


def _annotator(db, *args, cwd):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True, text=True, cwd=cwd,
    )  # fmt: skip


def test_update_of_a_crlf_bom_emoji_rtl_text_with_gold_and_suggestions(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_bytes(BOM_CRLF_OLD.encode("utf-8"))
    db = tmp_path / "labels.db"
    assert _annotator(db, "import", str(folder / "a.txt"), cwd=tmp_path).returncode == 0
    with Store(db) as s:
        old = s.document(1).text
        assert old == "Headline 😀 here\nRussia and Iran signed a pact.\nשלום world مرحبا\n"
        signed, shalom = old.index("signed"), old.index("שלום")
        s.add_span(1, "ana", signed, signed + 6, "alarmist")
        s.add_span(1, "ana", shalom, shalom + 4, "policy_prescription")
        s.add_span(1, "ana", old.index("Iran"), old.index("Iran") + 4, "alarmist")
        s.add_gold_span(1, signed, signed + 6, "alarmist", ["ana"])
        s.replace_suggestions("patterns", [1], [(1, signed, signed + 6, "alarmist", 0.9)], [])
    (folder / "a.txt").write_bytes(BOM_CRLF_NEW.encode("utf-8"))
    done = _annotator(db, "import", "--update", str(folder / "a.txt"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "1 document(s) updated, 0 unchanged; spans: 0 unchanged, 3 moved, 1 changed"
        " (flagged for their coders), 0 lost (kept in the history)."
    )
    with Store(db) as s:
        new = s.document(1).text
        assert new == BOM_CRLF_NEW.removeprefix("\ufeff").replace("\r\n", "\n")
        texts = {sp.id: new[sp.start : sp.end] for sp in s.spans(1, "ana")}
        assert sorted(texts.values()) == ["North Korea", "signed", "שלום"]
        (flagged,) = s.flagged_spans(1)
        assert texts[flagged] == "North Korea"  # "Iran" was replaced: flagged
        (gold,) = s.spans(1, "gold")
        assert new[gold.start : gold.end] == "signed"
        assert s.suggestions(1) == []  # computed on the old text: removed
        assert s.old_text(1, 1) == old
        assert sorted(h.outcome for h in s.span_history(1)) == ["changed", *["moved"] * 3]
    # the search index follows the new text
    found = _annotator(db, "search", "North", cwd=tmp_path)
    assert found.returncode == 0 and "[North]" in found.stdout
    gone = _annotator(db, "search", "Iran", cwd=tmp_path)
    assert gone.returncode == 0 and "[Iran]" not in gone.stdout


# -- long articles: one line, scattered corrections ---------------------------------


def _article(end: str, size: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(3000)]  # fmt: skip
    paras, n = [], 0
    while n < size:
        p = " ".join(vocab[min(int(rng.paretovariate(1.0)) - 1, 2999)]
                     for _ in range(rng.randint(30, 120))) + end  # fmt: skip
        paras.append(p)
        n += len(p)
    return paras


@pytest.mark.parametrize("end", [". ", " "], ids=["sentences", "no-punctuation"])
def test_a_long_article_without_line_breaks_keeps_every_span_its_corrections_spare(end):
    """An article scraped without line breaks is one line: 20 corrections used to leave
    most of its spans lost (the line was too long to compare character by character)."""
    import random

    paras = _article(end, 200_000, seed=3)
    old = "".join(paras)
    rng = random.Random(4)
    edited = set()
    for _ in range(20):
        i = rng.randrange(len(paras))
        j = rng.randrange(len(paras[i]) - 10)
        paras[i] = paras[i][:j] + "CORRECTED " + paras[i][j + 5 :]
        edited.add(i)
    new = "".join(paras)
    starts = [0]
    for p in _article(end, 200_000, seed=3):
        starts.append(starts[-1] + len(p))
    alignment = align(old, new)
    checked = 0
    for k, (a, b) in enumerate(zip(starts, starts[1:], strict=False)):
        if k in edited:
            continue
        s, e = a + 3, min(b, a + 40)  # a span inside a paragraph no correction touched
        moved = carry(alignment, old, new, s, e)
        assert moved.outcome in (UNCHANGED, MOVED), (k, moved)
        assert new[moved.start : moved.end] == old[s:e]
        checked += 1
    assert checked > 100
