"""Articles in the states that ingest and the stages leave them, for the fast tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from warta.models import Article, Office, Revision, utcnow


def add_article(
    session: Session,
    *,
    office: Office | None = None,
    status: str = "received",
    tags: list[dict[str, str]] | None = None,
    revisions: int = 1,
) -> Article:
    """An article with `revisions` revisions, the last in `status`, as ingest and the stages
    leave them."""
    if office is None:
        office = Office(slug=f"kpu-{utcnow().timestamp():.6f}", name="KPU Kota Malang")
        session.add(office)
    article = Article(office=office, external_id=None, current_revision=revisions)
    session.add(article)
    for number in range(1, revisions + 1):
        article.revisions.append(
            Revision(
                number=number,
                status=status if number == revisions else "published",
                submission={"title": f"Rapat pleno {number}", "body": "Isi laporan."},
                publish_at=utcnow(),
                title=f"Rapat pleno {number}",
                slug=f"rapat-pleno-{number}",
                tags=tags,
            )
        )
    session.flush()
    return article
