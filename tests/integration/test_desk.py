"""The office desk through Flask's test client, on a real database and a real Redis: people
added with `warta users add`, signing in and the lockout, CSRF, and writing through the same
domain code as the API (its outbox, idempotency, revision check, who made each revision)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import make_settings, new_office
from tests.pictures import phone_jpeg
from warta.cli import main
from warta.db import session_scope
from warta.messages import MAKE_RENDITIONS, RETRACT
from warta.models import Article, Media, OutboxMessage, Revision, User
from warta.pipeline import ENRICH
from warta_ingest.app import create_app
from warta_ingest.desk.login_attempts import ACCOUNT_FAILURES

PASSWORD = "kata-sandi-yang-panjang"
REPORT = {
    "title": "Rapat Pleno Terbuka Rekapitulasi DPB",
    "body": "Pasuruan – KPU Kabupaten Pasuruan menggelar rapat pleno terbuka pada Rabu "
    "(29/12/2021) pukul 09.00 WIB di aula kantor.\n\nRapat dihadiri Bawaslu dan partai politik.",
    "body_format": "text",
}


class Desk:
    """One person's browser, without a browser: forms are read from the pages as served."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields (CSRF token, keys, revision) of the page's last POST form."""
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        document = lxml.html.fromstring(page.text)
        form = [f for f in document.forms if f.method.upper() == "POST"][-1]
        return {
            str(field.name): str(field.value or "")
            for field in form.inputs
            if field.name and field.get("type") == "hidden"
        }

    def submit(self, path: str, **fields: Any) -> Any:
        return self.client.post(path, data={**self.form(path), **fields})

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        return self.submit("/desk/masuk", email=email, password=password)


@pytest.fixture
def app(database_url: str, redis_url: str, tmp_path):  # type: ignore[no-untyped-def]
    settings = make_settings(database_url, redis_url, MEDIA_DIR=str(tmp_path / "media"))
    return create_app(settings)


@pytest.fixture
def office(database_url: str) -> tuple[str, str]:
    return new_office(database_url, "kab-pasuruan", "KPU Kabupaten Pasuruan", region="35.14")


def add_person(app, database_url: str, email: str, role: str) -> str:  # type: ignore[no-untyped-def]
    """`warta users add`, then the link it printed followed to set the password."""
    runner = CliRunner(env={"DATABASE_URL": database_url, "DESK_URL": "https://warta.test/desk"})
    result = runner.invoke(
        main, ["users", "add", email, "--office", "kab-pasuruan", "--role", role]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://warta.test/desk/kata-sandi/")
    path = link.removeprefix("https://warta.test")
    desk = Desk(app.test_client())
    answer = desk.submit(path, password=PASSWORD, confirm=PASSWORD)
    assert answer.status_code == 302, answer.text
    return path


@pytest.fixture
def editor(app, database_url: str, office: tuple[str, str]) -> Desk:  # type: ignore[no-untyped-def]
    add_person(app, database_url, "editor@kab-pasuruan.test", "editor")
    desk = Desk(app.test_client())
    assert desk.sign_in("editor@kab-pasuruan.test").status_code == 302
    return desk


@pytest.fixture
def reporter(app, database_url: str, office: tuple[str, str]) -> Desk:  # type: ignore[no-untyped-def]
    add_person(app, database_url, "reporter@kab-pasuruan.test", "reporter")
    desk = Desk(app.test_client())
    assert desk.sign_in("reporter@kab-pasuruan.test").status_code == 302
    return desk


def outbox(database_url: str) -> list[str]:
    with session_scope(database_url) as session:
        return list(session.scalars(select(OutboxMessage.task).order_by(OutboxMessage.id)))


def send(desk: Desk, **fields: Any) -> int:
    answer = desk.submit("/desk/tulis", **{**REPORT, "action": "send", **fields})
    assert answer.status_code == 302, answer.text
    return int(answer.headers["Location"].rsplit("/", 1)[-1])


def text_of(html: str) -> str:
    return " ".join(" ".join(lxml.html.fromstring(html).itertext()).split())


def test_a_person_sets_a_password_once_and_it_is_stored_as_argon2(
    app, database_url: str, office: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    path = add_person(app, database_url, "Editor@Kab-Pasuruan.test", "editor")
    with session_scope(database_url) as session:
        user = session.scalar(select(User))
        assert user is not None and user.email == "editor@kab-pasuruan.test"
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash and user.password_token_hash is None
    # The link works once.
    used = app.test_client().get(path)
    assert used.status_code == 404 and "sudah dipakai atau kedaluwarsa" in used.text


def test_a_reset_link_replaces_the_password_and_ends_the_sessions(
    app, database_url: str, editor: Desk
) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url})
    result = runner.invoke(main, ["users", "reset", "editor@kab-pasuruan.test"])
    assert result.exit_code == 0, result.output
    path = "/desk/" + result.output.strip().splitlines()[-1].split("/desk/", 1)[1]
    other = Desk(app.test_client())
    assert other.submit(path, password="yang-baru-sekali", confirm="yang-baru-sekali").status_code
    assert editor.client.get("/desk/").status_code == 302  # signed out by the new password
    assert Desk(app.test_client()).sign_in("editor@kab-pasuruan.test").status_code == 401
    fresh = Desk(app.test_client())
    assert fresh.sign_in("editor@kab-pasuruan.test", "yang-baru-sekali").status_code == 302


def test_pages_ask_for_sign_in_and_the_cookie_is_httponly_samesite_and_secure(
    app, database_url: str, office: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    add_person(app, database_url, "editor@kab-pasuruan.test", "editor")
    client = app.test_client()
    answer = client.get("/desk/tulis")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/desk/masuk?next=/desk/tulis"
    signed = Desk(client).submit(
        "/desk/masuk?next=/desk/tulis", email="editor@kab-pasuruan.test", password=PASSWORD
    )
    assert signed.headers["Location"] == "/desk/tulis"
    cookie = signed.headers["Set-Cookie"]
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/desk"))
    page = client.get("/desk/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert '<html lang="id">' in page.text and "Tulis berita" in page.text


def test_a_wrong_password_is_refused_and_sign_in_locks_after_repeated_failures(
    app, database_url: str, office: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    add_person(app, database_url, "editor@kab-pasuruan.test", "editor")
    desk = Desk(app.test_client())
    for _ in range(ACCOUNT_FAILURES - 1):
        answer = desk.sign_in("editor@kab-pasuruan.test", "tebakan-yang-salah")
        assert answer.status_code == 401 and "Surel atau kata sandi salah" in answer.text
    assert desk.sign_in("editor@kab-pasuruan.test", "tebakan-yang-salah").status_code == 429
    # Locked: even the right password is refused now, and no session begins.
    locked = desk.sign_in("editor@kab-pasuruan.test")
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in text_of(locked.text)
    assert desk.client.get("/desk/").status_code == 302


def test_an_unknown_address_is_answered_like_a_wrong_password(
    app, database_url: str, office: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    answer = Desk(app.test_client()).sign_in("nobody@kab-pasuruan.test")
    assert answer.status_code == 401 and "Surel atau kata sandi salah" in answer.text


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(
    editor: Desk, database_url: str
) -> None:
    fields = {k: v for k, v in editor.form("/desk/tulis").items() if k != "csrf_token"}
    answer = editor.client.post("/desk/tulis", data={**fields, **REPORT, "action": "send"})
    assert answer.status_code == 400 and "Formulir ini tidak diterima" in answer.text
    forged = editor.client.post(
        "/desk/tulis", data={**fields, **REPORT, "action": "send", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert editor.client.post("/desk/keluar").status_code == 400  # signing out, too
    assert outbox(database_url) == []


def test_a_report_goes_through_the_same_write_path_as_the_api(
    app, editor: Desk, database_url: str, office: tuple[str, str]
) -> None:  # type: ignore[no-untyped-def]
    article_id = send(editor, external_id="BT-2021-001", tags="Pemilu, Rapat Pleno")
    assert outbox(database_url) == [ENRICH]
    api = app.test_client().get(
        f"/v1/articles/{article_id}", headers={"Authorization": f"Bearer {office[1]}"}
    )
    body = api.json
    assert body["external_id"] == "BT-2021-001" and body["status"] == "received"
    assert body["revised_by"]["email"] == "editor@kab-pasuruan.test"
    page = text_of(editor.client.get(f"/desk/laporan/{article_id}").text)
    assert "Berita terkirim (revisi 1)" in page and "Status: Diterima" in page
    assert "selesai: Diterima belum: Diberi tag" in page  # the stages, as a screen reader says
    assert "editor@kab-pasuruan.test" in page


def test_sending_the_same_form_twice_writes_once(editor: Desk, database_url: str) -> None:
    fields = {**editor.form("/desk/tulis"), **REPORT, "action": "send"}
    first = editor.client.post("/desk/tulis", data=fields)
    second = editor.client.post("/desk/tulis", data=fields)
    assert first.headers["Location"] == second.headers["Location"]
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_the_api_and_the_desk_refuse_the_same_report(editor: Desk, database_url: str) -> None:
    answer = editor.submit("/desk/tulis", **{**REPORT, "title": "<b></b>", "action": "send"})
    assert answer.status_code == 422
    assert "Judul harus 1 sampai 300 karakter" in text_of(answer.text)
    taken = send(editor, external_id="BT-1")
    again = editor.submit("/desk/tulis", **{**REPORT, "external_id": "BT-1", "action": "send"})
    assert again.status_code == 409 and "Referensi ini sudah dipakai" in text_of(again.text)
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Revision)) == 1
        assert session.scalar(select(Revision.article_id)) == taken


def test_the_preview_is_the_public_page_and_stores_nothing(editor: Desk, database_url: str) -> None:
    answer = editor.submit("/desk/tulis", **{**REPORT, "action": "preview"})
    assert answer.status_code == 200
    frame = lxml.html.fromstring(answer.text).find(".//iframe")
    assert frame is not None and frame.get("sandbox") == ""
    page = lxml.html.fromstring(frame.get("srcdoc"))
    assert page.findtext(".//h1").strip() == REPORT["title"]
    assert page.find(".//meta[@property='og:type']").get("content") == "article"
    facts = text_of(answer.text)
    assert "Tempat berita Pasuruan" in facts and "Rabu, 29 Desember 2021, 09.00 WIB" in facts
    assert outbox(database_url) == []


def test_a_photo_is_uploaded_through_the_uploads_code(editor: Desk, database_url: str) -> None:
    def photo() -> tuple[io.BytesIO, str, str]:
        return (io.BytesIO(phone_jpeg()), "foto.jpg", "image/jpeg")

    preview = editor.submit("/desk/tulis", **{**REPORT, "photo": photo(), "action": "preview"})
    assert preview.status_code == 200
    article_id = send(editor, photo=photo(), photo_alt="Peserta rapat pleno di aula")
    # The photo of the preview and of the sending is one upload.
    assert outbox(database_url) == [MAKE_RENDITIONS, ENRICH]
    with session_scope(database_url) as session:
        media = session.scalar(select(Media))
        revision = session.scalar(select(Revision).where(Revision.article_id == article_id))
        assert media is not None and revision is not None
        assert revision.submission["image"] == {
            "media": media.id,
            "alt": "Peserta rapat pleno di aula",
        }
    page = text_of(editor.client.get(f"/desk/laporan/{article_id}").text)
    assert "Foto: Peserta rapat pleno di aula (sedang disiapkan)" in page
    refused = editor.submit(
        "/desk/tulis", **{**REPORT, "action": "send", "photo": (io.BytesIO(b"GIF89a"), "x.gif")}
    )
    assert refused.status_code == 422 and "bukan foto yang diterima" in text_of(refused.text)


def test_an_edit_made_on_a_stale_revision_is_refused_with_a_clear_message(
    app, editor: Desk, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    article_id = send(editor)
    path = f"/desk/laporan/{article_id}/ubah"
    mine = editor.form(path)  # opened at revision 1
    other = Desk(app.test_client())
    other.sign_in("editor@kab-pasuruan.test")
    theirs = other.submit(path, **{**REPORT, "title": "Judul dari editor lain", "action": "send"})
    assert theirs.status_code == 302
    stale = editor.client.post(
        path, data={**mine, **REPORT, "title": "Judul saya", "action": "send"}
    )
    assert stale.status_code == 409
    message = text_of(stale.text)
    assert "Orang lain sudah lebih dulu mengubah berita ini" in message
    assert "membuat revisi 2" in message and "Judul dari editor lain" in message
    with session_scope(database_url) as session:
        titles = session.scalars(select(Revision.submission).order_by(Revision.number))
        assert [s["title"] for s in titles] == [REPORT["title"], "Judul dari editor lain"]
    # Sent again from the form as shown now, it replaces theirs knowingly.
    again = editor.client.post(
        path,
        data={**editor.form(path), **REPORT, "title": "Judul saya", "action": "send"},
    )
    assert again.status_code == 302


def test_an_editor_retracts_after_confirming(editor: Desk, database_url: str) -> None:
    article_id = send(editor)
    confirm = editor.client.get(f"/desk/laporan/{article_id}/tarik")
    assert "Ya, tarik berita" in confirm.text
    answer = editor.submit(f"/desk/laporan/{article_id}/tarik")
    assert answer.status_code == 302
    assert outbox(database_url) == [ENRICH, RETRACT]
    page = text_of(editor.client.get(f"/desk/laporan/{article_id}").text)
    assert "Status: Ditarik" in page and "Ubah" not in page.split("Status")[0]


def test_a_reporter_sees_and_edits_only_their_own_and_never_retracts(
    app, editor: Desk, reporter: Desk, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    editors = send(editor, title="Berita editor")
    own = send(reporter, title="Berita reporter")
    listing = text_of(reporter.client.get("/desk/").text)
    assert "Berita reporter" in listing and "Berita editor" not in listing
    assert reporter.client.get(f"/desk/laporan/{editors}").status_code == 404
    assert reporter.client.get(f"/desk/laporan/{editors}/ubah").status_code == 404
    assert reporter.client.get(f"/desk/laporan/{own}/tarik").status_code == 403
    edited = reporter.submit(
        f"/desk/laporan/{own}/ubah", **{**REPORT, "title": "Berita reporter, diperbaiki"}
    )
    assert edited.status_code == 302
    # The editor sees both, and edits the reporter's.
    assert "Berita reporter, diperbaiki" in text_of(editor.client.get("/desk/").text)
    assert editor.client.get(f"/desk/laporan/{own}/ubah").status_code == 200


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, editor: Desk) -> None:  # type: ignore[no-untyped-def]
    cookie = editor.client.get_cookie("warta_desk", path="/desk")
    assert cookie is not None
    signed_out = editor.client.post("/desk/keluar", data=editor.form("/desk/"))
    assert signed_out.headers["Location"] == "/desk/masuk"
    copy = app.test_client()
    copy.set_cookie("warta_desk", cookie.value, path="/desk")
    assert copy.get("/desk/").status_code == 302


def test_next_never_leads_off_the_desk(app, database_url: str, office) -> None:  # type: ignore[no-untyped-def]
    add_person(app, database_url, "editor@kab-pasuruan.test", "editor")
    client = app.test_client()
    desk = Desk(client)
    fields = desk.form("/desk/masuk?next=//evil.test/")
    answer = client.post(
        "/desk/masuk?next=//evil.test/",
        data={**fields, "email": "editor@kab-pasuruan.test", "password": PASSWORD},
    )
    assert answer.headers["Location"] == "/desk/"


def test_a_report_sent_as_html_through_the_api_is_edited_as_html(
    app, editor: Desk, office: tuple[str, str], database_url: str
) -> None:  # type: ignore[no-untyped-def]
    sent = app.test_client().post(
        "/v1/articles",
        json={
            "title": "Dari sistem kantor",
            "body": "<p>Isi <b>tebal</b></p>",
            "body_format": "html",
        },
        headers={"Authorization": f"Bearer {office[1]}"},
    )
    path = f"/desk/laporan/{sent.json['id']}/ubah"
    form = lxml.html.fromstring(editor.client.get(path).text)
    assert form.xpath("//select[@name='body_format']/option[@selected]/@value") == ["html"]
    fields = {**editor.form(path), "title": "Dari sistem kantor, diperbaiki"}
    fields |= {"body": "<p>Isi <b>tebal</b></p>", "body_format": "html", "action": "send"}
    assert editor.client.post(path, data=fields).status_code == 302
    with session_scope(database_url) as session:
        revision = session.scalar(select(Revision).where(Revision.number == 2))
        assert revision is not None and revision.submission["body_format"] == "html"
        assert revision.revised_by is not None


def test_a_later_time_in_the_offices_zone_schedules_the_report(
    editor: Desk, database_url: str
) -> None:
    article_id = send(editor, publish_at="2099-01-02T08:30")
    with session_scope(database_url) as session:
        revision = session.scalar(select(Revision).where(Revision.article_id == article_id))
        assert revision is not None
        assert revision.publish_at == datetime(2099, 1, 2, 1, 30, tzinfo=UTC)  # 08.30 WIB
    edit = lxml.html.fromstring(editor.client.get(f"/desk/laporan/{article_id}/ubah").text)
    assert edit.xpath("//input[@name='publish_at']/@value") == ["2099-01-02T08:30"]
    wrong = editor.submit("/desk/tulis", **{**REPORT, "publish_at": "besok", "action": "send"})
    assert wrong.status_code == 422 and "Waktu tidak sah" in text_of(wrong.text)


def test_the_rate_limit_holds_for_each_signed_in_person_as_for_a_key(
    database_url: str, redis_url: str, office: tuple[str, str]
) -> None:
    limited = create_app(make_settings(database_url, redis_url, RATE_LIMIT="6/minute"))
    add_person(limited, database_url, "editor@kab-pasuruan.test", "editor")
    desk = Desk(limited.test_client())
    # Before signing in, requests count against the address; after, against the person.
    desk.sign_in("editor@kab-pasuruan.test")
    answers = [desk.client.get("/desk/").status_code for _ in range(7)]
    assert answers == [200] * 6 + [429]
    refused = desk.client.get("/desk/")
    assert "Terlalu banyak permintaan" in text_of(refused.text)
    # The address's own budget is another (4 of its 6 spent on the link and signing in).
    assert Desk(limited.test_client()).client.get("/desk/masuk").status_code == 200
