"""The pipeline a revision goes through: each stage a task on a queue of its own (operators
scale a stage by starting workers on its queue), in this order. The statuses, the routes, what
each stage sends on to and what takes a stalled revision on all follow from `PIPELINE`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a revision is: a stage's status once it has gone through that stage, or one of
    the states off the line (waiting for its time, retracted, given up on)."""

    RECEIVED = "received"
    # Between the normalise and tag stages that `enrich` replaced: kept for the revisions an
    # upgrade finds there (the enrich stage takes them on).
    NORMALISED = "normalised"
    TAGGED = "tagged"
    RENDERED = "rendered"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    RETRACTED = "retracted"
    FAILED = "failed"


# A revision moves through these in order; a task that finds its stage already reached has
# nothing to do, which is what makes a retried or duplicated message harmless.
STAGE_STATUSES = (
    Status.RECEIVED,
    Status.NORMALISED,
    Status.TAGGED,
    Status.RENDERED,
    Status.PUBLISHED,
)

ENRICH = "warta.enrich"
RENDER = "warta.render"
PUBLISH = "warta.publish"
# The tasks and queues of the two stages that `enrich` joined (one task and one transaction
# where there were two): messages queued under them before an upgrade are still taken.
NORMALISE = "warta.normalise"
TAG = "warta.tag"


@dataclass(frozen=True)
class Stage:
    name: str  # in logs and metrics
    task: str
    queue: str
    reaches: Status  # the revision's status once through
    takes: tuple[Status, ...]  # the statuses it takes a revision on from
    # (task, queue) of earlier names that messages may still carry
    former: tuple[tuple[str, str], ...] = ()


PIPELINE = (
    # Normalise and tag: plain title, sanitised body, dateline, event date and warnings, then
    # places, organisations, topics and keywords; a pure function of the submission.
    Stage(
        "enrich",
        ENRICH,
        "enrich",
        Status.TAGGED,
        (Status.RECEIVED, Status.NORMALISED),
        former=((NORMALISE, "normalise"), (TAG, "tag")),
    ),
    Stage("render", RENDER, "render", Status.RENDERED, (Status.TAGGED,)),
    # Publish holds a revision back as `scheduled` until its time.
    Stage("publish", PUBLISH, "publish", Status.PUBLISHED, (Status.RENDERED,)),
)
FIRST = PIPELINE[0]

# A stage by any name its messages carry.
STAGE_OF_TASK = {
    task: stage
    for stage in PIPELINE
    for task in (stage.task, *(former for former, _ in stage.former))
}
# The task that takes a revision on from each status on the line.
TASK_FOR_STATUS: dict[str, str] = {
    status: stage.task for stage in PIPELINE for status in stage.takes
}
# Where a stage's task (by any of its names) puts a failed revision back when replayed.
STATUS_BEFORE: dict[str, Status] = {
    NORMALISE: Status.RECEIVED,
    TAG: Status.NORMALISED,
    **{stage.task: stage.takes[0] for stage in PIPELINE},
}
STAGE_ROUTES = {
    task: queue for stage in PIPELINE for task, queue in ((stage.task, stage.queue), *stage.former)
}


def next_stage(stage: Stage) -> Stage | None:
    position = PIPELINE.index(stage)
    return PIPELINE[position + 1] if position + 1 < len(PIPELINE) else None


def stage_reached(status: str, reaches: Status) -> bool:
    """Whether a revision in `status` has already gone through the stage that `reaches`."""
    if status not in STAGE_STATUSES:
        # A scheduled revision went through every stage but publication.
        return status == Status.SCHEDULED and reaches != Status.PUBLISHED
    return STAGE_STATUSES.index(Status(status)) >= STAGE_STATUSES.index(reaches)
