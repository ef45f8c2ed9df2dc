"""A life cycle written as one table: (state, action) -> Step(next state, who may take it).

wishes.rules and jobs.rules each keep their table; this is the shape of one entry.
"""
from typing import NamedTuple


class Step(NamedTuple):
    to_state: str
    parties: frozenset[str]
    note_required: bool = False


def step(to_state: str, *parties: str, note_required: bool = False) -> Step:
    """A step to `to_state` that any of `parties` may take."""
    return Step(to_state, frozenset(parties), note_required)
