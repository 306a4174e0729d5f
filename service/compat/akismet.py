"""An Akismet 1.1-compatible API, so existing blogs and plugins can point at us.

Same form parameters and answers as Akismet: ``true``/``false`` bodies, ``invalid`` for an
unknown key, ``X-akismet-pro-tip: discard`` for blatant spam and ``X-akismet-debug-help``
on a missing parameter. comment-check scores synchronously and also queues the comment
for review (unless ``is_test``).
"""

from __future__ import annotations

import hashlib
import json
import uuid

from flask import Blueprint, Response, current_app, request

from service import policy, signals
from service.auth import api_client_for
from service.extensions import get_intake, get_model, get_store, shared
from service.i18n import language
from service.intake import Context, Invalid, Prepared
from service.keys import Status
from service.labels import Label
from service.policy import PolicySettings

bp = Blueprint("akismet", __name__, url_prefix="/1.1")
THANKS = "Thanks for making the web a better place."


def _text(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, 200, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


def _key() -> str:
    return request.form.get("api_key") or request.form.get("key") or ""


def _missing(*names: str) -> Response | None:
    for name in names:
        if not request.form.get(name):
            return _text(f"Missing required field: {name}.", {"X-akismet-debug-help": f"Empty \"{name}\" value"})
    return None


def _client() -> str | None:
    store = get_store()
    return api_client_for(store.redis, store.keys, _key())


def _invalid() -> Response:
    return _text("invalid", {"X-akismet-debug-help": "We were unable to verify your API key."})


@bp.post("/verify-key")
def verify_key() -> Response:
    """``valid`` for a key made with `moderation api-key create`, else ``invalid``."""
    missing = _missing("key") if not _key() else None
    if missing:
        return missing
    return _text("valid") if _client() else _invalid()


# Akismet's parameter for each submission field, so that a refusal names what the client sent.
PARAMETERS = {"post_id": "permalink", "author": "comment_author", "email": "comment_author_email",
              "url": "comment_author_url", "content": "comment_content"}


def _post_id() -> str:
    page = request.form.get("permalink") or request.form.get("blog") or "akismet"
    return page if len(page) <= 200 else "page:" + hashlib.sha256(page.encode()).hexdigest()


def _comment() -> dict[str, str | None]:
    f = request.form
    return {"post_id": _post_id(), "author": f.get("comment_author") or "",
            "email": f.get("comment_author_email") or "", "url": f.get("comment_author_url") or None,
            "content": f.get("comment_content") or ""}


def _context() -> Context:
    f = request.form
    return Context(f.get("user_ip"), f.get("user_agent"), f.get("referrer"), f.get("blog_lang"))


def _prepared() -> Prepared:
    """The submission checked as `POST /api/v1/comments` checks it; Akismet allows anonymous, empty comments.
    A blog's own plugin moderates for everyone: no flood, rate or duplicate refusal here."""
    given = {k: v for k, v in _comment().items() if v}
    honeypot_field = request.form.get("honeypot_field_name") or current_app.config["HONEYPOT_FIELD"]
    try:
        return get_intake().prepare(given, language(), "akismet", _context(), request.form.get(honeypot_field),
                                    optional=("author", "email", "content"), checks=False)
    except Invalid as exc:
        field, messages = next(iter(exc.errors.items()))
        name = PARAMETERS.get(field, field)
        raise Refusal(f"Invalid field: {name}. {' '.join(messages)}", {"X-akismet-debug-help": f"Invalid \"{name}\""}
                      ) from None


class Refusal(Exception):
    """A request Akismet's protocol answers with a plain-text explanation and a debug header."""

    def __init__(self, text: str, headers: dict[str, str]):
        super().__init__(text)
        self.text, self.headers = text, headers


@bp.errorhandler(Refusal)
def _refusal(refusal: Refusal) -> Response:
    response = _text(refusal.text, refusal.headers)
    response.status_code = 400
    return response


@bp.post("/comment-check")
def comment_check() -> Response:
    """Score one comment in the request (a few milliseconds) and answer Akismet's way; queue it for review."""
    if not _client():
        return _invalid()
    missing = _missing("blog", "user_ip")
    if missing:
        return missing
    prepared = _prepared()
    scores = get_model().score(prepared.data)
    res = shared()
    found = signals.collect(res.signals, res.words, {**prepared.record})
    verdict = policy.decide(scores, found, PolicySettings.from_config(current_app.config))
    blatant = verdict.status == Status.SPAM  # the policy's own rule: what the worker would file as spam at once
    spam = blatant or scores.spam >= current_app.config["AKISMET_SPAM_THRESHOLD"]
    guid = uuid.uuid4().hex
    if request.form.get("is_test") not in ("1", "true"):
        guid = res.intake.receive(res.intake.with_scores(prepared, scores)).comment_id
    headers = {"X-akismet-pro-tip": "discard"} if blatant else {}
    return _text("true" if spam else "false", {**headers, "X-akismet-guid": guid})


def _feedback(label: str) -> Response:
    client = _client()
    if not client:
        return _invalid()
    missing = _missing("blog")
    if missing:
        return missing
    data = _comment()
    # The same comment reported again replaces its label: it is named by what identifies it.
    digest = hashlib.sha256(json.dumps([request.form.get("blog"), data["post_id"], data["author"], data["content"]],
                                       ensure_ascii=False).encode()).hexdigest()[:32]
    inputs = {"content": data["content"] or "", "author": data["author"] or "", "url": data["url"] or "",
              "post_id": data["post_id"] or ""}
    spam = label == "spam"
    get_store().labels.record([Label(f"akismet-{digest}", "spam" if spam else "approve", "akismet", client, None,
                                     inputs, spam=int(spam), toxic=None)])  # ham says nothing of toxicity
    return _text(THANKS)


@bp.post("/submit-spam")
def submit_spam() -> Response:
    """A moderator says this comment is spam: kept as a label for the models."""
    return _feedback("spam")


@bp.post("/submit-ham")
def submit_ham() -> Response:
    """A moderator says this comment is not spam."""
    return _feedback("ham")
