"""The OpenAPI 3 document, generated from the marshmallow schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from service import schemas
from service.api.authors import AuthorRule
from service.api.privacy import EmailRequest

_ERRORS = {str(code): {"description": text, "content": {"application/json": {"schema": "ErrorBody"}}}
           for code, text in ((400, "Malformed body"), (401, "No token"), (403, "Unknown token"),
                              (404, "Not found"), (408, "Body sent too slowly"), (409, "Already decided"),
                              (413, "Body too large"), (415, "Unsupported content type"), (422, "Invalid fields"),
                              (429, "Too many requests, or too many invalid tokens (see Retry-After)"),
                              (503, "Redis unavailable"))}
BODY = (400, 408, 413, 422)  # every request with a body may meet these
SECURED = (401, 403, 429)  # and every request with a token these


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _ERRORS[str(c)] for c in codes}


def _text(description: str, media: str = "text/plain") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@cache
def spec_dict() -> dict[str, Any]:
    spec = APISpec(title="Comment moderation", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # A site credential (``moderation site create``): its plugin's own comments and decisions only.
    spec.components.security_scheme("site", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Submission", schema=schemas.submission_schema("en"))
    for name in ("PublicComment", "ModeratorComment", "SubmissionReceipt", "Decision", "QueuePage", "ErrorBody"):
        spec.components.schema(name, schema=getattr(schemas, name))
    spec.components.schema("AuthorRule", schema=AuthorRule)
    rule = spec.components.schemas["AuthorRule"]
    for target in ("email", "ip_prefix"):
        rule["properties"][target].pop("nullable", None)
        rule["properties"][target].pop("default", None)
    # Exactly one of the two: what the server's own check says.
    rule["oneOf"] = [{"required": ["email"], "not": {"required": ["ip_prefix"]}},
                     {"required": ["ip_prefix"], "not": {"required": ["email"]}}]
    spec.path("/api/v1/comments", operations={"post": {
        "summary": "Submit a comment (JSON or a WordPress-style form)",
        "parameters": [{"in": "header", "name": "Idempotency-Key", "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schemas.submission_schema("en")}}},
        "responses": {"202": _json("SubmissionReceipt", "Stored and queued"),
                      **_errors(*BODY, 409, 415, 429, 503)}}})
    spec.path("/api/v1/form-token", operations={"get": {
        "summary": "A signed time-trap token for a comment form",
        "parameters": [{"in": "query", "name": "post_id", "required": True, "schema": {
            "type": "string", "minLength": 1, "maxLength": 200, "pattern": schemas.NOT_BLANK_ANYWHERE}}],
        "responses": {"200": {"description": "The token and the field names"}, **_errors(422)}}})
    spec.path("/api/v1/posts/{post_id}/comments", operations={"get": {
        "summary": "Approved comments of a post, oldest first",
        "parameters": [{"in": "path", "name": "post_id", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "A page of approved comments"}, **_errors(422, 503)}}})
    secured: dict[str, Any] = {"security": [{"bearer": []}]}
    spec.path("/api/v1/moderation/queue", operations={"get": {
        **secured, "summary": "The review queue",
        "parameters": [{"in": "query", "schema": schemas.QueueQuery}],
        "responses": {"200": _json("QueuePage", "A page of the queue"), **_errors(*SECURED, 400, 422, 503)}}})
    spec.path("/api/v1/moderation/comments/{comment_id}", operations={"get": {
        **secured, "summary": "One comment in full",
        "parameters": [{"in": "path", "name": "comment_id", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _json("ModeratorComment", "The comment"), **_errors(*SECURED, 400, 404, 503)}}})
    spec.path("/api/v1/moderation/comments/{comment_id}/decision", operations={"post": {
        **secured, "summary": "Approve, reject or mark as spam",
        "parameters": [{"in": "path", "name": "comment_id", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "Decision"}}},
        "responses": {"200": _json("ModeratorComment", "Decided"), **_errors(*SECURED, *BODY, 404, 409, 503)}}})
    spec.path("/api/v1/moderation/authors", operations={
        "post": {**secured, "summary": "Block or hold an author (email or IP prefix)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": "AuthorRule"}}},
                 "responses": {"201": {"description": "The rule"}, **_errors(*SECURED, *BODY, 503)}},
        "get": {**secured, "summary": "Author rules",
                "responses": {"200": {"description": "The rules"}, **_errors(*SECURED, 400, 503)}}})
    spec.path("/api/v1/moderation/authors/{entry_id}", operations={"delete": {
        **secured, "summary": "Remove an author rule",
        "parameters": [{"in": "path", "name": "entry_id", "required": True, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "Removed"}, **_errors(*SECURED, 400, 404, 503)}}})
    for action, summary in (("export", "Everything held about an email"), ("erase", "Erase an email's data")):
        spec.path(f"/api/v1/moderation/privacy/{action}", operations={"post": {
            **secured, "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": EmailRequest}}},
            "responses": {"200": {"description": summary}, **_errors(*SECURED, *BODY, 503)}}})
    site: dict[str, Any] = {"security": [{"site": []}]}
    spec.path("/api/v1/site", operations={"get": {
        **site, "summary": "Which site a site credential is for (a plugin's connection test)",
        "responses": {"200": {"description": "The site's name"}, **_errors(*SECURED, 503)}}})
    spec.path("/api/v1/site/comments", operations={"post": {
        **site, "summary": "Hold one of the site's comments for moderation, once per external_id",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": schemas.site_submission_schema("en")}}},
        "responses": {"202": _json("SubmissionReceipt", "Stored and queued"),
                      "200": _json("SubmissionReceipt", "Already stored (the same external_id): the first answer"),
                      **_errors(*SECURED, *BODY, 503)}}})
    spec.path("/api/v1/site/comments/{comment_id}/decision", operations={"post": {
        **site, "summary": "A decision made in the site's own admin (approve, reject, spam)",
        "parameters": [{"in": "path", "name": "comment_id", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schemas.SiteDecision}}},
        "responses": {"200": {"description": "The comment's status, and whether it changed"},
                      **_errors(*SECURED, *BODY, 404, 503)}}})
    spec.path("/api/v1/site/decisions", operations={"get": {
        **site, "summary": "Decisions on the site's comments after a cursor, oldest first",
        "parameters": [{"in": "query", "name": "since", "required": False, "schema": {"type": "string"}},
                       {"in": "query", "name": "limit", "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
        "responses": {"200": {"description": "Decisions (id, external_id, status, decided_at) and next_cursor"},
                      **_errors(*SECURED, 422, 503)}}})
    spec.path("/api/v1/moderation/webhooks", operations={"get": {
        **secured, "summary": "Recent webhook deliveries and their outcome, newest first",
        "responses": {"200": {"description": "items: one per delivery"}, **_errors(*SECURED, 503)}}})
    spec.path("/metrics", operations={"get": {
        **secured, "summary": "Prometheus metrics (MODERATION_METRICS_TOKEN or a moderator token)",
        "responses": {"200": _text("The metrics, Prometheus text format"), **_errors(401, 403, 429, 503)}}})
    spec.path("/api/v1/openapi.json", operations={"get": {
        "summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}})
    _akismet(spec)
    _perspective(spec)
    _pages(spec)
    spec.path("/healthz", operations={"get": {"summary": "Liveness", "responses": {"200": {"description": "Up"}}}})
    spec.path("/readyz", operations={"get": {"summary": "Readiness", "responses": {
        "200": {"description": "Redis and model ready"}, "503": {"description": "Not ready"}}}})
    return spec.to_dict()


def _form(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


_STRING = {"type": "string", "maxLength": 500}
AKISMET_FIELDS = {name: _STRING for name in (
    "api_key", "blog", "user_ip", "user_agent", "referrer", "permalink", "comment_type", "comment_author",
    "comment_author_email", "comment_author_url", "comment_content", "blog_lang", "blog_charset", "is_test",
    "honeypot_field_name")}


def _akismet(spec: APISpec) -> None:
    """Akismet's protocol (docs/akismet.md): form-encoded in, plain text out, the key in ``api_key`` or ``key``."""
    answers = {"200": _text("`valid` / `invalid`, `true` / `false`, or `Thanks for making the web a better place.`; "
                            "`invalid` for an unknown key; headers X-akismet-guid, X-akismet-pro-tip, "
                            "X-akismet-debug-help"),
               "400": _text("An invalid field, named (X-akismet-debug-help)"),
               "413": _ERRORS["413"], "415": _ERRORS["415"], "503": _ERRORS["503"]}
    spec.path("/1.1/verify-key", operations={"post": {
        "summary": "Akismet: is this API key valid?", "tags": ["akismet"],
        "requestBody": _form({"key": _STRING, "blog": _STRING}), "responses": answers}})
    for path, summary in (("comment-check", "Akismet: score a comment now (and queue it for review)"),
                          ("submit-spam", "Akismet: this comment is spam (a label)"),
                          ("submit-ham", "Akismet: this comment is not spam (a label)")):
        spec.path(f"/1.1/{path}", operations={"post": {
            "summary": summary, "tags": ["akismet"], "requestBody": _form(AKISMET_FIELDS), "responses": answers}})


