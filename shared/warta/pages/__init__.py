"""The public pages' HTML (cards, the article page, listings, the stylesheet), rendered from
Jinja2 templates with autoescape on. Shared: the render worker makes the public pages with it,
and the office desk its preview, so that a preview cannot differ from the page.

A report's body arrives sanitised by normalise; it is cleaned again here (nh3) before it is
marked safe, so no markup from a report can run script even if a stored body was not cleaned.
Everything else a report carries (title, tags, captions, place) is escaped by the templates."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import lxml.html
import nh3
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from sqlalchemy.orm import object_session

from warta import document_paths as paths
from warta.media import LeadImage, lead_image
from warta.models import Article, Revision
from warta.pages.dates import long_date
from warta.settings import Settings
from warta.tags import is_section
from warta.urls import article_url

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = TEMPLATES / "site.css"
LISTING_PAGE_SIZE = 20
BLOCK_SIZE = 5  # entries in the latest-news and most-read blocks

# The words around a report, in the report's own language.
LABELS = {
    "id": {
        "views": "kali dilihat",
        "more": "Selengkapnya",
        "updated": "Diperbarui",
        "tags": "Tag",
        "latest": "Berita Terkini",
        "most_read": "Terpopuler",
        "by": "Oleh",
    },
    "en": {
        "views": "views",
        "more": "Read more",
        "updated": "Updated",
        "tags": "Tags",
        "latest": "Latest news",
        "most_read": "Most read",
        "by": "By",
    },
}


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
    office_slug: str
    office_name: str
    image: LeadImage | None  # an uploaded photo with its renditions, or an office's own URL

    @property
    def labels(self) -> dict[str, str]:
        return LABELS.get(self.language, LABELS["id"])

    @property
    def image_alt(self) -> str:
        """What a screen reader says of the lead image: its alt text, else its caption."""
        return (self.image.alt or self.image.caption) if self.image else ""


@dataclass(frozen=True)
class Feed:
    """A feed to announce on a page (autodiscovery): its title and URL without extension."""

    title: str
    url: str


@dataclass(frozen=True)
class PageMeta:
    """The head of a page: what search engines, feed readers and link previews read."""

    title: str
    canonical: str
    description: str = ""
    language: str = "id"
    feeds: list[Feed] = field(default_factory=list)
    og_type: str = "website"
    image: SocialImage | None = None


@dataclass(frozen=True)
class SocialImage:
    """og:image: the photo's 1200x630 social card (its size and type known), or an office's
    own image URL (nothing else known)."""

    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None
    media_type: str | None = None


# The photo's rendition for link previews, and those given to search engines (JSON-LD), each
# in JPEG: every reader takes it. Google asks for several aspect ratios.
SOCIAL_RENDITION = "social"
JSONLD_RENDITIONS = ("article", "social", "card")


def article_view(article: Article, revision: Revision, settings: Settings) -> ArticleView:
    """The view of a revision loaded in a session (its lead photo is read in the same one)."""
    session = object_session(revision)
    assert session is not None, "a revision loaded in a session"
    image = lead_image(session, revision.submission.get("image"), settings.public_base_url)
    return view_of(
        article,
        revision,
        (article.office.slug, article.office.name),
        settings,
        body_html=clean_body(revision.body_html or ""),
        image=image,
    )


def view_of(
    article: Any,
    revision: Any,
    office: tuple[str, str],
    settings: Settings,
    *,
    body_html: str,
    image: LeadImage | None,
) -> ArticleView:
    """The view of an article's live revision, from anything with their fields (the ORM's
    objects, or a row of the columns a listing shows: its cards have no body), the slug and
    name of its office, and its lead image (`warta.media.lead_images`)."""
    assert revision.title and revision.slug, "render runs after normalise"
    updated = article.updated_at if article.live_revision and article.live_revision > 1 else None
    return ArticleView(
        id=article.id,
        url=article_url(settings.public_base_url, article.id, revision.slug),
        title=revision.title,
        excerpt=revision.excerpt or "",
        body_html=body_html,
        language=revision.language or settings.site_language,
        dateline=revision.dateline or {},
        event_at=datetime.fromisoformat(revision.event_at) if revision.event_at else None,
        published_at=article.published_at or revision.publish_at,
        updated_at=updated,
        tags=[
            tag
            for tag in revision.tags or []
            if tag.get("slug") and tag.get("label") and is_section(tag)
        ],
        views=article.views,
        office_slug=office[0],
        office_name=office[1],
        image=shown_image(image),
    )


def clean_body(body_html: str) -> str:
    # Defence in depth: nh3's defaults keep no script, handler, style or javascript: URL.
    cleaned = nh3.clean(body_html)
    if "<img" not in cleaned:
        return cleaned
    # A screen reader skips an image marked decorative; one without alt it reads out as a URL.
    root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    for image in root.iter("img"):
        if image.get("alt") is None:
            image.set("alt", "")
    inner: str = lxml.html.tostring(root, encoding="unicode")
    return inner.removeprefix("<div>").removesuffix("</div>")


def shown_image(image: LeadImage | None) -> LeadImage | None:
    """The lead image if a page may show it: an uploaded photo (its renditions are ours), or
    an office's own image at an absolute http(s) URL (ingest demands https)."""
    if image is None or image.media_id is not None:
        return image
    url = urlsplit(image.url)
    if url.scheme not in ("https", "http") or not url.netloc:
        return None
    return image


