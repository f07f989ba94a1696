"""The HTTP schemas of the ingest API: what an office may send, and what it gets back.

The same classes validate requests and describe them in `/openapi.json` (see openapi.py), so
the document cannot drift from what the API accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from warta.models import MAX_ID
from warta.pipeline import STAGE_STATUSES, Status
from warta_enrich.plain_text import clean_title
from warta_enrich.report_warnings import CODES as WARNING_CODES

MAX_BODY_BYTES = 256 * 1024
# JSON around a 256 KiB body, escapes included; larger requests get 413 before they are read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
MAX_TITLE_CHARS = 300
BODY_FORMATS = ("text", "html", "markdown")
LANGUAGES = ("id", "en")
STATUSES = (*STAGE_STATUSES, Status.SCHEDULED, Status.RETRACTED, Status.FAILED)
MAX_PAGE_SIZE = 200
MAX_TAGS = 50
# A 422 names at most this many unknown fields: a body of 100,000 of them gets a short answer,
# found before any field is validated, not a 2.8 MB list.
MAX_UNKNOWN_NAMED = 20
# Publication times outside these bounds are typing errors (and overflow time zone arithmetic).
EARLIEST_PUBLICATION = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_PUBLICATION = datetime(2100, 1, 1, tzinfo=UTC)


class Text(fields.String):
    """A string a database can store: no NUL characters, no lone UTF-16 surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode()
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode (no lone surrogates).") from None
        return text


class HttpsUrl(fields.Url, Text):
    pass


MAX_CAPTION_CHARS, MAX_CREDIT_CHARS, MAX_ALT_CHARS = 500, 200, 300


class StrictSchema(Schema):
    """Unknown fields are errors; past a few, the answer names the first ones and counts the
    rest without validating anything else."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _few_unknown_fields(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, dict) or len(data) <= len(self.load_fields) + MAX_UNKNOWN_NAMED:
            return data  # marshmallow names each unknown field itself
        unknown = [name for name in data if name not in self.load_fields]
        errors: dict[str, Any] = {name: ["Unknown field."] for name in unknown[:MAX_UNKNOWN_NAMED]}
        errors["_schema"] = [
            f"{len(unknown)} unknown fields; the first {MAX_UNKNOWN_NAMED} are named."
        ]
        raise ValidationError(errors)


class ImageTextsSchema(StrictSchema):
    """What is said about a photo: with its upload, or with the article that shows it."""

    caption = Text(validate=validate.Length(max=MAX_CAPTION_CHARS))
    credit = Text(validate=validate.Length(max=MAX_CREDIT_CHARS))
    alt = Text(
        validate=validate.Length(max=MAX_ALT_CHARS),
        metadata={"description": "What the photo shows, for readers who cannot see it."},
    )


class ImageSchema(ImageTextsSchema):
    """An article's lead image: a photo uploaded to `/v1/media` (`media`), or one the office
    hosts itself (`url`); its caption, credit and alt replace those of the upload."""

    media = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The id of the office's own upload (`POST /v1/media`)."},
    )
    url = HttpsUrl(schemes={"https"}, validate=validate.Length(max=2000))

    @validates_schema
    def _media_or_url(self, data: dict[str, Any], **_: Any) -> None:
        if ("media" in data) == ("url" in data):
            raise ValidationError("Give either `media` or `url`.", "_schema")


class SubmissionSchema(StrictSchema):
    """A report as a field office submits it (`POST /v1/articles`, `PUT /v1/articles/<id>`)."""

    title = Text(
        required=True,
        metadata={
            "description": "1 to 300 characters once cleaned: whitespace folded, invisible "
            "and control characters (zero-width, soft hyphens, bidi controls) removed."
        },
    )
    body = Text(required=True, metadata={"description": "At most 256 KiB as UTF-8 (413 beyond)."})
    body_format = fields.String(load_default="text", validate=validate.OneOf(BODY_FORMATS))
    language = fields.String(
        validate=validate.OneOf(LANGUAGES), metadata={"description": "Detected when absent."}
    )
    published_at = fields.AwareDateTime(
        format="iso",
        metadata={
            "description": "RFC 3339, years 1970 to 2099; default now; "
            "a future time schedules the report."
        },
    )
    external_id = Text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The office's own reference; resubmitting it is an update."},
    )
    tags = fields.List(
        Text(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=MAX_TAGS)
    )
    image = fields.Nested(ImageSchema)

    @validates("title")
    def _title_length(self, value: str, **_: Any) -> None:
        # Judged as normalise will clean it: a title it would find empty is refused here.
        if not 1 <= len(clean_title(value)) <= MAX_TITLE_CHARS:
            raise ValidationError(f"Must be 1 to {MAX_TITLE_CHARS} characters.")

    @pre_load
    def _few_tags(self, data: Any, **_: Any) -> Any:
        # Before each tag is validated: 100,000 of them get one error, not one each.
        tags = data.get("tags") if isinstance(data, dict) else None
        if isinstance(tags, list) and len(tags) > MAX_TAGS:
            raise ValidationError({"tags": [f"At most {MAX_TAGS} tags."]})
        return data

    @validates("published_at")
    def _publication_bounds(self, value: datetime, **_: Any) -> None:
        if not EARLIEST_PUBLICATION <= value < LATEST_PUBLICATION:
            raise ValidationError("Must be between 1970 and 2099.")


class ArticleQuerySchema(StrictSchema):
    """`GET /v1/articles`: the office's own articles, newest first."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    since = fields.AwareDateTime(
        format="iso",
        metadata={"description": "Only articles submitted, revised or retracted from then on."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    cursor = Text(
        validate=validate.Length(max=100),
        metadata={"description": "From the previous page's `links.next`."},
    )


class LinksSchema(Schema):
    self = fields.String(required=True)
    public = fields.String()


class AcceptedSchema(Schema):
    """The answer to a write: the revision it made (or found unchanged) and where to look."""

    id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    links = fields.Nested(LinksSchema, required=True)


class DatelineSchema(Schema):
    place = fields.String(allow_none=True)
    source = fields.String(allow_none=True)


class TagSchema(Schema):
    slug = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True)
    score = fields.Float(required=True)
    source = fields.String(required=True)