def _perspective(spec: APISpec) -> None:
    """Perspective's protocol (docs/perspective.md): JSON in and out, the key in ``?key=``, Google's error shape."""
    key = {"in": "query", "name": "key", "required": True, "schema": {"type": "string", "maxLength": 200}}
    error = {"description": "Google's error envelope: {error: {code, message, status, details}}",
             "content": {"application/json": {"schema": {"type": "object"}}}}
    body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["comment"],
        "properties": {"comment": {"type": "object", "required": ["text"],
                                   "properties": {"text": {"type": "string", "minLength": 1}}},
                       "requestedAttributes": {"type": "object"}, "languages": {"type": "array",
                                                                                "items": {"type": "string"}},
                       "doNotStore": {"type": "boolean"}, "clientToken": {"type": "string"},
                       "communityId": {"type": "string"}, "spanAnnotations": {"type": "boolean"},
                       "attributeScores": {"type": "object"}}}}}}
    for path, summary in (("comments:analyze", "Perspective: attribute scores of a comment"),
                          ("comments:suggestscore", "Perspective: a person's score for a comment (a label)")):
        spec.path(f"/v1alpha1/{path}", operations={"post": {
            "summary": summary, "tags": ["perspective"], "parameters": [key], "requestBody": body,
            "responses": {"200": {"description": "Scores, or {} for a suggestion",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          **{code: error for code in ("400", "403", "413", "429", "503")}}}})


def _pages(spec: APISpec) -> None:
    """The review page and the embeddable form: HTML and assets for people, listed so that nothing is unlisted."""
    html = {"tags": ["pages"]}
    page = {"200": _text("The page", "text/html"), "302": {"description": "To the sign-in page"}}
    spec.path("/moderation/", operations={"get": {**html, "summary": "The review queue (signed in)",
                                                  "responses": page}})
    spec.path("/moderation/people", operations={"get": {**html, "summary": "The Accès tab (admins)", "responses": {
        **page, "403": {"description": "Not an admin"}}}})
    admin_form = {"403": {"description": "Not an admin, or no csrf"}, "422": _text("No usable name", "text/html")}
    for path, summary in (("tokens", "Create a moderator token, shown once (form: name, admin, csrf)"),
                          ("api-keys", "Create an API key, shown once (form: name, csrf)")):
        spec.path(f"/moderation/people/{path}", operations={"post": {
            **html, "summary": summary, "requestBody": _form({"name": _STRING, "admin": _STRING, "csrf": _STRING}),
            "responses": {"200": _text("The page with the new secret", "text/html"), **admin_form}}})
    spec.path("/moderation/people/{kind}/{short_id}/revoke", operations={"post": {
        **html, "summary": "Revoke one token or API key (kind: tokens or api-keys)",
        "parameters": [{"in": "path", "name": n, "required": True, "schema": {"type": "string"}}
                       for n in ("kind", "short_id")],
        "requestBody": _form({"csrf": _STRING}),
        "responses": {"200": _text("Revoked", "text/html"), "404": {"description": "Nothing to revoke"},
                      "409": {"description": "The token of this very session"}, **admin_form}}})
    spec.path("/moderation/stats", operations={"get": {**html, "summary": "The Statistiques tab (signed in)",
                                                       "responses": page}})
    spec.path("/moderation/login", operations={
        "get": {**html, "summary": "Sign-in page", "responses": {"200": _text("The page", "text/html")}},
        "post": {**html, "summary": "Sign in with a moderator token (form with the page's csrf field)",
                 "requestBody": _form({"token": _STRING, "csrf": _STRING}),
                 "responses": {"302": {"description": "Signed in: to the queue"},
                               "401": _text("Wrong token: the page again, with the reason", "text/html"),
                               "403": {"description": "No or wrong csrf field"}}}})
    spec.path("/moderation/logout", operations={"post": {
        **html, "summary": "Sign out (the server forgets the session)",
        "responses": {"302": {"description": "To the sign-in page"}, "403": {"description": "No or wrong csrf"}}}})
    for path, summary in (("decisions", "Decide comments from the page ({action, ids, reason, from, trust})"),
                          ("undo", "Undo this moderator's decision of the last seconds ({id, previous})"),
                          ("reply", "Publish the moderator's reply under a comment ({id, content})"),
                          ("edit", "Change a comment's text, the original kept ({id, content})"),
                          ("delete", "Delete comments for good ({ids})"),
                          ("empty-spam", "Delete every spam comment for good ({})"),
                          ("author", "Hold, block or trust a comment's author ({id, mode, by: email|address})")):
        spec.path(f"/moderation/{path}", operations={"post": {
            **html, "summary": summary + "; X-CSRF-Token header and the session cookie",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "Per comment: ok, conflict or missing",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "401": {"description": "Not signed in"}, "403": {"description": "No or wrong csrf"},
                          "422": {"description": "Not a decision"}}}})
    for asset, media in (("embed.js", "text/javascript"), ("embed.css", "text/css")):
        spec.path(f"/{asset}", operations={"get": {**html, "summary": f"The embeddable comment list and form ({asset})",
                                                   "responses": {"200": _text("The asset", media)}}})
    spec.path("/moderation/static/{filename}", operations={"get": {
        **html, "summary": "The review page's script and style",
        "parameters": [{"in": "path", "name": "filename", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The file"}, "404": {"description": "No such file"}}}})
