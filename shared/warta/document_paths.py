"""Where each public document is stored: the contract between the workers that write documents
(render, feeds) and the feed service that serves them.

A feed's or a sitemap's stored path is also its public URL path (without the leading slash,
and with the format's extension for a feed); a listing page is stored per page number, which
the public URL gives as `?page=N`. `tests/unit/feed/test_document_paths.py` checks the feed
service's routes against these."""

from __future__ import annotations

# The gzip variant of a document is stored beside it under this path.
GZIP_SUFFIX = ".gz"

# Pages, composed by the render worker. A listing (the site's, a tag's, an office's) is stored
# as one document per page.
SITE_LISTING = "berita"
LISTED_PREFIXES = ("berita/", "pages/")  # every composed listing; pruned when no longer made
STYLESHEET = "assets/site.css"
BLOCKS = ("latest", "most-read")

# Feeds and sitemaps, built by the feeds worker; a feed path takes `.rss`, `.atom` or `.json`.
FEED_KINDS = ("rss", "atom", "json")
SITE_FEED = "feed"
FEED_PREFIXES = ("feed.", "offices/", "tags/")  # the documents WebSub subscribers follow
SITEMAP_INDEX = "sitemap.xml"
NEWS_SITEMAP = "sitemap-news.xml"
ARTICLE_SITEMAP_PREFIX = "sitemaps/articles-"

# How many re-rendered articles a `warta reprocess` run has seen done (a Redis key, shared by
# the CLI that shows the progress and the render worker that counts it).
REPROCESS_KEY = "warta:reprocess:{run}"


def tag_listing(slug: str) -> str:
    return f"pages/tags/{slug}"


def office_listing(slug: str) -> str:
    return f"pages/offices/{slug}"


def listing_page(listing: str, number: int) -> str:
    return f"{listing}/{number}"


def error_page(status: int) -> str:
    return f"pages/errors/{status}"


def block_snippet(block: str) -> str:
    return f"snippets/{block}.html"


def office_feed(slug: str) -> str:
    return f"offices/{slug}/feed"


def tag_feed(slug: str) -> str:
    return f"tags/{slug}/feed"


def archive_feed(block: int) -> str:
    return f"archives/{block}"


def feed_document(feed: str, kind: str) -> str:
    """A feed's document in one format: `tags/x/feed` and `rss` give `tags/x/feed.rss`."""
    return f"{feed}.{kind}"


def article_sitemap(number: int) -> str:
    return f"{ARTICLE_SITEMAP_PREFIX}{number}.xml"


def article_sitemap_number(path: str) -> int | None:
    """The number of an article sitemap's path, None for any other path."""
    digits = path.removeprefix(ARTICLE_SITEMAP_PREFIX).removesuffix(".xml")
    return int(digits) if path.startswith(ARTICLE_SITEMAP_PREFIX) and digits.isdigit() else None


def sitemap(name: str) -> str:
    return f"sitemaps/{name}.xml"
