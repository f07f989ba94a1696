"""Task names and queues: the contract between the services.

Services never import each other; they send these names with small JSON payloads
(`{"article_id": …, "revision": …}`), and each task loads what it needs from the database.
Under load a stage message names a batch of revisions instead (`{"revisions": [{"article_id":
…, "revision": …, "request_id": …}, …]}`): one task and one transaction for many reports.
"""

from typing import Any

NORMALISE = "warta.normalise"
TAG = "warta.tag"
RENDER = "warta.render"
RENDER_LISTINGS = "warta.render_listings"
PUBLISH = "warta.publish"
RETRACT = "warta.retract"
REBUILD_FEEDS = "warta.rebuild_feeds"
REBUILD_TAGS_AND_ARCHIVES = "warta.rebuild_tags_and_archives"
RERENDER = "warta.rerender"  # `warta reprocess --stage render`: a live revision again
FLUSH_VIEWS = "warta.flush_views"
MAKE_RENDITIONS = "warta.make_renditions"  # a photo's renditions: {"media_id": …}

QUEUES = ("normalise", "tag", "render", "publish", "feeds", "media")

# Every route in one place: an operator scales a stage by starting workers on its queue.
ROUTES = {
    NORMALISE: "normalise",
    TAG: "tag",
    RENDER: "render",
    RENDER_LISTINGS: "render",
    PUBLISH: "publish",
    RETRACT: "publish",
    REBUILD_FEEDS: "feeds",
    REBUILD_TAGS_AND_ARCHIVES: "feeds",
    RERENDER: "render",
    FLUSH_VIEWS: "feeds",
    MAKE_RENDITIONS: "media",
}

# The modules that define the tasks above, imported by every worker (one image, one venv).
TASK_MODULES = (
    "warta_enrich.tasks",
    "warta_render.tasks",
    "warta_render.renditions",
    "warta_feed.tasks",
    "warta_feed.view_counts",
)


# The task that takes a revision through each stage, and the status a revision has before it.
STAGE_TASKS = {"normalised": NORMALISE, "tagged": TAG, "rendered": RENDER, "published": PUBLISH}
STATUS_BEFORE = {NORMALISE: "received", TAG: "normalised", RENDER: "tagged", PUBLISH: "rendered"}


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
