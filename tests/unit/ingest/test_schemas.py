"""The submission schema: what an office may send."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from warta_ingest.schemas import ArticleQuerySchema, SubmissionSchema, body_too_large

REPORT = {"title": "Rapat Pleno", "body": "Isi berita."}


def errors(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        SubmissionSchema().load(data)
    messages: dict[str, Any] = caught.value.messages  # type: ignore[assignment]
    return messages


def test_defaults_and_aware_times() -> None:
    loaded = SubmissionSchema().load({**REPORT, "published_at": "2021-12-29T09:00:00+07:00"})
    assert loaded["body_format"] == "text"
    assert loaded["published_at"].utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**REPORT, "colour": "red"}, "colour"),
        ({"body": "x"}, "title"),
        ({**REPORT, "title": " \n\t "}, "title"),
        ({**REPORT, "title": "x" * 301}, "title"),
        ({**REPORT, "language": "fr"}, "language"),
        ({**REPORT, "published_at": "2021-12-29T09:00:00"}, "published_at"),
        ({**REPORT, "published_at": "0001-01-01T00:00:00+01:00"}, "published_at"),
        ({**REPORT, "external_id": ""}, "external_id"),
        ({**REPORT, "tags": ["ok", ""]}, "tags"),
        ({**REPORT, "image": {"url": "https://x.id/a.jpg", "size": 3}}, "image"),
        ({**REPORT, "title": "a\x00b"}, "title"),
        ({**REPORT, "body": "\ud800"}, "body"),
    ],
)
def test_invalid_fields_are_named(data: dict[str, Any], field: str) -> None:
    assert field in errors(data)


def test_title_length_is_counted_after_folding_whitespace() -> None:
    title = "a" + " " * 400 + "b"  # 3 characters once folded
    assert SubmissionSchema().load({**REPORT, "title": title})["title"] == title


def test_body_size_is_counted_in_utf8_bytes() -> None:
    assert not body_too_large({"body": "a" * 256 * 1024})
    assert body_too_large({"body": "é" * (128 * 1024 + 1)})


def test_listing_query_defaults_and_bounds() -> None:
    assert ArticleQuerySchema().load({}) == {"limit": 50}
    with pytest.raises(ValidationError):
        ArticleQuerySchema().load({"limit": "201"})
