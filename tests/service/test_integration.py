"""Blog integration: CORS for the blog's origins only, and plain HTML forms that work like WordPress's."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app

BLOG = "https://blog.example"
FORM = {"comment_post_ID": "7", "author": "Zoé", "email": "zoe@example.fr", "url": "",
        "comment": "Très bon article !", "comment_parent": "0", "submit": "Publier"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def blog_app(settings: dict[str, object]) -> Flask:
    return create_app({**settings, "ALLOWED_ORIGINS": f"{BLOG}, https://other-blog.example"})


@pytest.fixture
def blog(blog_app: Flask) -> FlaskClient:
    return blog_app.test_client()


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/comments"), ("get", "/api/v1/posts/7/comments"),
                                              ("get", "/api/v1/form-token?post_id=7")])
def test_allowed_origin_gets_cors_headers_without_credentials(blog: FlaskClient, method: str, path: str) -> None:
    response = getattr(blog, method)(path, headers={"Origin": BLOG}, json={} if method == "post" else None)
    assert response.headers["Access-Control-Allow-Origin"] == BLOG
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_other_origins_get_no_cors_headers(blog: FlaskClient) -> None:
    response = blog.get("/api/v1/posts/7/comments", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_is_answered(blog: FlaskClient) -> None:
    response = blog.options("/api/v1/comments", headers={
        "Origin": BLOG, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_moderator_endpoints_never_get_cors(blog: FlaskClient) -> None:
    response = blog.get("/api/v1/moderation/queue", headers={"Origin": BLOG})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_html_form_post_redirects_back_with_the_awaiting_moderation_notice(blog: FlaskClient) -> None:
    response = blog.post("/api/v1/comments", data={**FORM, "redirect_to": f"{BLOG}/2026/11/article?x=1#respond"},
                         headers=HTML)
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{BLOG}/2026/11/article"
    assert query["comment_status"] == ["awaiting_moderation"] and query["x"] == ["1"]
    assert len(query["comment_id"][0]) == 32
    assert location.fragment == "respond"


def test_html_form_errors_redirect_back_to_the_referer_with_field_messages(blog: FlaskClient) -> None:
    response = blog.post("/api/v1/comments", data={**FORM, "email": "pas-une-adresse", "comment": ""},
                         headers={**HTML, "Referer": f"{BLOG}/article"})
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["comment_status"] == ["validation_error"]
    errors = json.loads(query["comment_errors"][0])
    assert errors == {"email": ["Adresse e-mail invalide."], "content": ["Ce champ ne peut pas être vide."]}


@pytest.mark.parametrize("target", ["https://evil.example/phish", "javascript:alert(1)", "//evil.example", ""])
def test_never_an_open_redirect(blog: FlaskClient, target: str) -> None:
    response = blog.post("/api/v1/comments", data={**FORM, "redirect_to": target}, headers=HTML)
    assert response.status_code == 202 and response.is_json


def test_api_clients_keep_getting_json(blog: FlaskClient) -> None:
    response = blog.post("/api/v1/comments", data={**FORM, "redirect_to": f"{BLOG}/a"},
                         headers={"Accept": "application/json"})
    assert response.status_code == 202 and response.is_json
