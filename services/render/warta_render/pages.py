"""HTML snippets and pages, rendered from Jinja2 templates with autoescape on.

Bodies arrive sanitised by normalise (nh3) and are the only markup marked safe."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from warta.models import Article, Revision
from warta.settings import Settings
from warta.urls import article_url
from warta_render.dates import long_date

TEMPLATES = Path(__file__).with_name("templates")
LISTING_PAGE_SIZE = 20


@dataclass(frozen=True)
class ArticleView:
    """What the templates know of an article: its live (or about-to-be-live) revision."""

    id: int
    url: str
    title: str
    excerpt: str
    body_html: str
    language: str
    dateline: dict[str, Any]
    event_at: datetime | None
    published_at: datetime
    updated_at: datetime | None
    tags: list[dict[str, Any]]
    views: int
    office_name: str
    image: dict[str, Any] | None


def article_view(article: Article, revision: Revision, settings: Settings) -> ArticleView:
    assert revision.title and revision.slug, "render runs after normalise"
    updated = article.updated_at if article.live_revision and article.live_revision > 1 else None
    return ArticleView(
        id=article.id,
        url=article_url(settings.public_base_url, article.id, revision.slug),
        title=revision.title,
        excerpt=revision.excerpt or "",
        body_html=revision.body_html or "",
        language=revision.language or settings.site_language,
        dateline=revision.dateline or {},
        event_at=datetime.fromisoformat(revision.event_at) if revision.event_at else None,
        published_at=article.published_at or revision.publish_at,
        updated_at=updated,
        tags=revision.tags or [],
        views=article.views,
        office_name=article.office.name,
        image=revision.submission.get("image"),
    )


@functools.cache
def _environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["site"] = {
        "name": settings.site_name,
        "base_url": settings.public_base_url,
        "language": settings.site_language,
    }

    def date_filter(value: datetime, language: str = "id", with_time: bool = True) -> str:
        return long_date(value, language, settings.timezone, with_time)

    env.filters["long_date"] = date_filter
    return env


def render(template: str, settings: Settings, **context: Any) -> str:
    return _environment(settings).get_template(template).render(**context)


def render_snippets(view: ArticleView, settings: Settings) -> dict[str, str]:
    """The snippets of one revision: the listing card, the article fragment, the whole page."""
    return {
        "card": render("card.html", settings, article=view),
        "article": render("article.html", settings, article=view),
        "page": render("article_page.html", settings, article=view),
    }


def render_listing_page(views: list[ArticleView], page: int, pages: int, settings: Settings) -> str:
    return render("listing_page.html", settings, articles=views, page=page, pages=pages)
