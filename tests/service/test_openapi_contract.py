"""The published submission schema is never looser than the validation: every submission built from the
OpenAPI document's own field rules is accepted (schemathesis checks the same for every other operation)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.openapi import spec_dict

SUBMISSION = spec_dict()["components"]["schemas"]["Submission"]


def published(name: str) -> st.SearchStrategy[str]:
    """Strings the document allows for one field: its pattern, within its length."""
    rules = SUBMISSION["properties"][name]
    return st.from_regex(rules["pattern"], fullmatch=True).filter(lambda s: len(s) <= rules["maxLength"])


# A reply's parent must exist and be published: that depends on state, not on the request's shape.
BODIES = st.fixed_dictionaries({name: published(name) for name in SUBMISSION["required"]},
                               optional={"url": st.none() | published("url"), "parent_id": st.none()})


def test_the_document_requires_what_the_server_requires() -> None:
    assert sorted(SUBMISSION["required"]) == ["author", "content", "email", "post_id"]
    assert SUBMISSION["additionalProperties"] is False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(body=BODIES, language=st.sampled_from(["fr", "en"]))
def test_every_submission_the_document_allows_is_accepted(client: FlaskClient, body: dict[str, Any],
                                                          language: str) -> None:
    response = client.post("/api/v1/comments", json=body, headers={"Accept-Language": language})
    assert response.status_code == 202, (body, response.get_json())


def test_every_route_the_service_answers_is_in_the_document(app: Flask) -> None:
    documented = spec_dict()["paths"]
    unlisted = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in documented.get(path, {}):
                unlisted.append(f"{method} {path}")
    assert unlisted == []
