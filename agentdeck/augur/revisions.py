"""Which of two versions of one record is the newer, for records the SDK sends more than once.

The published SDK sends every call on its own thread, so two PUTs of one step (or two states of
one side effect) can arrive in either order, and neither carries a sequence number or a
timestamp of its own version: a StepTrace keeps its ``started_at``, and its schema allows no
extra field. What does only grow over a record's life in the SDK is its progress, so that is
what a revision measures. The stored version is replaced only by one whose revision is at least
as high (equal revisions: the later arrival wins), in one conditional write.
"""
from __future__ import annotations

# A step's status moves pending -> running -> an outcome (succeeded, failed, skipped, recovered,
# or any other word an adapter uses); a side effect's moves declared -> committed or aborted.
_STEP_STATUS_RANK = {"pending": 0, "running": 1}
_SIDE_EFFECT_STATUS_RANK = {"declared": 0}
_MAX_COUNT = 9_999
_MAX_VALUES = 999_999
_COST_SCALE = 1_000_000  # cost figures are compared to the millionth (of a dollar, of a token)
_MAX_COST_REVISION = 2**62


def _count(value, bound: int) -> int:
    return max(0, min(value, bound)) if isinstance(value, int) and not isinstance(value, bool) else 0


def _scalar_values(document) -> int:
    """How many scalar values (strings, numbers, booleans, nulls) ``document`` holds."""
    stack, found = [document], 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            found += 1
    return min(found, _MAX_VALUES)


def _status_rank(record: dict, ranks: dict[str, int], outcome: int) -> int:
    status = record.get("status")
    if not isinstance(status, str):
        return 0
    return ranks.get(status.lower(), outcome)


def step_revision(step) -> int:
    """A StepTrace's revision, compared in this order: its status (pending < running < an
    outcome), whether ``ended_at`` is set, ``step_iterations``, the number of
    ``judge_decisions``, then how many values the record holds (patches such as costs,
    verdict signals and captured versions only add values)."""
    if not isinstance(step, dict):
        return 0
    ended = 1 if isinstance(step.get("ended_at"), str) and step["ended_at"] else 0
    iterations = _count(step.get("step_iterations"), _MAX_COUNT) or 1
    judges = step.get("judge_decisions")
    judged = min(len(judges), _MAX_COUNT) if isinstance(judges, list) else 0
    stage = _status_rank(step, _STEP_STATUS_RANK, 2) * 2 + ended
    return ((stage * (_MAX_COUNT + 1) + iterations) * (_MAX_COUNT + 1) + judged) * (_MAX_VALUES + 1) \
        + _scalar_values(step)


def side_effect_revision(record) -> int:
    """A side-effect record's revision: ``declared`` < ``committed`` or ``aborted``, then how
    many values the record holds."""
    if not isinstance(record, dict):
        return 0
    return _status_rank(record, _SIDE_EFFECT_STATUS_RANK, 1) * (_MAX_VALUES + 1) + _scalar_values(record)


def costs_revision(costs) -> int:
    """A cumulative cost roll-up's revision: the sum of its figures, to the millionth. Each
    figure of a later roll-up is at least that of an earlier one, so the sum never goes down."""
    if not isinstance(costs, dict):
        return 0
    total = sum(value for value in costs.values()
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0)
    return min(int(total * _COST_SCALE), _MAX_COST_REVISION)
