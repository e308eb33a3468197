"""A coder's queue in a round: what counts as done, and which document comes next.

Pure functions over the queue (document ids in the coder's order, ``Store.coder_queue``)
and each document's state for the coder (``new``, ``in_progress``, ``done``). The window
(``gui/navigation.py``, ``gui/document_list.py``) asks them, so that the rule is written
once, beside the other use cases, and tested without a window. Nothing here knows which
documents are in the reliability sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DONE = "done"


def done_in_queue(queue: Sequence[int], states: Mapping[int, str]) -> int:
    """How many documents of ``queue`` are done (a document without a state is new)."""
    return sum(1 for doc_id in queue if states.get(doc_id) == DONE)


def next_not_done(
    queue: Sequence[int], states: Mapping[int, str], current: int | None
) -> int | None:
    """The first document after ``current``'s place in ``queue`` that is not done,
    wrapping round to the queue's start; from the start when ``current`` is not in the
    queue. ``current`` itself never; None when every other document is done."""
    start = queue.index(current) + 1 if current in queue else 0
    for doc_id in [*queue[start:], *queue[:start]]:
        if doc_id != current and states.get(doc_id, "new") != DONE:
            return doc_id
    return None


def first_to_open(queue: Sequence[int], states: Mapping[int, str]) -> int | None:
    """The document a coder's window opens on: the first of the queue not done, else
    the queue's first; None for an empty queue."""
    for doc_id in queue:
        if states.get(doc_id, "new") != DONE:
            return doc_id
    return queue[0] if queue else None


def round_header(round_name: str, queue: Sequence[int], states: Mapping[int, str]) -> str:
    """The line above the coder's list: ``Round main · 3 of 12 done``."""
    return f"Round {round_name} · {done_in_queue(queue, states)} of {len(queue)} done"


def all_done_message(round_name: str, queue: Sequence[int]) -> str:
    """What the window says when Ctrl+Enter finds nothing left in the queue."""
    n = len(queue)
    if n == 1:
        return f"The 1 article of round {round_name} is done."
    return f"All {n} articles of round {round_name} are done."