def social_image(image: LeadImage | None, alt: str) -> SocialImage | None:
    if image is None:
        return None
    social = image.rendition(SOCIAL_RENDITION, "jpg")
    if social is None:  # an office's own image: only its URL is known
        return SocialImage(image.url, alt)
    return SocialImage(social.url, alt, social.width, social.height, social.media_type)


def site_feed(settings: Settings) -> Feed:
    return Feed(settings.site_name, f"{settings.public_base_url}/feed")


def office_feed(settings: Settings, slug: str, name: str) -> Feed:
    return Feed(name, f"{settings.public_base_url}/offices/{quote(slug)}/feed")


def tag_feed(settings: Settings, slug: str, label: str) -> Feed:
    return Feed(
        f"{settings.site_name}: {label}", f"{settings.public_base_url}/tags/{quote(slug)}/feed"
    )


@functools.cache
def stylesheet() -> str:
    return STYLESHEET.read_text("utf-8")


@functools.cache
def _environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    version = hashlib.sha256(stylesheet().encode()).hexdigest()[:12]
    env.globals["site"] = {
        "name": settings.site_name,
        "base_url": settings.public_base_url,
        "language": settings.site_language,
        "logo_url": settings.site_logo_url,
        # The stylesheet's URL changes with its bytes, so browsers may cache it for long.
        "stylesheet_url": f"{settings.public_base_url}/{paths.STYLESHEET}?v={version}",
        "labels": LABELS.get(settings.site_language, LABELS["id"]),
    }

    def date_filter(value: datetime, language: str = "id", with_time: bool = True) -> str:
        return long_date(value, language, settings.timezone, with_time)

    env.filters["long_date"] = date_filter
    env.filters["number"] = lambda value, language="id": format_decimal(
        value, locale="en" if language == "en" else "id"
    )
    env.filters["path_segment"] = lambda value: quote(str(value), safe="")
    return env


def render(template: str, settings: Settings, **context: Any) -> str:
    return _environment(settings).get_template(template).render(**context)


def render_snippets(view: ArticleView, settings: Settings) -> dict[str, str]:
    """The snippets of one revision: the listing card, the article fragment, the whole page."""
    base = settings.public_base_url
    meta = PageMeta(
        title=f"{view.title} · {settings.site_name}",
        canonical=view.url,
        description=view.excerpt,
        language=view.language,
        feeds=[site_feed(settings), office_feed(settings, view.office_slug, view.office_name)],
        og_type="article",
        image=social_image(view.image, view.image_alt),
    )
    article = render("article.html", settings, article=view)
    return {
        "card": render_card(view, settings),
        "article": article,
        "page": render(
            "article_page.html",
            settings,
            article=view,
            article_html=article,  # the fragment above, rendered once
            meta=meta,
            jsonld=news_article_jsonld(view, settings),
            office_url=f"{base}/offices/{quote(view.office_slug)}/",
        ),
    }


