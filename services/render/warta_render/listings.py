"""The listings composed of the live articles' cards: `/berita/` and each tag's and office's
pages, the latest-news and most-read blocks, the error pages and the stylesheet."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.articles import LEAD_IMAGE, live_columns
from warta.db import in_batches
from warta.documents import prune_documents, store_documents, strong_etag
from warta.media import lead_images
from warta.models import SNIPPETS, Article, Office, Revision
from warta.pages import (
    BLOCK_SIZE,
    LISTING_PAGE_SIZE,
    ArticleView,
    card_template,
    office_feed,
    render_block,
    render_card,
    render_error_page,
    render_listing_page,
    stylesheet,
    tag_feed,
    view_of,
)
from warta.settings import Settings

# The listing pages cover the newest articles; older ones stay reachable through the feeds'
# archives and the sitemaps.
LISTING_MAX_PAGES = 50
HTML = "text/html; charset=utf-8"
CSS = "text/css; charset=utf-8"


@dataclass
class Composed:
    """What one composition of the public pages produced: documents and refreshed cards."""

    documents: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    cards: dict[tuple[int, int], str] = field(default_factory=dict)

    def add(self, path: str, content_type: str, text: str) -> None:
        self.documents[path] = (content_type, text.encode())


# What a listing shows of an article: a card has no body, and reading and cleaning 1,000
# bodies (and decoding 1,000 whole submissions for their images) each composition was half
# of it.
LISTING_COLUMNS = (
    Article.id,
    Article.published_at,
    Article.updated_at,
    Article.live_revision,
    Article.views,
    Office.slug.label("office_slug"),
    Office.name.label("office_name"),
    Revision.number,
    Revision.progressed_at,
    Revision.title,
    Revision.slug,
    Revision.excerpt,
    Revision.language,
    Revision.dateline,
    Revision.event_at,
    Revision.publish_at,
    Revision.tags,
    LEAD_IMAGE.label("image"),
)
# What a card depends on. A revision's own fields are fixed once it is live (`progressed_at`
# moves if a stage writes it again); the rest is the article's and its office's.
CARD_KEY_COLUMNS = (
    Article.id,
    Revision.number,
    Revision.progressed_at,
    Article.views,
    Article.published_at,
    Article.updated_at,
    Office.slug,
    Office.name,
)


@dataclass(frozen=True)
class _Shown:
    """An article's view, compared by the key of what its card shows."""

    key: tuple[Any, ...]
    view: ArticleView = field(compare=False)
    revision: int = field(compare=False, default=0)  # the live revision's number


class ListedViews:
    """The views of the articles that the last composition listed, by the key of their card.
    A composition reads the card keys of the newest 1,000 articles, and the rest of the row
    only where a key is new: reading and decoding every row, tags and all, and making its view
    again was most of a composition once the cards themselves were kept."""

    def __init__(self) -> None:
        self.known: dict[tuple[Any, ...], _Shown] = {}

    def listed(
        self, session: Session, settings: Settings, order: tuple[Any, ...], limit: int
    ) -> list[_Shown]:
        template = card_template(settings)  # an edited template renders every card anew
        keys: list[tuple[Any, ...]] = []
        missing: dict[tuple[int, int], tuple[Any, ...]] = {}  # (id, revision) -> key
        for row in session.execute(
            live_columns(*CARD_KEY_COLUMNS).join(Article.office).order_by(*order).limit(limit)
        ):
            keys.append((template, *row))
            if keys[-1] not in self.known:
                missing[(row.id, row.number)] = keys[-1]
        for chunk in in_batches(list(missing)):
            rows = session.execute(
                select(*LISTING_COLUMNS)
                .join(Revision.article)
                .join(Article.office)
                .where(tuple_(Revision.article_id, Revision.number).in_(chunk))
            ).all()
            images = lead_images(session, [row.image for row in rows], settings.public_base_url)
            for row, image in zip(rows, images, strict=True):
                key = missing[(row.id, row.number)]
                office = (row.office_slug, row.office_name)
                view = view_of(row, row, office, settings, body_html="", image=image)
                self.known[key] = _Shown(key, view, row.number)
        return [self.known[key] for key in keys if key in self.known]

    def keep_only(self, listed: list[_Shown]) -> None:
        """Forget the views no longer listed, so that the next composition reads them anew."""
        self.known = {shown.key: shown for shown in listed}


LISTED_VIEWS = ListedViews()


