"""The desk's pages. Thin, like the API's views: a form is read here, and written through
submissions.py (and a photo through uploads.py), with the same validation, idempotency,
revision check and outbox as an API call."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_translations
from flask_wtf.csrf import CSRFError
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased, selectinload
from werkzeug.datastructures import ETags, FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from warta.db import session_scope
from warta.media import lead_image, lead_media_id
from warta.models import (
    MAX_ID,
    MEDIA_FAILED,
    Article,
    Media,
    Office,
    Revision,
)
from warta.photos import MAX_BYTES
from warta.pipeline import STAGE_STATUSES, Status
from warta.settings import Settings
from warta.urls import article_url
from warta.users import find_user, normal_email, password_matches, set_password, user_for_token
from warta_ingest.desk.forms import LoginForm, LogoutForm, PasswordForm, ReportForm, RetractForm
from warta_ingest.desk.login_attempts import LoginAttempts, LoginAttemptsUnavailable
from warta_ingest.desk.previews import Preview, preview, preview_stylesheet
from warta_ingest.desk.sessions import Person, begin_session, end_sessions, signed_in
from warta_ingest.idempotency import request_fingerprint
from warta_ingest.problems import Problem
from warta_ingest.resources import article_status
from warta_ingest.submissions import (
    Writer,
    commit,
    load_submission,
    own_article,
    replace,
    retract_article,
    submit,
)
from warta_ingest.uploads import add_media, keep_photo

desk = Blueprint(
    "desk",
    __name__,
    url_prefix="/desk",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

PAGE_SIZE = 30
# The stages a person follows, each with how far a revision there has gone (enrich reads and
# tags in one stage; `normalised` is only met in revisions from before it).
STEPS = (Status.RECEIVED, Status.TAGGED, Status.RENDERED, Status.PUBLISHED)
# A report's revisions, each with who made it.
REVISIONS_WITH_REVISERS = selectinload(Article.revisions).joinedload(Revision.reviser)
# Pages anyone may open; every other one asks for a signed-in person.
OPEN_ENDPOINTS = frozenset({"desk.login", "desk.password", "desk.static", "desk.preview_css"})
# The form's fields, by the submission's (what the schema names in its errors).
FORM_FIELDS = {
    "title": "title",
    "body": "body",
    "body_format": "body_format",
    "external_id": "external_id",
    "published_at": "publish_at",
    "tags": "tags",
    "image": "photo",
}


def _translations() -> Any:
    # Asked of Flask-Babel once per request: each of its gettext calls looks it up again,
    # and a list of reports says a few hundred words.
    if "desk_translations" not in g:
        g.desk_translations = get_translations()
    return g.desk_translations


def _(text: str, **variables: Any) -> str:
    """The Indonesian of `text` (the desk's catalogue), its `%(name)s` filled in."""
    translated = str(_translations().gettext(text))
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    translated = str(_translations().ngettext(singular, plural, num))
    return translated % {"num": num, **variables}


def settings() -> Settings:
    settings: Settings = current_app.config["WARTA_SETTINGS"]
    return settings


def person() -> Person:
    signed = signed_in()
    assert signed is not None, "require_sign_in ran first"
    return signed


@desk.before_request
def require_sign_in() -> ResponseReturnValue | None:
    if request.endpoint in OPEN_ENDPOINTS or signed_in() is not None:
        return None
    return redirect(url_for("desk.login", next=request.full_path.rstrip("?")))


@desk.after_request
def protect(response: Response) -> Response:
    # A preview's frame (sandboxed, of no origin) inherits this policy: the desk's own origin
    # is named, not only 'self'.
    public, own = settings().public_base_url, request.host_url.rstrip("/")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        f"style-src 'self' {own}; img-src 'self' data: https: {public} {own}; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The set-password link is in the URL: no page sends it on as a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint not in ("desk.static", "desk.preview_css"):
        response.headers["Cache-Control"] = "no-store"
    return response


MONTHS = Locale("id").months["format"]["abbreviated"]
# The zones an Indonesian reader names: the offset of an event's time as its own words say.
ZONE_NAMES = {7.0: "WIB", 8.0: "WITA", 9.0: "WIT"}


@desk.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    signed = signed_in()
    local = value.astimezone(ZoneInfo(signed.timezone if signed else settings().timezone))
    # As Babel's "d MMM y, HH.mm z" says it, for a fraction of its cost (a list shows dozens).
    return f"{local.day} {MONTHS[local.month]} {local.year}, {local:%H.%M} {local.tzname()}"


@desk.app_template_filter("event_time")
def event_time(value: str | datetime) -> str:
    """The date and time a report is about, in the report's own offset."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    zone = ZONE_NAMES.get(hours, f"UTC{hours:+g}")
    day = format_datetime(moment, "EEEE, d MMMM y, HH.mm", tzinfo=moment.tzinfo, locale="id")
    return f"{day} {zone}"


@desk.context_processor
def desk_context() -> dict[str, Any]:
    # The desk's own `_` and `ngettext` before Flask-Babel's: the same catalogue, asked once.
    return {
        "status_label": status_label,
        "steps": STEPS,
        "stage_order": STAGE_STATUSES,
        "_": _,
        "ngettext": ngettext,
    }


@desk.errorhandler(CSRFError)
def refused_form(error: CSRFError) -> ResponseReturnValue:
    message = _(
        "This form was not accepted: it is too old or did not come from the desk. "
        "Open the page again and send it once more."
    )
    return render_template("desk/error.html", message=message), 400


@desk.errorhandler(HTTPException)
def http_error(error: HTTPException) -> ResponseReturnValue:
    messages = {
        403: _("Only an editor, or the reporter who wrote it, may do this."),
        404: _("There is no such report for your office."),
        413: _("The form is too large: a photo may be at most 20 MiB."),
        429: _("Too many requests. Wait a minute and try again."),
    }
    message = messages.get(error.code or 500, error.description or "")
    return render_template("desk/error.html", message=message), error.code or 500


# Signing in and out


@desk.route("/masuk", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        email, client = normal_email(form.email.data or ""), request.remote_addr or ""
        attempts: LoginAttempts = current_app.extensions["warta_login_attempts"]
        try:
            if attempts.locked(email, client):
                error, status = _locked_message(), 429
            elif _sign_in(email, form.password.data or ""):
                attempts.succeeded(email)
                return redirect(_next_page())
            else:
                attempts.failed(email, client)
                error, status = _("The e-mail or the password is wrong."), 401
                if attempts.locked(email, client):
                    error, status = _locked_message(), 429
        except LoginAttemptsUnavailable:
            error, status = _("Signing in is unavailable for a moment. Try again shortly."), 503
    elif form.errors:
        status = 422
    return render_template("desk/login.html", form=form, error=error), status


def _locked_message() -> str:
    return _("Too many failed sign-ins. Wait 15 minutes and try again.")


def _sign_in(email: str, password: str) -> bool:
    with session_scope(settings().database_url) as db:
        user = find_user(db, email)
        if not password_matches(user, password):
            return False
        assert user is not None
        begin_session(user)
    return True


def _next_page() -> str:
    target = request.args.get("next", "")
    # Only a page of the desk: never another site ("//elsewhere", "https://...").
    if target.startswith("/desk/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("desk.reports")


@desk.post("/keluar")
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if form.validate_on_submit():
        end_sessions(person())
        flash(_("You have signed out."))
    return redirect(url_for("desk.login"))


@desk.route("/kata-sandi/<token>", methods=["GET", "POST"])
def password(token: str) -> ResponseReturnValue:
    form = PasswordForm()
    with session_scope(settings().database_url) as db:
        user = user_for_token(db, token)
        if user is None:
            message = _(
                "This link is used or expired. Ask your administrator for a new one "
                "(warta users reset)."
            )
            return render_template("desk/error.html", message=message), 404
        email = user.email
        if form.validate_on_submit():
            set_password(user, form.password.data or "")
            begin_session(user)
            flash(_("Your password is set. Welcome to the desk."))
            return redirect(url_for("desk.reports"))
    return render_template("desk/password.html", form=form, email=email)


# The office's reports


@dataclass(frozen=True)
class ReportRow:
    id: int
    title: str
    status: str
    revision: int
    changed_at: datetime
    warnings: int
    public_url: str | None
    external_id: str | None


@desk.get("/")
def reports() -> ResponseReturnValue:
    me = person()
    before = request.args.get("sebelum", type=int)
    statement = OFFICE_REPORTS if me.is_editor else OWN_REPORTS
    values = {
        "office_id": me.office_id,
        "user_id": me.user_id,
        "before": min(before or MAX_ID, MAX_ID),
        "limit": PAGE_SIZE + 1,
    }
    with session_scope(settings().database_url, writer=False) as db:
        found = db.execute(statement, values).all()
    rows = [_report_row(row) for row in found]
    older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template(
        "desk/reports.html",
        rows=rows[:PAGE_SIZE],
        older=older,
        office_feed=_office_feed(me),
        logout_form=LogoutForm(),
    )


def _reports_query(own: bool) -> Select[Any]:
    """The columns a list of reports shows, newest first; built once (building a statement of
    aliases costs more than running it). The page's ids are chosen first, so that only its
    reports are joined to their revisions, however many the office has."""
    current, live, first = aliased(Revision), aliased(Revision), aliased(Revision)
    ids = (
        select(Article.id)
        .where(Article.office_id == bindparam("office_id"), Article.id < bindparam("before"))
        .order_by(Article.id.desc())
        .limit(bindparam("limit"))
    )
    if own:
        ids = ids.join(
            first,
            (first.article_id == Article.id)
            & (first.number == 1)
            & (first.revised_by == bindparam("user_id")),
        )
    page = ids.subquery()
    return (
        select(
            Article.id,
            Article.external_id,
            Article.retracted_at,
            current.number,
            current.status,
            # The submitted title until normalise has cleaned one (COALESCE reads no JSON
            # where it has).
            func.coalesce(current.title, current.submission["title"].as_string()).label("title"),
            current.progressed_at,
            current.warnings,
            live.slug.label("live_slug"),
        )
        .join(page, page.c.id == Article.id)
        .join(
            current,
            (current.article_id == Article.id) & (current.number == Article.current_revision),
        )
        .outerjoin(live, (live.article_id == Article.id) & (live.number == Article.live_revision))
        .order_by(Article.id.desc())
    )


OFFICE_REPORTS, OWN_REPORTS = _reports_query(own=False), _reports_query(own=True)


def _report_row(row: Any) -> ReportRow:
    retracted = row.retracted_at is not None
    return ReportRow(
        id=row.id,
        title=row.title or "",
        status=Status.RETRACTED if retracted else row.status,
        revision=row.number,
        changed_at=row.retracted_at or row.progressed_at,
        warnings=len(row.warnings or []),
        public_url=None
        if retracted or not row.live_slug
        else article_url(settings().public_base_url, row.id, row.live_slug),
        external_id=row.external_id,
    )


def _public_url(article: Article, live_slug: str | None) -> str | None:
    if article.retracted_at is not None or not live_slug:
        return None
    return article_url(settings().public_base_url, article.id, live_slug)


def _office_feed(me: Person) -> str:
    return f"{settings().public_base_url}/offices/{quote(me.office_slug)}/feed.rss"


@desk.get("/laporan/<int:article_id>")
def report(article_id: int) -> ResponseReturnValue:
    me = person()
    with session_scope(settings().database_url, writer=False) as db:
        article = _visible_article(db, me, article_id)
        revisions = {revision.number: revision for revision in article.revisions}
        current = revisions[article.current_revision]
        live = revisions.get(article.live_revision or 0)
        image = lead_image(db, current.submission.get("image"), settings().public_base_url)
        page = render_template(
            "desk/report.html",
            article=article,
            current=current,
            status=article_status(article, current),
            revisions=sorted(revisions.values(), key=lambda r: r.number, reverse=True),
            public_url=_public_url(article, live.slug if live else None),
            office_feed=_office_feed(me),
            image=image,
            may_revise=article.retracted_at is None and _may_revise(db, me, article),
            may_retract=article.retracted_at is None and me.is_editor,
            logout_form=LogoutForm(),
        )
    return page


def _visible_article(db: Session, me: Person, article_id: int) -> Article:
    """The office's report, with its revisions and who made them (404 for another office's, and
    for a reporter, for another person's)."""
    article = (
        db.scalar(
            select(Article)
            .where(Article.id == article_id, Article.office_id == me.office_id)
            .options(REVISIONS_WITH_REVISERS)
        )
        if article_id <= MAX_ID
        else None
    )
    if article is None:
        abort(404)
    if not me.is_editor and article.revisions[0].revised_by != me.user_id:
        abort(404)  # revision 1's author is the report's; another reporter's is none of theirs
    return article


def _may_revise(db: Session, me: Person, article: Article) -> bool:
    return _writer(me).may_revise(db, article)


def _writer(me: Person) -> Writer:
    return Writer(me.office_id, me.user_id, me.role)


# Writing


@desk.route("/tulis", methods=["GET", "POST"])
def write() -> ResponseReturnValue:
    me = person()
    form = ReportForm()
    if request.method == "GET":
        form.key.data = _new_key()
    return _report_form(me, form, None, None)


@desk.route("/laporan/<int:article_id>/ubah", methods=["GET", "POST"])
def edit(article_id: int) -> ResponseReturnValue:
    me = person()
    with session_scope(settings().database_url, writer=False) as db:
        article = _visible_article(db, me, article_id)
        if article.retracted_at is not None:
            abort(404)
        if not _may_revise(db, me, article):
            abort(403)
        current = next(r for r in article.revisions if r.number == article.current_revision)
        existing = _Existing(article.id, current.number, dict(current.submission))
    form = ReportForm()
    if existing.submission.get("body_format") == "html":
        # A report the office's system sent as HTML stays HTML; the desk writes no HTML.
        form.body_format.choices = [*form.body_format.choices, SelectChoice("html", "HTML")]
    if request.method == "GET":
        _fill(form, existing, me)
    return _report_form(me, form, existing, None)


@dataclass(frozen=True)
class _Existing:
    """The report being edited, at the revision the form shows."""

    id: int
    revision: int
    submission: dict[str, Any]


def _report_form(
    me: Person, form: ReportForm, existing: _Existing | None, notice: str | None
) -> ResponseReturnValue:
    shown: Preview | None = None
    conflict: _Existing | None = None
    status = 200
    if form.validate_on_submit():
        data = _submission_data(me, form, existing)
        submission = _validated(me, form, data) if data is not None else None
        if submission is not None and request.form.get("action") == "preview":
            shown = _preview(me, submission)
        elif submission is not None:
            sent = _send(me, form, existing, data or {}, submission)
            if isinstance(sent, Response):
                return sent
            notice, conflict = sent
        status = 200 if shown is not None else 409 if notice else 422
    elif form.errors:
        status = 422
    return (
        render_template(
            "desk/write.html",
            form=form,
            existing=existing,
            preview=shown,
            notice=notice,
            conflict=conflict,
            logout_form=LogoutForm(),
        ),
        status,
    )


def _fill(form: ReportForm, existing: _Existing, me: Person) -> None:
    submission = existing.submission
    form.title.data = submission.get("title", "")
    form.body.data = submission.get("body", "")
    form.body_format.data = submission.get("body_format", "text")
    form.external_id.data = submission.get("external_id") or ""
    form.tags.data = ", ".join(submission.get("tags", []))
    if submission.get("published_at"):
        moment = datetime.fromisoformat(submission["published_at"])
        form.publish_at.data = moment.astimezone(ZoneInfo(me.timezone)).replace(tzinfo=None)
    image = submission.get("image") or {}
    form.photo_alt.data = image.get("alt", "")
    form.photo_caption.data = image.get("caption", "")
    form.photo_credit.data = image.get("credit", "")
    form.revision.data = str(existing.revision)
    form.key.data = _new_key()


def _submission_data(
    me: Person, form: ReportForm, existing: _Existing | None
) -> dict[str, Any] | None:
    """The submission as the API would receive it, from the form (None if its photo was
    refused: the form says why)."""
    data: dict[str, Any] = {
        "title": form.title.data or "",
        "body": form.body.data or "",
        "body_format": form.body_format.data or "text",
    }
    previous = existing.submission if existing else {}
    if "language" in previous:
        data["language"] = previous["language"]
    if existing is None and form.external_id.data:
        data["external_id"] = form.external_id.data.strip()
    if form.publish_at.data is not None:
        local = form.publish_at.data.replace(tzinfo=ZoneInfo(me.timezone))
        data["published_at"] = local.isoformat()
    tags = [tag.strip() for tag in (form.tags.data or "").split(",") if tag.strip()]
    if tags:
        data["tags"] = tags
    media_id = _uploaded_photo(me, form)
    if media_id is False:
        return None
    image = _image(form, previous.get("image"), media_id)
    if image is not None:
        data["image"] = image
    return data


def _uploaded_photo(me: Person, form: ReportForm) -> int | bool | None:
    """The media id of the photo sent with this form (uploaded now, or with its preview); None
    if there is none; False if it was refused."""
    upload = form.photo.data
    if isinstance(upload, FileStorage) and upload.filename:
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            photo = keep_photo(settings(), data, upload.mimetype)
        except Problem as problem:
            form.photo.errors = [_photo_refusal(problem)]
            return False
        with session_scope(settings().database_url) as db:
            # The same photo sent again (a preview, then the sending; a double click) is the
            # upload the office has already: renditions are not made twice.
            kept = db.scalar(
                select(Media.id).where(
                    Media.office_id == me.office_id,
                    Media.original_key == photo.stored_as,
                    Media.status != MEDIA_FAILED,
                )
            )
            media_id = kept or add_media(db, me.office_id, photo, {}).id
        form.media.data = str(media_id)  # a preview's form carries it on to the sending
        return media_id
    if form.media.data and form.media.data.isdigit():
        return int(form.media.data)
    return None


def _photo_refusal(problem: Problem) -> str:
    if problem.status == 413:
        return _(
            "The photo is too large: at most 20 MiB, and at most 50 megapixels (25 for PNG "
            "and WebP)."
        )
    if problem.status == 415:
        return _("This file is not a photo the desk takes: send a JPEG, PNG or WebP.")
    return _("The photo cannot be read; it may be damaged. Try another.")


def _image(form: ReportForm, previous: Any, media_id: int | None) -> dict[str, Any] | None:
    if media_id is not None:
        image: dict[str, Any] = {"media": media_id}
    elif isinstance(previous, dict) and not form.remove_photo.data:
        image = {key: value for key, value in previous.items() if key in ("media", "url")}
    else:
        return None
    texts = {
        "alt": form.photo_alt.data,
        "caption": form.photo_caption.data,
        "credit": form.photo_credit.data,
    }
    image.update({key: value.strip() for key, value in texts.items() if value and value.strip()})
    return image


def _validated(me: Person, form: ReportForm, data: dict[str, Any]) -> dict[str, Any] | None:
    """The submission as the API's schema loads it; None with the form's errors set."""
    try:
        return load_submission(data, me.office_id, settings().database_url)
    except Problem as problem:
        _show_field_errors(form, problem)
        return None


def _show_field_errors(form: ReportForm, problem: Problem) -> None:
    messages = {
        "title": _("The title must be 1 to 300 characters (once cleaned)."),
        "body": _("The report is too long: at most 256 KiB."),
        "body_format": _("Choose plain text or Markdown."),
        "external_id": _("The reference may be at most 200 characters."),
        "published_at": _("The time must lie between 1970 and 2099."),
        "tags": _("At most 50 tags, each 1 to 100 characters."),
        "image": _("This photo cannot be used: upload it again."),
    }
    for name, field_name in FORM_FIELDS.items():
        if problem.errors and name in problem.errors:
            getattr(form, field_name).errors = [messages[name]]


def _preview(me: Person, submission: dict[str, Any]) -> Preview:
    submitted_image = submission.get("image")
    with session_scope(settings().database_url, writer=False) as db:
        region = db.scalar(select(Office.region).where(Office.id == me.office_id))
        # An office's own image URL is public; an uploaded photo's renditions are not until a
        # live report shows it, so the preview leaves it out (the form names it).
        image = (
            lead_image(db, submitted_image, settings().public_base_url)
            if lead_media_id(submitted_image) is None
            else None
        )
    css = url_for("desk.preview_css", _external=True)
    office = (me.office_slug, me.office_name, region)
    return preview(submission, office, me.timezone, settings(), css, image)


@desk.get("/pratinjau.css")
def preview_css() -> ResponseReturnValue:
    return preview_stylesheet(), 200, {"Content-Type": "text/css; charset=utf-8"}


def _send(
    me: Person,
    form: ReportForm,
    existing: _Existing | None,
    data: dict[str, Any],
    submission: dict[str, Any],
) -> Response | tuple[str, _Existing | None]:
    """Write the report; a redirect to it, or what to tell the person (and the newer revision
    when someone else changed the report first)."""
    writer = _writer(me)
    if existing is None:

        def write(db: Session) -> Any:
            return submit(db, writer, submission, update=False)
    else:
        revision = form.revision.data or ""

        def write(db: Session) -> Any:
            return replace(db, writer, existing.id, submission, ETags([revision]))

    # The form's key, made when it was shown: sending it twice writes once.
    key = f"desk:{form.key.data}" if _is_key(form.key.data) else None
    body = json.dumps(data, sort_keys=True).encode()
    fingerprint = request_fingerprint("POST", request.path, body)
    try:
        answer, replayed = commit(settings().database_url, me.office_id, write, key, fingerprint)
    except Problem as problem:
        form.key.data = _new_key()
        return _refusal(problem, form, existing, me)
    article_id, revision_number = answer.body["id"], answer.body["revision"]
    if replayed:
        pass  # the form sent twice (a double click): its first answer said it all
    elif answer.status == 200:
        flash(_("Nothing changed: the report is as it was (revision %(n)s).", n=revision_number))
    else:
        flash(
            _(
                "Report sent (revision %(n)s). It goes through the stages below and is "
                "published when they are done.",
                n=revision_number,
            )
        )
    return redirect(url_for("desk.report", article_id=article_id))


def _refusal(
    problem: Problem, form: ReportForm, existing: _Existing | None, me: Person
) -> tuple[str, _Existing | None]:
    if problem.kind == "stale-revision" and existing is not None:
        with session_scope(settings().database_url, writer=False) as db:
            article = own_article(db, me.office_id, existing.id)
            current = next(r for r in article.revisions if r.number == article.current_revision)
            who = current.reviser.email if current.reviser else _("the office's API key")
            newer = _Existing(article.id, current.number, dict(current.submission))
        form.revision.data = str(newer.revision)
        message = _(
            "Someone else changed this report first: %(who)s made revision %(n)s while you "
            "were editing. Your text is kept below; compare it with theirs, then send again "
            "to replace it.",
            who=who,
            n=newer.revision,
        )
        return message, newer
    if problem.kind == "external-id-taken":
        form.external_id.errors = [_("Another report of the office has this reference.")]
        return _("This reference is taken; change it or leave it empty."), None
    if problem.kind == "retracted":
        return _("This report was retracted; it cannot be changed."), None
    if problem.kind == "idempotency-key-reused":
        return _("This form was sent before. Check the list of reports, then send again."), None
    if problem.kind == "forbidden":
        abort(403)
    if problem.kind == "not-found":
        abort(404)
    raise problem


def _new_key() -> str:
    return uuid.uuid4().hex


def _is_key(value: str | None) -> bool:
    return (
        bool(value) and len(value or "") == 32 and all(c in "0123456789abcdef" for c in value or "")
    )


# Retracting


@desk.route("/laporan/<int:article_id>/tarik", methods=["GET", "POST"])
def retract(article_id: int) -> ResponseReturnValue:
    me = person()
    if not me.is_editor:
        abort(403)
    with session_scope(settings().database_url, writer=False) as db:
        article = _visible_article(db, me, article_id)
        title = next(
            r.title or r.submission.get("title", "")
            for r in article.revisions
            if r.number == article.current_revision
        )
        revision, retracted = article.current_revision, article.retracted_at is not None
    form = RetractForm()
    message = None
    if retracted:
        message = _("This report is retracted already.")
    elif form.validate_on_submit():
        expected = form.revision.data or ""

        def write(db: Session) -> Any:
            return retract_article(db, _writer(me), article_id, ETags([expected]))

        fingerprint = request_fingerprint("POST", request.path, expected.encode())
        try:
            commit(settings().database_url, me.office_id, write, None, fingerprint)
        except Problem as problem:
            if problem.kind != "stale-revision":
                raise
            message = _(
                "Someone changed this report while you were deciding (now revision %(n)s). "
                "Look at it again before you retract it.",
                n=revision,
            )
        else:
            flash(_("The report is retracted: it leaves the feeds, the sitemaps and its page."))
            return redirect(url_for("desk.report", article_id=article_id))
    if request.method == "GET" or message:
        form.revision.data = str(revision)
    return render_template(
        "desk/retract.html",
        form=form,
        article_id=article_id,
        title=title,
        message=message,
        retracted=retracted,
        logout_form=LogoutForm(),
    ), (409 if message else 200)


def status_label(status: str) -> str:
    if "desk_status_labels" not in g:
        g.desk_status_labels = _status_labels()
    labels: dict[str, str] = g.desk_status_labels
    return labels.get(status, status)


def _status_labels() -> dict[str, str]:
    return {
        Status.RECEIVED: _("Received"),
        Status.NORMALISED: _("Cleaned"),
        Status.TAGGED: _("Tagged"),
        Status.RENDERED: _("Laid out"),
        Status.PUBLISHED: _("Published"),
        Status.SCHEDULED: _("Scheduled"),
        Status.FAILED: _("Failed"),
        Status.RETRACTED: _("Retracted"),
    }
