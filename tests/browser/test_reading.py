"""A reader in headless Chromium (Debian's): the latest-news page, "Selengkapnya" to the
article, its JSON-LD, a report's photo on its card and its page, on desktop and phone widths;
screenshots go to test-artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import requests

from tests.conftest import RunningSystem, eventually, new_office
from warta import demo

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SAMPLES = json.loads(
    resources.files("warta.demo").joinpath("kab-pasuruan-berita-terkini.json").read_text("utf-8")
)
# Markup HTML knows is taken out of a title (issue 18); what looks like markup but is not stays as
# text, and must reach the page as text.
HOSTILE_TITLE = 'Rapat "><x onmouseover="window.pwned=1">awas</x> \'><y onfocus=window.pwned=2>'
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
    # Playwright gives each launch a fresh temporary profile (its own --user-data-dir).
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def published(system: RunningSystem) -> list[int]:
    _, key = new_office(system.database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan")
    auth = {"Authorization": f"Bearer {key}"}
    reports = [
        {field: report[field] for field in ("title", "body", "body_format", "external_id")}
        for report in SAMPLES
    ]
    reports.append(
        {
            "title": HOSTILE_TITLE,
            "body": '<p onmouseover="window.pwned=3">Isi</p><script>window.pwned=4</script>',
            "body_format": "html",
            "tags": ['<svg onload="window.pwned=5">'],
        }
    )
    ids = []
    for report in reports:
        answer = requests.post(
            f"{system.ingest_url}/v1/articles", json=report, headers=auth, timeout=10
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])

    def listed() -> bool:
        page = requests.get(f"{system.feed_url}/berita/", timeout=5)
        return page.status_code == 200 and all(r["title"] in page.text for r in SAMPLES)

    eventually(listed, timeout=90)
    return ids


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_opens_latest_news_and_reads_an_article(
    browser, system: RunningSystem, published: list[int], width: str
) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True))
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{system.feed_url}/berita/")
    assert page.locator("h1").inner_text().strip().lower() == "berita terkini"
    cards = page.locator("main .listing article.card")
    titles = [title.strip() for title in cards.locator("h2").all_inner_texts()]
    assert {report["title"] for report in SAMPLES} <= set(titles)
    counts = cards.locator(".views").all_inner_texts()
    assert len(counts) == len(titles) and all(c.endswith("kali dilihat") for c in counts)
    page.screenshot(path=str(ARTIFACTS / f"berita-{width}.png"), full_page=True)
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    card = cards.filter(has_text=SAMPLES[0]["title"])
    card.get_by_role("link", name="Selengkapnya").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == SAMPLES[0]["title"]
    data = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == SAMPLES[0]["title"][:110]
    assert data["author"]["name"] == "KPU Kabupaten Pasuruan"
    assert data["url"] == page.url
    assert page.locator("html").get_attribute("lang") == "id"
    page.screenshot(path=str(ARTIFACTS / f"article-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert dialogs == []
    context.close()


def test_hostile_report_runs_no_script(
    browser, system: RunningSystem, published: list[int]
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()

    def hostile_listed() -> bool:
        page.goto(f"{system.feed_url}/berita/")
        return page.locator("article.card", has_text="onmouseover").count() == 1

    eventually(hostile_listed, timeout=60)
    card = page.locator("article.card", has_text="onmouseover")
    card.get_by_role("link", name="Selengkapnya").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith('Rapat "><x onmouseover')  # shown as text
    page.locator("h1").hover()
    page.locator(".body p").first.hover()
    assert page.evaluate("window.pwned") is None
    for path in ("/berita/", "/snippets/latest.html", "/snippets/most-read.html"):
        page.goto(f"{system.feed_url}{path}")
        assert page.evaluate("window.pwned") is None
    page.close()


PHOTO_TITLE = "Rapat Koordinasi PDPB Triwulan IV dengan Foto"


@pytest.fixture(scope="module")
def photographed(system: RunningSystem) -> dict[str, object]:
    """A report with a photo (drawn for the demo: 1800x1200), published and public."""
    _, key = new_office(system.database_url, "kab-pasuruan-foto", "KPU Kabupaten Pasuruan")
    photo = demo.pictures.PHOTOS["kab-pasuruan-2"]
    media = demo.upload(system.ingest_url, key, photo)
    report = {
        "title": PHOTO_TITLE,
        "body": "Pasuruan – KPU Kabupaten Pasuruan menggelar rapat koordinasi PDPB.",
        "image": {"media": media["id"]},
    }
    auth = {"Authorization": f"Bearer {key}"}
    answer = requests.post(
        f"{system.ingest_url}/v1/articles", json=report, headers=auth, timeout=10
    )
    assert answer.status_code == 202, answer.text
    resource_url = f"{system.ingest_url}/v1/articles/{answer.json()['id']}"

    def public() -> dict[str, object] | None:
        resource = requests.get(resource_url, headers=auth, timeout=5).json()
        if resource["status"] != "published":
            return None
        card = f"{system.feed_url}/media/{media['id']}/card.jpg"
        listing = requests.get(f"{system.feed_url}/berita/", timeout=5).text
        ready = requests.get(card, timeout=5).status_code == 200 and PHOTO_TITLE in listing
        return resource if ready else None

    resource = eventually(public, timeout=90)
    return {"url": resource["url"], "media": media["id"], "alt": photo.alt}


def shown_image(page, image) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the browser made of an <img>: the file it chose and that file's pixels; its
    natural width, which for a srcset candidate is the file's width over its density (the
    `sizes` it was told); and the box it is drawn in."""
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "(image) => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )
    return image.evaluate(  # type: ignore[no-any-return]
        """async (image) => {
            const file = new Image();
            file.src = image.currentSrc;
            await file.decode();
            const box = image.getBoundingClientRect();
            return {
                src: image.currentSrc,
                pixels: [file.naturalWidth, file.naturalHeight],
                naturalWidth: image.naturalWidth,
                width: box.width,
                height: box.height,
                alt: image.alt,
                loading: image.loading,
            };
        }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reader_sees_the_photo_at_the_right_size(
    browser, system: RunningSystem, photographed: dict[str, object], width: str
) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    viewport_width, viewport_height = WIDTHS[width]
    context = browser.new_context(viewport={"width": viewport_width, "height": viewport_height})
    page = context.new_page()
    media = f"{system.feed_url}/media/{photographed['media']}"
    column = min(viewport_width - 40, 704)  # the padding 1.25rem each side; 44rem at most

    page.goto(f"{system.feed_url}/berita/")
    card = page.locator("article.card", has=page.get_by_role("heading", name=PHOTO_TITLE))
    thumbnail = shown_image(page, card.locator("img"))
    # Chromium takes WebP: the card's rendition in it, shown at 12rem beside the text on a
    # desktop, across the column on a phone; 8:5 like the rendition.
    assert thumbnail["src"] == f"{media}/card.webp"
    assert thumbnail["pixels"] == [640, 400]
    assert thumbnail["width"] == (192 if width == "desktop" else column)
    # `sizes` told the browser the width the card is drawn at, before any layout.
    assert thumbnail["naturalWidth"] == thumbnail["width"]
    assert abs(thumbnail["height"] - thumbnail["width"] * 5 / 8) < 1
    assert thumbnail["alt"] == photographed["alt"] and thumbnail["loading"] == "lazy"
    page.screenshot(path=str(ARTIFACTS / f"berita-photo-{width}.png"))

    page.goto(str(photographed["url"]))
    lead = shown_image(page, page.locator("figure.lead-image img"))
    assert lead["src"] == f"{media}/article.webp"
    assert lead["pixels"] == [1200, 800]
    # As wide as the column, in the photo's own proportions: never stretched, never cropped.
    assert lead["width"] == lead["naturalWidth"] == column
    assert abs(lead["height"] - column * 800 / 1200) < 1
    assert lead["alt"] == photographed["alt"] and lead["loading"] == "auto"
    assert page.locator("figure.lead-image figcaption").inner_text().startswith("Rapat koordinasi")
    preview = page.locator('meta[property="og:image"]').get_attribute("content")
    assert preview == f"{media}/social.jpg"
    page.screenshot(path=str(ARTIFACTS / f"article-photo-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