def compose_pages(session: Session, settings: Settings) -> Composed:
    composed = Composed()
    newest = LISTED_VIEWS.listed(
        session,
        settings,
        (Article.published_at.desc(), Article.id.desc()),
        LISTING_PAGE_SIZE * LISTING_MAX_PAGES,
    )
    views = [shown.view for shown in newest]
    cards: dict[int, str] = {}
    for shown in newest:
        view = shown.view
        cards[view.id] = _card(shown, settings)
        composed.cards[(view.id, shown.revision)] = cards[view.id]
    most_read_shown = LISTED_VIEWS.listed(
        session, settings, (Article.views.desc(), Article.published_at.desc()), BLOCK_SIZE
    )
    LISTED_VIEWS.keep_only(newest + most_read_shown)
    most_read_block = render_block("most-read", [shown.view for shown in most_read_shown], settings)
    latest_block = render_block("latest", views[:BLOCK_SIZE], settings)
    composed.add(paths.block_snippet("latest"), HTML, latest_block)
    composed.add(paths.block_snippet("most-read"), HTML, most_read_block)

    _add_pages(composed, paths.SITE_LISTING, views, cards, settings, aside=most_read_block)
    by_tag: dict[str, list[ArticleView]] = defaultdict(list)
    by_office: dict[str, list[ArticleView]] = defaultdict(list)
    for view in views:
        by_office[view.office_slug].append(view)
        for tag in view.tags:
            by_tag[tag["slug"]].append(view)
    for slug, tagged in by_tag.items():
        label = next(t["label"] for t in tagged[0].tags if t["slug"] == slug)
        _add_pages(
            composed,
            paths.tag_listing(slug),
            tagged,
            cards,
            settings,
            heading=f"Tag: {label}",
            path=f"/tags/{quote(slug, safe='')}/",
            feeds=[tag_feed(settings, slug, label)],
            aside=most_read_block,
        )
    for slug, written in by_office.items():
        name = written[0].office_name
        _add_pages(
            composed,
            paths.office_listing(slug),
            written,
            cards,
            settings,
            heading=name,
            path=f"/offices/{quote(slug, safe='')}/",
            feeds=[office_feed(settings, slug, name)],
            aside=most_read_block,
        )
    for status in (404, 410):
        composed.add(paths.error_page(status), HTML, render_error_page(status, settings))
    composed.add(paths.STYLESHEET, CSS, stylesheet())
    return composed


# Each composition lists up to 1,000 articles, and few of their cards changed since the last:
# rendering every card again was a third of a composition.
@functools.lru_cache(maxsize=2 * LISTING_PAGE_SIZE * LISTING_MAX_PAGES)
def _card(shown: _Shown, settings: Settings) -> str:
    return render_card(shown.view, settings)


def _add_pages(
    composed: Composed,
    listing: str,
    views: list[ArticleView],
    cards: dict[int, str],
    settings: Settings,
    **options: object,
) -> None:
    pages = max(1, -(-len(views) // LISTING_PAGE_SIZE))
    for page in range(1, pages + 1):
        chunk = views[(page - 1) * LISTING_PAGE_SIZE : page * LISTING_PAGE_SIZE]
        html = render_listing_page(
            [cards[view.id] for view in chunk],
            page,
            pages,
            settings,
            **options,  # type: ignore[arg-type]
        )
        composed.add(paths.listing_page(listing, page), HTML, html)


def store_composed(session: Session, composed: Composed) -> int:
    """Write what changed; returns how many documents did. Pages no longer produced go."""
    changed = len(store_documents(session, composed.documents))
    written = set(composed.documents)
    for prefix in paths.LISTED_PREFIXES:
        prune_documents(session, prefix, written)
    # The stored card of each live revision follows its view count, for embedding sites.
    cards = {key: (html, strong_etag(html.encode())) for key, html in composed.cards.items()}
    ids = sorted({article_id for article_id, _ in cards})
    stale = []
    for chunk in in_batches(ids):
        stored = session.execute(
            select(SNIPPETS.c.article_id, SNIPPETS.c.revision, SNIPPETS.c.etag).where(
                SNIPPETS.c.kind == "card", SNIPPETS.c.article_id.in_(chunk)
            )
        )
        for article_id, revision, etag in stored:
            if (card := cards.get((article_id, revision))) and card[1] != etag:
                stale.append({"a": article_id, "r": revision, "html": card[0], "etag": card[1]})
    if stale:
        session.execute(
            update(SNIPPETS)
            .where(
                SNIPPETS.c.article_id == bindparam("a"),
                SNIPPETS.c.revision == bindparam("r"),
                SNIPPETS.c.kind == "card",
            )
            .values(html=bindparam("html"), etag=bindparam("etag")),
            stale,
        )
    return changed
