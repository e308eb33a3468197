"""A synthetic framing corpus whose labels are learnable (issue 15), for tests/test_train.py
and bench/suggest_train.py: short articles of template sentences, each labelled sentence a
span (sanction language: policy_prescription; catastrophe language: alarmist; doubt about
the partnership: skeptical_of_alliance), neutral filler between them; ``dominant_frame``
is the most frequent label (ties: the first in LABELS order; "none" without spans) and
``frames_present`` the labels present. Deterministic for a seed."""

from __future__ import annotations

import random

POLICY = (
    "The government should impose tougher sanctions on {x}.",
    "Washington must expand sanctions against {x} without delay.",
    "Europe needs to tighten export controls and sanctions on {x}.",
    "Allies should coordinate new financial sanctions targeting {x}.",
    "Lawmakers must pass a bill sanctioning banks that serve {x}.",
)
ALARM = (
    "This could trigger a catastrophe on a scale the world has never seen.",
    "Experts warn that {x} is pushing the region toward nuclear disaster.",
    "The alignment with {x} raises the terrifying prospect of a wider war.",
    "A single miscalculation by {x} could unleash devastating escalation.",
    "Analysts fear an apocalyptic confrontation is now only weeks away.",
)
SKEPTIC = (
    "Critics doubt that the partnership with {x} will last beyond this year.",
    "The alliance is a marriage of convenience riddled with mutual mistrust.",
    "Officials in {x} privately question how deep the cooperation really goes.",
    "Their interests conflict so often that the bloc may soon fracture.",
    "Few believe {x} trusts its new partners with anything of substance.",
)
NEUTRAL = (
    "The meeting took place on Tuesday in {x}.",
    "Delegations arrived by plane and were greeted by local officials.",
    "The talks lasted about three hours according to a short statement.",
    "A spokesperson for {x} declined to comment on the schedule.",
    "Reporters gathered outside the ministry building in the afternoon.",
    "Trade between the two countries grew modestly last year.",
)
PLACES = ("Russia", "Iran", "North Korea", "China", "Moscow", "Tehran", "Pyongyang", "Beijing")
LABELS = {"policy_prescription": POLICY, "alarmist": ALARM, "skeptical_of_alliance": SKEPTIC}

Article = tuple[str, list[tuple[int, int, str]], str, tuple[str, ...]]


def article(sentences: list[tuple[str, str | None]]) -> Article:
    """``(text, spans, dominant_frame, frames_present)`` of sentences ``(text, label)``
    joined by single spaces."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    counts = dict.fromkeys(LABELS, 0)
    for sentence, label in sentences:
        if parts:
            pos += 1
        if label is not None:
            spans.append((pos, pos + len(sentence), label))
            counts[label] += 1
        parts.append(sentence)
        pos += len(sentence)
    present = tuple(lab for lab in LABELS if counts[lab])
    best = max(counts.values())
    dominant = "none" if best == 0 else next(lab for lab in LABELS if counts[lab] == best)
    return " ".join(parts), spans, dominant, present


def synthetic_articles(
    n: int, seed: int = 0, labels: tuple[str, ...] = tuple(LABELS)
) -> list[Article]:
    """``n`` distinct articles (each opens with "Dispatch <i>."), 2-5 sentences after it,
    about half of them labelled with one of ``labels``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sentences: list[tuple[str, str | None]] = [(f"Dispatch {i + 1}.", None)]
        for _ in range(rng.randint(2, 5)):
            place = rng.choice(PLACES)
            if rng.random() < 0.5:
                label = rng.choice(labels)
                sentences.append((rng.choice(LABELS[label]).format(x=place), label))
            else:
                sentences.append((rng.choice(NEUTRAL).format(x=place), None))
        out.append(article(sentences))
    return out
