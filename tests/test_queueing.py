"""The rule of a coder's queue (annotator/queueing.py): what is done, what comes next;
and the store's one query for the window (``Store.coder_queue``, ``Store.pack_coder``)."""

from __future__ import annotations

import pytest

from annotator.queueing import (
    all_done_message,
    done_in_queue,
    first_to_open,
    next_not_done,
    round_header,
)
from annotator.store import PACK_CODER, PACK_ROUND, Store

Q = [30, 10, 20, 40]


def test_done_counts_only_done_documents_of_the_queue():
    states = {30: "done", 10: "in_progress", 99: "done"}  # 99: not in the queue
    assert done_in_queue(Q, states) == 1
    assert done_in_queue([], states) == 0
    assert round_header("main", Q, states) == "Round main · 1 of 4 done"


@pytest.mark.parametrize(
    ("states", "current", "expected"),
    [
        ({}, 30, 10),  # the next in the queue's order, not by id
        ({10: "done"}, 30, 20),  # done ones are skipped
        ({10: "in_progress"}, 30, 10),  # begun is not done
        ({}, 40, 30),  # after the last: wraps to the first
        ({30: "done", 10: "done"}, 40, 20),  # wraps, skipping done ones
        ({30: "done", 10: "done", 20: "done"}, 40, None),  # all others done
        ({30: "done", 10: "done", 20: "done", 40: "done"}, 40, None),
        ({30: "done"}, 99, 10),  # an article outside the queue: from the start
        ({}, None, 30),
        ({}, 20, 40),
    ],
)
def test_next_not_done_after_the_current_place_wrapping(states, current, expected):
    assert next_not_done(Q, states, current) == expected


def test_the_window_opens_on_the_first_not_done():
    assert first_to_open(Q, {30: "done"}) == 10
    assert first_to_open(Q, dict.fromkeys(Q, "done")) == 30  # all done: the first
    assert first_to_open([], {}) is None


def test_all_done_message():
    assert all_done_message("main", Q) == "All 4 articles of round main are done."
    assert all_done_message("pilot", [5]) == "The 1 article of round pilot is done."


def test_coder_queue_is_the_current_round_s_queue(store, make_doc):
    docs = [make_doc(f"Text number {i}.") for i in range(4)]
    assert store.coder_queue("ana") is None  # no rounds
    store.create_round("pilot", 1, {})
    assert store.coder_queue("ana") == ("pilot", [])  # a round, nothing assigned
    store.add_assignments("pilot", [("ana", docs[0], True, 1)])
    store.create_round("main", 2, {})
    store.add_assignments(
        "main",
        [("ana", docs[3], True, 1), ("ana", docs[1], False, 3), ("ana", docs[2], None, 2)]
        + [("ben", docs[0], False, 1)],
    )
    assert store.coder_queue("ana") == ("main", [docs[3], docs[2], docs[1]])  # the last round
    assert store.coder_queue("ben") == ("main", [docs[0]])
    assert store.coder_queue("nobody") == ("main", [])
    store.set_setting(PACK_ROUND, "pilot")  # a pack's round comes first
    assert store.coder_queue("ana") == ("pilot", [docs[0]])
    store.set_setting(PACK_ROUND, "gone")  # not a round of this file: the last one
    assert store.coder_queue("ana") == ("main", [docs[3], docs[2], docs[1]])
    assert store.current_round() == "main"


def test_pack_coder_reads_the_setting_the_pack_writes(store):
    assert store.pack_coder() is None
    store.set_setting(PACK_CODER, "ana")
    assert store.pack_coder() == "ana" == store.setting(PACK_CODER)
    # the store's window-side module reads the same two settings
    from annotator.store import queue_queries

    assert (queue_queries.PACK_CODER, queue_queries.PACK_ROUND) == (
        PACK_CODER,
        PACK_ROUND,
    )


def test_a_read_only_store_answers_too(tmp_path, make_doc):
    path = tmp_path / "ro.db"
    with Store(path) as s:
        s.create_round("main", 1, {})
    with Store(path, readonly=True) as ro:
        assert ro.coder_queue("ana") == ("main", [])
        assert ro.pack_coder() is None
