"""Snippets and pages rendered from the templates: valid HTML5, the right head for search
engines and feed readers, and no way for a report's markup to run script."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import pytest

from warta.media import LeadImage, renditions_of
from warta.models import MEDIA_PROCESSING, Media
from warta.pages import (
    ArticleView,
    clean_body,
    render_block,
    render_card,
    render_error_page,
    render_listing_page,
    render_snippets,
    shown_image,
)
from warta.settings import Settings

from .markup_checks import (
    elements,
    head_links,
    json_ld,
    meta_property,
    parse_fragment,
    parse_page,
    text,
)

SETTINGS = Settings.from_env(
    {
        "PUBLIC_BASE_URL": "https://warta.example",
        "SITE_NAME": "Warta KPU",
        "SITE_LOGO_URL": "https://warta.example/logo.png",
    }
)


HOSTED = LeadImage("https://img.example/a.jpg", caption="Webinar seri VIII", credit="KPU", alt="")


def photo(width: int = 4000, height: int = 3000, **texts: str) -> LeadImage:
    """An uploaded photo of this size as `warta.media.lead_images` gives it (its renditions as
    planned: a page shows the same before and after they are made)."""
    media = Media(id=12, width=width, height=height, status=MEDIA_PROCESSING)
    renditions = tuple(renditions_of(media, "https://warta.example"))
    main = next(r for r in renditions if (r.name, r.extension) == ("article", "jpg"))
    values = {"caption": "Peserta rapat pleno", "credit": "Humas KPU", "alt": "", **texts}
    return LeadImage(
        main.url,
        media_id=12,
        status=MEDIA_PROCESSING,
        media_type=main.media_type,
        width=main.width,
        height=main.height,
        renditions=renditions,
        **values,
    )


def sample_view(**changes: object) -> ArticleView:
    view = ArticleView(
        id=7,
        url="https://warta.example/berita/7-kpu-perkuat-keamanan-siber",
        title="KPU Perkuat Keamanan Siber dan Kedaulatan Digital Pemilu",
        excerpt="KPU Kabupaten Pasuruan kembali mengikuti webinar yang diselenggarakan KPU RI.",
        body_html="<p>Pasuruan, kab-pasuruan.kpu.go.id – Memasuki seri VIII…</p>",
        language="id",
        dateline={"place": "Pasuruan", "source": "kab-pasuruan.kpu.go.id"},
        event_at=None,
        published_at=datetime(2021, 12, 29, 2, 0, tzinfo=UTC),
        updated_at=None,
        tags=[
            {"slug": "pemilu-2024", "label": "Pemilu 2024", "source": "vocabulary"},
            {"slug": "keamanan-siber", "label": "Keamanan Siber", "source": "vocabulary"},
        ],
        views=1283,
        office_slug="kab-pasuruan",
        office_name="KPU Kabupaten Pasuruan",
        image=HOSTED,
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def test_card_shows_views_title_place_date_excerpt_and_read_more() -> None:
    root = parse_fragment(render_card(sample_view(), SETTINGS))
    card = text(root)
    assert "1.283 kali dilihat" in card
    assert "Pasuruan" in card and "Rabu, 29 Desember 2021" in card
    assert "KPU Kabupaten Pasuruan kembali mengikuti webinar" in card
    links = {a.get("href") for a in elements(root, "a") if "Selengkapnya" in text(a)}
    assert links == {"https://warta.example/berita/7-kpu-perkuat-keamanan-siber"}
    assert [img.get("alt") for img in elements(root, "img")] == ["Webinar seri VIII"]


def test_english_report_card_reads_in_english() -> None:
    card = text(parse_fragment(render_card(sample_view(language="en", views=1283), SETTINGS)))
    assert "1,283 views" in card and "Read more" in card
    assert "Wednesday, 29 December 2021" in card


def test_article_fragment_has_body_dateline_and_tag_links() -> None:
    root = parse_fragment(render_snippets(sample_view(), SETTINGS)["article"])
    assert "Memasuki seri VIII" in text(root)
    assert "Rabu, 29 Desember 2021 · 09.00 WIB" in text(root)
    tags = {a.get("href"): text(a) for a in elements(root, "a") if a.get("rel") == "tag"}
    assert tags == {
        "https://warta.example/tags/pemilu-2024/": "Pemilu 2024",
        "https://warta.example/tags/keamanan-siber/": "Keamanan Siber",
    }
    assert "Diperbarui" not in text(root)


def test_article_page_head_for_search_engines_feed_readers_and_previews() -> None:
    root = parse_page(render_snippets(sample_view(), SETTINGS)["page"])
    assert root.get("lang") == "id"
    assert head_links(root, "canonical")[0]["href"] == sample_view().url
    feeds = {link["href"] for link in head_links(root, "alternate")}
    assert feeds == {
        f"https://warta.example{path}.{ext}"
        for path in ("/feed", "/offices/kab-pasuruan/feed")
        for ext in ("rss", "atom", "json")
    }
    assert meta_property(root, "og:type") == "article"
    assert (
        meta_property(
            root,
            "og:title",
        )
        is not None
    )
    assert meta_property(root, "og:image") == "https://img.example/a.jpg"
    data = json_ld(root)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == sample_view().title
    assert data["datePublished"] == "2021-12-29T02:00:00+00:00"
    assert data["author"]["name"] == "KPU Kabupaten Pasuruan"
    assert data["publisher"]["logo"]["url"] == "https://warta.example/logo.png"
    assert data["image"] == ["https://img.example/a.jpg"]
    assert [text(h) for h in elements(root, "h1")] == [sample_view().title]
    # The look comes from a stylesheet, not from inline styles.
    assert elements(root, "style") == []
    assert head_links(root, "stylesheet")[0]["href"].startswith(
        "https://warta.example/assets/site.css?v="
    )


def pictures_of(root: Element) -> list[tuple[dict[str, str], dict[str, str]]]:
    """Each <picture>: its WebP <source> and its <img>."""
    found = []
    for picture in elements(root, "picture"):
        (source,) = elements(picture, "source")
        (image,) = elements(picture, "img")
        found.append((dict(source.attrib), dict(image.attrib)))
    return found


MEDIA = "https://warta.example/media/12"


def test_a_card_shows_the_photos_card_rendition_lazily_in_webp_and_jpeg() -> None:
    view = sample_view(image=photo(alt="Peserta duduk menghadap layar presentasi"))
    ((source, image),) = pictures_of(parse_fragment(render_card(view, SETTINGS)))
    assert source["type"] == "image/webp"
    assert source["srcset"] == f"{MEDIA}/card.webp 640w"
    assert image["src"] == f"{MEDIA}/card.jpg"
    assert image["srcset"] == f"{MEDIA}/card.jpg 640w"
    assert source["sizes"] == image["sizes"] == "(max-width: 52rem) calc(100vw - 2.5rem), 12rem"
    assert (image["width"], image["height"]) == ("640", "400")
    assert image["alt"] == "Peserta duduk menghadap layar presentasi"
    assert image["loading"] == "lazy" and image["class"] == "card-image"


def test_a_small_photo_is_shown_at_its_own_size() -> None:
    view = sample_view(image=photo(500, 250))
    ((_, card),) = pictures_of(parse_fragment(render_card(view, SETTINGS)))
    assert (card["width"], card["height"]) == ("400", "250")  # the 8:5 crop, not enlarged
    ((_, lead),) = pictures_of(parse_fragment(render_snippets(view, SETTINGS)["article"]))
    assert (lead["width"], lead["height"]) == ("500", "250")
    assert lead["srcset"] == f"{MEDIA}/article.jpg 500w"


def test_the_article_shows_its_photo_at_once_with_caption_and_credit() -> None:
    view = sample_view(image=photo())
    root = parse_fragment(render_snippets(view, SETTINGS)["article"])
    ((source, image),) = pictures_of(root)
    assert source["srcset"] == f"{MEDIA}/article.webp 1200w"
    assert image["src"] == f"{MEDIA}/article.jpg"
    assert (image["width"], image["height"]) == ("1200", "900")
    assert image["sizes"] == "(max-width: 46.5rem) calc(100vw - 2.5rem), 44rem"
    # Above the fold: not lazy. No alt text given, so the caption says what it shows.
    assert "loading" not in image and image["fetchpriority"] == "high"
    assert image["alt"] == "Peserta rapat pleno"
    (caption,) = elements(root, "figcaption")
    assert text(caption) == "Peserta rapat pleno Humas KPU"


def test_the_page_gives_link_previews_the_social_card_and_search_engines_every_rendition() -> None:
    view = sample_view(image=photo(alt="Peserta rapat"))
    root = parse_page(render_snippets(view, SETTINGS)["page"])
    assert meta_property(root, "og:image") == f"{MEDIA}/social.jpg"
    assert meta_property(root, "og:image:type") == "image/jpeg"
    assert meta_property(root, "og:image:width") == "1200"
    assert meta_property(root, "og:image:height") == "630"
    assert meta_property(root, "og:image:alt") == "Peserta rapat"
    twitter = [m.get("content") for m in elements(root, "meta") if m.get("name") == "twitter:card"]
    assert twitter == ["summary_large_image"]
    images = json_ld(root)["image"]
    assert [(i["url"], i["width"], i["height"]) for i in images] == [
        (f"{MEDIA}/article.jpg", 1200, 900),
        (f"{MEDIA}/social.jpg", 1200, 630),
        (f"{MEDIA}/card.jpg", 640, 400),
    ]
    assert {i["@type"] for i in images} == {"ImageObject"}
    assert {(i["caption"], i["creditText"]) for i in images} == {
        ("Peserta rapat pleno", "Humas KPU")
    }


def test_an_offices_own_image_is_shown_by_its_url() -> None:
    view = sample_view()
    card = parse_fragment(render_card(view, SETTINGS))
    assert elements(card, "picture") == []
    (image,) = elements(card, "img")
    assert image.get("src") == "https://img.example/a.jpg" and image.get("loading") == "lazy"
    page = parse_page(render_snippets(view, SETTINGS)["page"])
    assert meta_property(page, "og:image:width") is None
    assert meta_property(page, "og:image:alt") == "Webinar seri VIII"  # its caption
    lead = next(i for i in elements(page, "img") if i.get("src") == "https://img.example/a.jpg")
    assert lead.get("alt") == "Webinar seri VIII" and lead.get("loading") is None


def test_without_an_image_the_page_previews_the_sites_logo() -> None:
    root = parse_page(render_snippets(sample_view(image=None), SETTINGS)["page"])
    assert meta_property(root, "og:image") == "https://warta.example/logo.png"
    assert elements(root, "picture") == [] and "image" not in json_ld(root)


def test_updated_report_shows_its_correction_date() -> None:
    updated = datetime(2022, 1, 3, 4, 30, tzinfo=UTC)
    root = parse_page(render_snippets(sample_view(updated_at=updated), SETTINGS)["page"])
    assert "Diperbarui Senin, 3 Januari 2022 · 11.30 WIB" in text(root)
    assert json_ld(root)["dateModified"] == "2022-01-03T04:30:00+00:00"


def test_listing_page_composes_cards_with_pagination_and_sidebar() -> None:
    cards = [render_card(sample_view(id=n), SETTINGS) for n in range(3)]
    block = render_block("most-read", [sample_view()], SETTINGS)
    root = parse_page(render_listing_page(cards, 2, 3, SETTINGS, aside=block))
    assert [text(h) for h in elements(root, "h1")] == ["Berita Terkini"]
    assert len(elements(root, "article")) == 3
    assert head_links(root, "canonical")[0]["href"] == "https://warta.example/berita/?page=2"
    rels = {a.get("rel"): a.get("href") for a in elements(root, "a") if a.get("rel")}
    assert rels["prev"] == "https://warta.example/berita/"
    assert rels["next"] == "https://warta.example/berita/?page=3"
    assert "Terpopuler" in text(root)


def test_tag_page_announces_the_tag_feed() -> None:
    html = render_listing_page(
        [],
        1,
        1,
        SETTINGS,
        heading="Tag: Pemilu 2024",
        path="/tags/pemilu-2024/",
        feeds=[],
    )
    root = parse_page(html)
    assert "Belum ada berita." in text(root)
    assert head_links(root, "canonical")[0]["href"] == "https://warta.example/tags/pemilu-2024/"


@pytest.mark.parametrize("kind", ["latest", "most-read"])
def test_blocks_are_fragments_on_their_own(kind: str) -> None:
    views = [sample_view(id=1, views=10), sample_view(id=2, views=3)]
    root = parse_fragment(render_block(kind, views, SETTINGS))
    assert len(elements(root, "li")) == 2
    assert "10 kali dilihat" in text(root)


@pytest.mark.parametrize("status", [404, 410])
def test_error_pages_are_readable(status: int) -> None:
    root = parse_page(render_error_page(status, SETTINGS))
    assert "ditarik" in text(root) if status == 410 else "tidak ditemukan" in text(root)


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "'><a href=javascript:alert(1)>x</a>",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_no_markup_from_a_report_runs_script(payload: str) -> None:
    view = sample_view(
        title=f"Judul {payload}",
        excerpt=payload,
        body_html=clean_body(
            f"<p onclick=alert(1)>{payload}</p><script>alert(2)</script>"
            f'<a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe>'
            '<img src="x" onerror="alert(4)"><style>body{display:none}</style>'
        ),
        dateline={"place": payload},
        tags=[{"slug": payload, "label": payload, "source": "office"}],
        office_name=payload,
        image=photo(caption=payload, credit=payload, alt=payload),
    )
    snippets = render_snippets(view, SETTINGS)
    page = parse_page(snippets["page"])
    assert json_ld(page)["headline"] == f"Judul {payload}"[:110]
    parse_fragment(snippets["card"])
    parse_fragment(snippets["article"])
    parse_fragment(render_block("latest", [view], SETTINGS))
    listing = render_listing_page([snippets["card"]], 1, 1, SETTINGS, heading=f"Tag: {payload}")
    parse_page(listing)


def test_an_offices_own_image_must_be_a_web_url() -> None:
    for url in ("javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "/a.jpg"):
        assert shown_image(LeadImage(url, caption="x", credit="", alt="")) is None
    assert shown_image(HOSTED) == HOSTED
    assert shown_image(photo()) == photo()
