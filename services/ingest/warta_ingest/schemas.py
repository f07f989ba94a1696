"""The HTTP schemas of the ingest API: what an office may send, and what it gets back."""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

MAX_BODY_BYTES = 256 * 1024
MAX_TITLE_CHARS = 300
BODY_FORMATS = ("text", "html", "markdown")
LANGUAGES = ("id", "en")


class ImageSchema(Schema):
    class Meta:
        unknown = RAISE

    url = fields.Url(required=True, schemes={"https"}, validate=validate.Length(max=2000))
    caption = fields.String(validate=validate.Length(max=500))
    credit = fields.String(validate=validate.Length(max=200))


class SubmissionSchema(Schema):
    """A report as a field office submits it (`POST /v1/articles`)."""

    class Meta:
        unknown = RAISE

    title = fields.String(required=True)
    body = fields.String(required=True)
    body_format = fields.String(load_default="text", validate=validate.OneOf(BODY_FORMATS))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    published_at = fields.AwareDateTime(format="iso")
    external_id = fields.String(validate=validate.Length(min=1, max=200))
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=50)
    )
    image = fields.Nested(ImageSchema)

    @validates("title")
    def _title_length(self, value: str, **_: Any) -> None:
        # Counted the way normalise will count it: composed characters, folded whitespace.
        length = len(" ".join(unicodedata.normalize("NFC", value).split()))
        if not 1 <= length <= MAX_TITLE_CHARS:
            raise ValidationError(f"Must be 1 to {MAX_TITLE_CHARS} characters.")


def body_too_large(submission: dict[str, Any]) -> bool:
    return len(submission["body"].encode()) > MAX_BODY_BYTES


def submission_record(submission: dict[str, Any]) -> dict[str, Any]:
    """The validated submission as JSON, to keep with the revision."""
    record = dict(submission)
    if "published_at" in record:
        record["published_at"] = record["published_at"].isoformat()
    return record
