"""Schemathesis against `/openapi.json`: generated requests, valid and invalid, never get a
5xx, and every answer matches the document (status, content type, headers, body schema).

Every check of Schemathesis runs but one: "schema-valid data is accepted". The document
cannot say all that validation checks (an https URL that parses, a title's length once its
whitespace is folded, no NUL characters, an image that decodes), so a 422 for such data is
right. For a multipart upload "schema-violating data is rejected" is left out too (see below).

Bounded: a fixed number of examples per operation and mode. (Schemathesis's pytest plugin
does not load under this pytest, so the operations are driven through its Python API.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.conftest import make_settings, new_office
from warta_ingest.app import create_app

EXAMPLES = 40


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_the_api_keeps_to_its_document(
    database_url: str, mode: schemathesis.GenerationMode, tmp_path: Path
) -> None:
    _, key = new_office(database_url, "kab-pasuruan")
    auth = {"Authorization": f"Bearer {key}"}
    settings_ = make_settings(
        database_url,
        "redis://127.0.0.1:1/0",
        # Limits would cut the run short: past them every answer is 429. (Schemathesis also
        # sends each request again without the key, to see it refused: 401 each time.)
        RATE_LIMIT="1000000/minute",
        REFUSED_KEY_LIMIT="1000000/minute",
        MEDIA_DIR=str(tmp_path / "media"),
    )
    app = create_app(settings_)
    for n in range(3):  # real articles, for the operations that take an id to find
        app.test_client().post(
            "/v1/articles", json={"title": f"Berita {n}", "body": "Isi."}, headers=auth
        )
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            excluded = [positive_data_acceptance]
            if case.media_type == "multipart/form-data":
                # A form carries every field as text: a "boolean" caption arrives as the
                # string "true", which is a caption like any other.
                excluded.append(negative_data_rejection)
            case.call_and_validate(headers=key_for(case, auth), excluded_checks=excluded)

        check()


def key_for(case: schemathesis.Case, auth: dict[str, str]) -> dict[str, str] | None:
    """The office's key in place of the random one Schemathesis draws, except in a negative
    case about the key itself (left out, or of the wrong form): that case is sent as drawn and
    must be refused. Given the key, it would be a valid request "wrongly" accepted."""
    if "Authorization" not in (case.headers or {}):
        return None
    mutations = (getattr(case.meta.phase.data, "mutations", None) if case.meta else None) or ()
    if any(mutation.parameter == "Authorization" for mutation in mutations):
        return None
    return auth
