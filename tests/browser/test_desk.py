"""The office desk in headless Chromium (Debian's), against the whole running system (real
workers on PostgreSQL): a person sets their password from the link `warta users add` printed,
signs in, previews and sends a report and watches it through the stages to its public page,
meets an edit conflict, retracts; a form without its CSRF token is refused; sign-in locks
after repeated failures. axe-core checks each page (no serious or critical violation), at
phone and desktop widths; screenshots go to test-artifacts/desk/ (docs/desk/ keeps a set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from click.testing import CliRunner

from tests.browser.test_reading import CHROMIUM, WIDTHS
from tests.conftest import (
    RedisServer,
    RunningSystem,
    create_postgres_database,
    drop_postgres_database,
    eventually,
    new_office,
)
from warta.cli import main
from warta.schema import upgrade_database

playwright_sync = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desk"
PASSWORD = "sandi-meja-redaksi"
TITLE = "KPU Kabupaten Pasuruan Gelar Rapat Pleno Rekapitulasi DPB"
BODY = (
    "Pasuruan – KPU Kabupaten Pasuruan menggelar rapat pleno terbuka rekapitulasi daftar "
    "pemilih berkelanjutan pada Rabu (29/12/2021) pukul 09.00 WIB di aula kantor.\n\n"
    "Rapat dihadiri Bawaslu Kabupaten Pasuruan dan perwakilan partai politik."
)


@pytest.fixture(scope="module")
def desk_system(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer, postgres_available: bool
) -> Iterator[RunningSystem]:
    """The whole system, its desk over plain HTTP as in a local run (no Secure cookies)."""
    database_url = create_postgres_database()
    upgrade_database(database_url)
    redis.Redis.from_url(redis_server.url).flushall()
    system = RunningSystem(
        database_url,
        redis_server.url,
        tmp_path_factory.mktemp("metrics"),
        DESK_SECURE_COOKIES="0",
    )
    system.start()
    new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan", region="35.14")
    yield system
    system.stop()
    drop_postgres_database(database_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


def password_link(system: RunningSystem, email: str, role: str) -> str:
    """`warta users add`, as an operator runs it; the link it prints."""
    runner = CliRunner(
        env={"DATABASE_URL": system.database_url, "DESK_URL": f"{system.ingest_url}/desk"}
    )
    arguments = ["users", "add", email, "--office", "kab-pasuruan", "--role", role]
    result = runner.invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def new_context(browser: Any, width: str = "desktop") -> Any:
    """A person's browser, in Indonesian (its own controls too: the date picker, the file
    chooser), at a phone's or a desktop's width."""
    size = dict(zip(("width", "height"), WIDTHS[width], strict=True))
    return browser.new_context(viewport=size, locale="id-ID", timezone_id="Asia/Jakarta")


def accessible(page: Any) -> None:
    """No serious or critical violation that axe-core finds on the page as it stands."""
    results = axe_playwright.Axe().run(page)
    grave = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert grave == [], grave


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page: Any, name: str, width: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def sign_in(page: Any, system: RunningSystem, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{system.ingest_url}/desk/masuk")
    page.get_by_label("Surel").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def write(page: Any, system: RunningSystem, title: str, body: str) -> None:
    """The write form, filled in (not yet sent)."""
    page.goto(f"{system.ingest_url}/desk/tulis")
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Isi berita").fill(body)


@pytest.fixture(scope="module")
def editor(browser: Any, desk_system: RunningSystem) -> str:
    """An editor who set their password from the link, at phone width."""
    email = "editor@kab-pasuruan.test"
    link = password_link(desk_system, email, "editor")
    context = new_context(browser, "phone")
    page = context.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Buat kata sandi Anda"
    accessible(page)
    shoot(page, "password", "phone")
    page.get_by_label("Kata sandi baru").fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    page.wait_for_load_state()
    assert "Kata sandi tersimpan" in page.locator(".notice").inner_text()
    context.close()
    return email


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_writes_previews_sends_and_sees_the_report_published(
    browser: Any, desk_system: RunningSystem, editor: str, width: str
) -> None:
    context = new_context(browser, width)
    page = context.new_page()
    page.goto(f"{desk_system.ingest_url}/desk/")
    assert page.url.startswith(f"{desk_system.ingest_url}/desk/masuk")
    assert page.locator("html").get_attribute("lang") == "id"
    accessible(page)
    fits(page)
    shoot(page, "login", width)
    sign_in(page, desk_system, editor)
    title = f"{TITLE} ({width})"

    page.get_by_role("link", name="Tulis berita").first.click()
    page.wait_for_load_state()
    accessible(page)
    fits(page)
    shoot(page, "write", width)
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Isi berita").fill(BODY)
    assert page.locator(".words").inner_text().endswith(" kata")  # the script's word count
    page.get_by_label("Tag", exact=True).fill("Pemilu, Rapat Pleno")
    page.get_by_role("button", name="Pratinjau").click()
    page.wait_for_load_state()
    preview = page.frame_locator("iframe[title='Pratinjau halaman publik']")
    assert preview.locator("h1").inner_text().strip() == title
    # Styled as the public page is, by its own stylesheet.
    font = preview.locator("body").evaluate("body => getComputedStyle(body).fontFamily")
    assert font.startswith("Georgia"), font
    facts = page.locator(".preview .facts").inner_text()
    assert "Pasuruan" in facts and "Rabu, 29 Desember 2021, 09.00 WIB" in facts
    accessible(page)
    fits(page)
    shoot(page, "preview", width)

    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    assert "Berita terkirim (revisi 1)" in page.locator(".notice").inner_text()
    assert page.locator("h1").inner_text() == title
    # The page follows the stages by itself (desk.js), without a reload.
    badge = page.locator("#status .badge")
    eventually(lambda: badge.inner_text() == "Terbit", timeout=90)
    eventually(lambda: "Kabupaten Pasuruan" in page.locator("#read .tags").inner_text())
    assert page.locator("#read").get_by_text("Pasuruan", exact=True).count() >= 1
    assert page.locator("#status .steps li.done").count() == 4  # every stage gone through
    first = page.locator("#revisions tbody tr").last.inner_text()
    assert editor in first and "Terbit" in first  # who made revision 1, and where it is
    accessible(page)
    fits(page)
    shoot(page, "report", width)

    public = page.get_by_role("link", name="Halaman publik")
    eventually(lambda: requests.get(public.get_attribute("href"), timeout=5).status_code == 200)
    public.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == title

    page.goto(f"{desk_system.ingest_url}/desk/")
    row = page.locator(".report-row", has_text=title)
    assert row.locator(".badge").inner_text() == "Terbit"
    accessible(page)
    fits(page)
    shoot(page, "reports", width)
    context.close()


def test_an_edit_on_a_stale_revision_says_someone_else_changed_it_first(
    browser: Any, desk_system: RunningSystem, editor: str
) -> None:
    mine, theirs = new_context(browser), new_context(browser)
    page, other = mine.new_page(), theirs.new_page()
    for tab in (page, other):
        sign_in(tab, desk_system, editor)
    write(
        page,
        desk_system,
        "Sosialisasi Pemilih Pemula di SMA",
        "Pasuruan – KPU menggelar sosialisasi pemilih pemula.",
    )
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    report_url = page.url
    page.get_by_role("link", name="Ubah").click()  # opened at revision 1
    page.wait_for_load_state()

    other.goto(report_url + "/ubah")
    other.get_by_label("Judul").fill("Sosialisasi Pemilih Pemula di SMA Negeri 1")
    other.get_by_role("button", name="Kirim").click()
    other.wait_for_load_state()
    assert "revisi 2" in other.locator(".notice").inner_text()

    page.get_by_label("Judul").fill("Sosialisasi Pemilih Pemula (versi saya)")
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").inner_text()
    assert "Orang lain sudah lebih dulu mengubah berita ini" in alert and "revisi 2" in alert
    assert "SMA Negeri 1" in page.locator(".theirs").inner_text()
    assert page.get_by_label("Judul").input_value() == "Sosialisasi Pemilih Pemula (versi saya)"
    accessible(page)
    shoot(page, "conflict", "desktop")
    # Sent again, knowingly, it is revision 3.
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    assert "revisi 3" in page.locator(".notice").inner_text()
    mine.close()
    theirs.close()


def test_an_editor_retracts_a_report_after_confirming(
    browser: Any, desk_system: RunningSystem, editor: str
) -> None:
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, desk_system, editor)
    write(
        page,
        desk_system,
        "Berita yang akan ditarik",
        "Pasuruan – Senin (29/12/2021) KPU menggelar rapat. Berita ini keliru dan akan ditarik.",
    )
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    eventually(lambda: page.locator("#status .badge").inner_text() == "Terbit", timeout=90)
    # What normalise doubted, for the office to check: 29/12/2021 was a Wednesday.
    warning = page.locator("#read .warnings").inner_text()
    assert "Hari “Senin” tidak sesuai dengan tanggal 29 Desember 2021" in warning
    public_url = page.get_by_role("link", name="Halaman publik").get_attribute("href")

    page.get_by_role("link", name="Tarik").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Tarik “Berita yang akan ditarik”?"
    accessible(page)
    shoot(page, "retract", "desktop")
    page.get_by_role("button", name="Ya, tarik berita").click()
    page.wait_for_load_state()
    assert page.locator("#status .badge").inner_text() == "Ditarik"
    assert page.get_by_role("link", name="Ubah").count() == 0
    eventually(lambda: requests.get(public_url, timeout=5).status_code == 410, timeout=60)
    context.close()


def test_a_form_without_its_csrf_token_is_refused(
    browser: Any, desk_system: RunningSystem, editor: str
) -> None:
    context = new_context(browser)
    page = context.new_page()
    sign_in(page, desk_system, editor)
    write(page, desk_system, "Berita tanpa token", "Pasuruan – Formulir ini kehilangan tokennya.")
    page.evaluate("document.querySelector('form.report-form input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_load_state()
    assert "Formulir ini tidak diterima" in page.get_by_role("alert").inner_text()
    page.goto(f"{desk_system.ingest_url}/desk/")
    assert page.locator(".report-row", has_text="Berita tanpa token").count() == 0
    context.close()


def test_sign_in_locks_after_repeated_failures(browser: Any, desk_system: RunningSystem) -> None:
    email = "reporter@kab-pasuruan.test"
    context = new_context(browser)
    page = context.new_page()
    page.goto(password_link(desk_system, email, "reporter"))
    page.get_by_label("Kata sandi baru").fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()
    for _ in range(4):
        sign_in(page, desk_system, email, "bukan-sandinya")
        assert "Surel atau kata sandi salah" in page.get_by_role("alert").inner_text()
    sign_in(page, desk_system, email, "bukan-sandinya")
    assert "Terlalu banyak percobaan masuk" in page.get_by_role("alert").inner_text()
    sign_in(page, desk_system, email)  # the right password, too late
    assert "Terlalu banyak percobaan masuk" in page.get_by_role("alert").inner_text()
    assert page.url.startswith(f"{desk_system.ingest_url}/desk/masuk")
    accessible(page)
    shoot(page, "locked", "phone")
    context.close()