def render_card(view: ArticleView, settings: Settings) -> str:
    return render("card.html", settings, article=view)


def card_template(settings: Settings) -> Template:
    """The card's template as loaded now: Jinja loads it anew once its file changed."""
    return _environment(settings).get_template("card.html")


def news_article_jsonld(view: ArticleView, settings: Settings) -> dict[str, Any]:
    """schema.org NewsArticle, as search engines read it (escaped for <script> by `tojson`)."""
    publisher: dict[str, Any] = {
        "@type": "Organization",
        "name": settings.site_name,
        "url": settings.public_base_url + "/",
    }
    if settings.site_logo_url:
        publisher["logo"] = {"@type": "ImageObject", "url": settings.site_logo_url}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": view.title[:110],
        "description": view.excerpt,
        "url": view.url,
        "mainEntityOfPage": view.url,
        "inLanguage": view.language,
        "datePublished": view.published_at.isoformat(),
        "dateModified": (view.updated_at or view.published_at).isoformat(),
        "author": {
            "@type": "Organization",
            "name": view.office_name,
            "url": f"{settings.public_base_url}/offices/{quote(view.office_slug)}/",
        },
        "publisher": publisher,
        "keywords": [tag["label"] for tag in view.tags],
    }
    if view.dateline.get("place"):
        data["contentLocation"] = {"@type": "Place", "name": view.dateline["place"]}
    if view.image:
        data["image"] = jsonld_images(view.image)
    return data


def jsonld_images(image: LeadImage) -> list[Any]:
    """schema.org ImageObjects of the photo's JPEG renditions (the article's first), or the URL
    of an office's own image."""
    renditions = [image.rendition(name, "jpg") for name in JSONLD_RENDITIONS]
    if not any(renditions):
        return [image.url]
    objects = []
    for rendition in renditions:
        if rendition is None:
            continue
        found: dict[str, Any] = {
            "@type": "ImageObject",
            "url": rendition.url,
            "width": rendition.width,
            "height": rendition.height,
            "encodingFormat": rendition.media_type,
        }
        if image.caption:
            found["caption"] = image.caption
        if image.credit:
            found["creditText"] = image.credit
        objects.append(found)
    return objects


def render_listing_page(
    cards: list[str],
    page: int,
    pages: int,
    settings: Settings,
    *,
    heading: str | None = None,
    path: str = "/berita/",
    feeds: list[Feed] | None = None,
    aside: str = "",
) -> str:
    """A page composed of stored cards: the latest news, or one tag's or one office's."""
    heading = heading or LABELS.get(settings.site_language, LABELS["id"])["latest"]
    url = settings.public_base_url + path
    canonical = url if page == 1 else f"{url}?page={page}"
    title = heading if page == 1 else f"{heading} · halaman {page}"
    meta = PageMeta(
        title=f"{title} · {settings.site_name}",
        canonical=canonical,
        description=f"{heading} — {settings.site_name}",
        language=settings.site_language,
        feeds=[site_feed(settings), *(feeds or [])],
    )
    return render(
        "listing_page.html",
        settings,
        meta=meta,
        heading=heading,
        cards=cards,
        page=page,
        pages=pages,
        url=url,
        aside=aside,
    )


def render_block(kind: str, views: list[ArticleView], settings: Settings) -> str:
    """The latest-news or the most-read block, a fragment for an office's own site."""
    labels = LABELS.get(settings.site_language, LABELS["id"])
    heading = labels["latest"] if kind == "latest" else labels["most_read"]
    return render("block.html", settings, kind=kind, heading=heading, articles=views)


def render_error_page(status: int, settings: Settings) -> str:
    """The readable page behind a 404 or a 410 (a retracted report)."""
    base = settings.public_base_url
    meta = PageMeta(
        title=f"{'Berita telah ditarik' if status == 410 else 'Halaman tidak ditemukan'}"
        f" · {settings.site_name}",
        canonical=f"{base}/berita/",
        language=settings.site_language,
        feeds=[site_feed(settings)],
    )
    return render("error_page.html", settings, meta=meta, status=status)