class WarningSchema(Schema):
    """Something normalise doubted or changed in the report, for the office to check."""

    code = fields.String(
        required=True,
        validate=validate.OneOf(WARNING_CODES),
        metadata={
            "description": "weekday-mismatch: a day name disagrees with its date; no-event-date:"
            " no date of the event in the text; title-cleaned: markup taken out of the title;"
            " markup-dropped: scripts, embeds or forms dropped with their content;"
            " link-dropped / image-dropped: a relative URL no feed reader can open."
        },
    )
    message = fields.String(
        required=True, metadata={"description": "What happened and what to do, in Indonesian."}
    )


class ArticleSchema(Schema):
    """An article as its office sees it (`GET /v1/articles/<id>`); ETag = its revision."""

    id = fields.Integer(required=True)
    office = fields.String(required=True)
    external_id = fields.String(required=True, allow_none=True)
    revision = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    error = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, allow_none=True)
    slug = fields.String(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    excerpt = fields.String(required=True, allow_none=True)
    body_html = fields.String(required=True, allow_none=True)
    word_count = fields.Integer(required=True, allow_none=True)
    reading_minutes = fields.Integer(required=True, allow_none=True)
    dateline = fields.Nested(DatelineSchema, required=True, allow_none=True)
    event_at = fields.String(required=True, allow_none=True)
    published_at = fields.String(required=True, allow_none=True)
    updated_at = fields.String(required=True, allow_none=True)
    tags = fields.List(fields.Nested(TagSchema), required=True)
    warnings = fields.List(
        fields.Nested(WarningSchema),
        required=True,
        metadata={"description": "What normalise doubted or changed; empty until it has run."},
    )
    image = fields.Nested("ArticleImageSchema", required=True, allow_none=True)
    revised_by = fields.Nested(
        "ReviserSchema",
        required=True,
        allow_none=True,
        metadata={"description": "The desk user who made this revision; null for the key."},
    )
    views = fields.Integer(required=True)
    url = fields.String(required=True, allow_none=True)
    links = fields.Nested(LinksSchema, required=True)


class ReviserSchema(Schema):
    """A person of the office who wrote on the desk (`/desk/`)."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)


MEDIA_STATUSES = ("processing", "ready", "failed")


class RenditionSchema(Schema):
    name = fields.String(required=True, metadata={"description": "card, article or social."})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    type = fields.String(required=True)
    url = fields.String(
        required=True,
        metadata={
            "description": "Public once a live article "
            "shows the photo (404 before, 410 once none does)."
        },
    )
    bytes = fields.Integer(required=True, allow_none=True, metadata={"description": "Once made."})


class MediaSchema(Schema):
    """An uploaded photo (`POST /v1/media`, `GET /v1/media/<id>`): its renditions are listed at
    once, and made by the time `status` is `ready`."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(MEDIA_STATUSES))
    error = fields.String(required=True, allow_none=True)
    type = fields.String(required=True, metadata={"description": "Of the upload."})
    width = fields.Integer(required=True, metadata={"description": "As shown (upright)."})
    height = fields.Integer(required=True)
    bytes = fields.Integer(required=True, metadata={"description": "Of the upload."})
    caption = fields.String(required=True, allow_none=True)
    credit = fields.String(required=True, allow_none=True)
    alt = fields.String(required=True, allow_none=True)
    renditions = fields.List(fields.Nested(RenditionSchema), required=True)
    links = fields.Nested(LinksSchema, required=True)


class ArticleImageSchema(Schema):
    """An article's lead image as submitted; for an uploaded photo, the caption, credit and alt
    the public sees (the article's own, else those given with the upload), its state and its
    renditions."""

    media = fields.Integer()
    url = fields.String()
    caption = fields.String()
    credit = fields.String()
    alt = fields.String()
    status = fields.String(validate=validate.OneOf(MEDIA_STATUSES))
    renditions = fields.List(fields.Nested(RenditionSchema))


class PageLinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)


class ArticlePageSchema(Schema):
    items = fields.List(fields.Nested(ArticleSchema), required=True)
    links = fields.Nested(PageLinksSchema, required=True)


class ProblemSchema(Schema):
    """An RFC 9457 problem document; `errors` maps each invalid field to its messages."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String())


def body_too_large(submission: dict[str, Any]) -> bool:
    return len(submission["body"].encode()) > MAX_BODY_BYTES


def submission_record(submission: dict[str, Any]) -> dict[str, Any]:
    """The validated submission as JSON, to keep with the revision."""
    record = dict(submission)
    if "published_at" in record:
        record["published_at"] = record["published_at"].isoformat()
    return record
