"""Task names and queues: the contract between the services (the stages' own are in
`warta.pipeline`).

Services never import each other; they send these names with small JSON payloads
(`{"article_id": …, "revision": …}`), and each task loads what it needs from the database.
Under load a stage message names a batch of revisions instead (`{"revisions": [{"article_id":
…, "revision": …, "request_id": …}, …]}`): one task and one transaction for many reports.
"""

from typing import Any

from warta.pipeline import PIPELINE, STAGE_ROUTES

RENDER_LISTINGS = "warta.render_listings"
RETRACT = "warta.retract"
REBUILD_FEEDS = "warta.rebuild_feeds"
REBUILD_TAGS_AND_ARCHIVES = "warta.rebuild_tags_and_archives"
RERENDER = "warta.rerender"  # `warta reprocess --stage render`: a live revision again
FLUSH_VIEWS = "warta.flush_views"
MAKE_RENDITIONS = "warta.make_renditions"  # a photo's renditions: {"media_id": …}

# Every route in one place: an operator scales a stage by starting workers on its queue.
ROUTES = {
    **STAGE_ROUTES,
    RENDER_LISTINGS: "render",
    RETRACT: "publish",
    REBUILD_FEEDS: "feeds",
    REBUILD_TAGS_AND_ARCHIVES: "feeds",
    RERENDER: "render",
    FLUSH_VIEWS: "feeds",
    MAKE_RENDITIONS: "media",
}
# One worker service per queue: the stages' in order, then the others.
QUEUES = (*dict.fromkeys(stage.queue for stage in PIPELINE), "feeds", "media")
# Queues no longer sent to, which a stage's workers still drain after an upgrade.
FORMER_QUEUES = tuple(queue for stage in PIPELINE for _, queue in stage.former)
EVERY_QUEUE = (*QUEUES, *FORMER_QUEUES)


def worker_queues(queue: str) -> str:
    """The `--queues` of a worker for `queue`: with the former queues of its stage."""
    former = [name for stage in PIPELINE if stage.queue == queue for _, name in stage.former]
    return ",".join([queue, *former])


# The modules that define the tasks above, imported by every worker (one image, one venv).
TASK_MODULES = (
    "warta_enrich.tasks",
    "warta_render.tasks",
    "warta_render.renditions",
    "warta_feed.tasks",
    "warta_feed.view_counts",
)

# The most revisions one stage message carries: large enough that a burst costs a few tasks
# per hundred reports, small enough that a burst still spreads over every worker of a stage.
BATCH_SIZE = 20


def revision_message(article_id: int, revision: int) -> dict[str, int]:
    return {"article_id": article_id, "revision": revision}


def batch_message(revisions: list[tuple[dict[str, Any], str | None]]) -> dict[str, Any]:
    """One message for several (revision message, request id) pairs."""
    return {
        "revisions": [{**message, "request_id": request_id} for message, request_id in revisions]
    }


def is_revision_message(payload: dict[str, Any]) -> bool:
    return payload.keys() == {"article_id", "revision"}
