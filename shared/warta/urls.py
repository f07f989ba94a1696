"""Public URLs, built the same way by every service."""


def article_path(article_id: int, slug: str) -> str:
    return f"/berita/{article_id}-{slug}"


def article_url(base_url: str, article_id: int, slug: str) -> str:
    return base_url + article_path(article_id, slug)
