"""The sitemap documents that search engines read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warta import document_paths as paths
from warta.articles import LEAD_IMAGE, live_columns
from warta.documents import prune_documents
from warta.media import MAIN_RENDITION, rendition_url
from warta.models import Article, Document, Revision, utcnow
from warta.settings import Settings
from warta.urls import article_url
from warta_feed.changes import ARCHIVE_SIZE, Scope
from warta_feed.compression import store_with_gzip
from warta_feed.sitemaps import (
    MAX_NEWS_URLS,
    NewsUrl,
    SitemapUrl,
    build_index,
    build_news_sitemap,
    build_urlset,
    id_range,
    sitemap_number,
)

XML = "application/xml; charset=utf-8"
NEWS_WINDOW = timedelta(hours=48)


class SitemapDocuments:
    """The sitemaps of one rebuild: the article sitemaps (1,000 ids each), the news sitemap
    and the index."""

    def __init__(self, session: Session, settings: Settings, last_block: int) -> None:
        self.session, self.settings = session, settings
        self.base = settings.public_base_url
        self.last_block = last_block

    def sitemaps(self, scope: Scope) -> list[str]:
        changed: list[str] = []
        now = utcnow()
        numbers = scope.sitemaps
        if scope.full:
            numbers = set(range(1, sitemap_number(self.last_block * ARCHIVE_SIZE or 1) + 1))
        for number in sorted(numbers):
            path = paths.article_sitemap(number)
            urls = list(self.sitemap_urls(number))
            if not urls:
                prune_documents(self.session, path, set())
                continue
            changed += store_with_gzip(self.session, {path: (XML, build_urlset(urls))})
            del urls
        news = (
            live_columns(
                Article.id, Revision.slug, Revision.title, Revision.language, Article.published_at
            )
            .where(Article.published_at >= now - NEWS_WINDOW)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(MAX_NEWS_URLS)
        )
        items = [
            NewsUrl(
                article_url(self.base, article_id, slug or ""),
                title or "",
                language or self.settings.site_language,
                published_at or now,
            )
            for article_id, slug, title, language, published_at in self.session.execute(news)
        ]
        body = build_news_sitemap(items, self.settings.site_name)
        changed += store_with_gzip(self.session, {paths.NEWS_SITEMAP: (XML, body)})
        index = build_index(self.sitemap_index())
        changed += store_with_gzip(self.session, {paths.SITEMAP_INDEX: (XML, index)})
        return changed

    def sitemap_urls(self, number: int) -> Iterator[SitemapUrl]:
        first, last = id_range(number)
        rows = self.session.execute(
            live_columns(
                Article.id,
                Article.published_at,
                Article.updated_at,
                Revision.slug,
                LEAD_IMAGE["url"].as_string(),
                LEAD_IMAGE["media"].as_integer(),
            )
            .where(Article.id.between(first, last))
            .order_by(Article.id)
            .execution_options(yield_per=5000)
        )
        for article_id, published_at, updated_at, slug, image_url, media_id in rows:
            if media_id is not None:  # an uploaded photo: its URL is known without a query
                image_url = rendition_url(self.base, media_id, *MAIN_RENDITION)
            yield SitemapUrl(
                article_url(self.base, article_id, slug), updated_at or published_at, image_url
            )

    def sitemap_index(self) -> Iterable[SitemapUrl]:
        rows = self.session.execute(
            select(Document.path, Document.updated_at).where(
                Document.path.like(f"{paths.ARTICLE_SITEMAP_PREFIX}%.xml")
                | (Document.path == paths.NEWS_SITEMAP)
            )
        ).all()
        numbered = sorted(rows, key=lambda row: paths.article_sitemap_number(row[0]) or 0)
        return [SitemapUrl(f"{self.base}/{path}", updated_at) for path, updated_at in numbered]
