"""A Perspective-compatible API (``/v1alpha1/comments:analyze`` and ``:suggestscore``).

Coral Talk and other Perspective clients only need their endpoint setting changed to
``https://<our host>/v1alpha1``: same request body, same response shape, same error shape,
the API key in the ``key`` query parameter (never logged: log lines carry paths only).
Scoring happens in the request, as Perspective's does; ``doNotStore: false`` queues the
comment for review only where the site opted in (``MODERATION_PERSPECTIVE_STORE``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from classifier import KIND_LABELS, Scores, detect_language
from service.auth import api_client_for
from service.errors import REDIS_DOWN, ValidationFailed, record_redis_outage
from service.extensions import get_intake, get_model, get_store
from service.intake import Context, Invalid
from service.labels import Label

bp = Blueprint("perspective", __name__, url_prefix="/v1alpha1")

# Attribute -> the score that serves it: a head, or a toxicity sub-score when the model has it
# (measured in classifier/REPORT.md). Perspective's other attributes are known but not served.
HEADS = {"TOXICITY": "toxicity", "SPAM": "spam"}
SUBSCORES = {kind.upper(): kind for kind in KIND_LABELS}  # the classifier's names are Perspective's, in lower case
# suggestscore's value 1 / 0 per attribute, as the labels the rest of the service learns from
FEEDBACK_LABELS = {"TOXICITY": ("toxic", "civil"), "SPAM": ("spam", "ham"),
                   **{name: (kind, f"not_{kind}") for name, kind in SUBSCORES.items()}}
KNOWN = {"SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT", "SEXUALLY_EXPLICIT", "FLIRTATION",
         "TOXICITY_EXPERIMENTAL", "SEVERE_TOXICITY_EXPERIMENTAL", "IDENTITY_ATTACK_EXPERIMENTAL",
         "INSULT_EXPERIMENTAL", "PROFANITY_EXPERIMENTAL", "THREAT_EXPERIMENTAL", "ATTACK_ON_AUTHOR",
         "ATTACK_ON_COMMENTER", "INCOHERENT", "INFLAMMATORY", "LIKELY_TO_REJECT", "OBSCENE", "UNSUBSTANTIAL"}
LANGUAGES = ("fr", "en")
MAX_TEXT_BYTES = 20_480  # Perspective's own limit; clients written for it already respect it
_ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*\s*")


class PerspectiveError(Exception):
    """A refusal in Google's error envelope, which Perspective clients parse; raised, then rendered once."""

    def __init__(self, code: int, status: str, message: str, error_type: str | None = None):
        super().__init__(message)
        self.code, self.status, self.message, self.error_type = code, status, message, error_type


def _invalid(message: str, error_type: str) -> PerspectiveError:
    return PerspectiveError(400, "INVALID_ARGUMENT", message, error_type)


@bp.errorhandler(PerspectiveError)
def _refused(error: PerspectiveError) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": error.code, "message": error.message, "status": error.status}
    if error.error_type:
        body["details"] = [{"@type": _ERROR_TYPE, "errorType": error.error_type}]
    return jsonify({"error": body}), error.code


def _unavailable(exc: Exception) -> tuple[Response, int]:
    """Redis is down (API keys live there): Google's 503, which clients retry, in Google's envelope."""
    record_redis_outage(exc)
    response, code = _refused(PerspectiveError(503, "UNAVAILABLE", "The service is temporarily unavailable; "
                                               "retry shortly."))
    response.headers["Retry-After"] = "5"
    return response, code


for _down in REDIS_DOWN:
    bp.register_error_handler(_down, _unavailable)


@bp.errorhandler(ValidationFailed)
def _invalid_field(error: ValidationFailed) -> tuple[Response, int]:
    """A refusal made before the view (e.g. a lone surrogate in a field), in Google's envelope."""
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    return _refused(_invalid(detail or error.message, "INVALID_REQUEST"))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_: RequestEntityTooLarge) -> tuple[Response, int]:
    return _refused(_invalid(f"Comment text too long: at most {MAX_TEXT_BYTES} bytes.", "COMMENT_TOO_LONG"))


def _authorised_body() -> tuple[str, dict[str, Any]]:
    """The API client named by ``?key=`` and the request body with a usable ``comment.text``."""
    key = request.args.get("key", "")
    if not key:
        raise PerspectiveError(403, "PERMISSION_DENIED", "The request is missing a valid API key "
                               "(pass it as ?key=..., made with `moderation api-key create NAME`).")
    store = get_store()
    client = api_client_for(store.redis, store.keys, key)
    if not client:
        raise PerspectiveError(403, "PERMISSION_DENIED", "The provided API key is invalid.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object.", "INVALID_REQUEST")
    comment = body.get("comment")
    text = comment.get("text") if isinstance(comment, dict) else None
    if not isinstance(text, str):
        raise _invalid("comment.text is required and must be a string.", "COMMENT_EMPTY")
    if not text.strip():
        raise _invalid("comment.text must be non-empty.", "COMMENT_EMPTY")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise _invalid(f"comment.text too long: at most {MAX_TEXT_BYTES} bytes.", "COMMENT_TOO_LONG")
    return client, body


def _languages(body: dict[str, Any], detected: str) -> list[str]:
    """Requested languages reduced to their base ('fr-FR' -> 'fr'); detected or the default if none."""
    asked = body.get("languages") or []
    if not isinstance(asked, list) or not all(isinstance(code, str) for code in asked):
        raise _invalid("languages must be a list of language codes.", "INVALID_REQUEST")
    if not asked:
        return [detected if detected in LANGUAGES else current_app.config["PERSPECTIVE_DEFAULT_LANGUAGE"]]
    bases = [code.split("-")[0].split("_")[0].lower() for code in asked]
    unsupported = [code for code, base in zip(asked, bases, strict=True) if base not in LANGUAGES]
    if unsupported:
        raise _invalid(f"Attribute TOXICITY does not support request languages: {', '.join(unsupported)} "
                        f"(supported: {', '.join(LANGUAGES)}).", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE")
    return list(dict.fromkeys(bases))


def served() -> dict[str, str]:
    """The attributes the loaded model scores, each with the score that serves it."""
    kinds = get_model().subscore_names
    return {**HEADS, **{name: kind for name, kind in SUBSCORES.items() if kind in kinds}}


def _value(scores: Scores, name: str) -> float:
    return float(getattr(scores, name)) if name in HEADS.values() else scores.subscores[name]


def _attributes(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The requested attributes this model serves, each with the score that serves it."""
    serving = served()
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise _invalid("requestedAttributes must name at least one attribute, e.g. {\"TOXICITY\": {}}.",
                        "INVALID_REQUEST")
    names = [str(name).upper() for name in requested]
    unknown = [n for n in names if n not in serving and n not in KNOWN]
    if unknown:
        raise _invalid(f"Unknown requested attribute: {', '.join(unknown)}. Served: {', '.join(serving)}.",
                        "UNKNOWN_ATTRIBUTE")
    unserved = [n for n in names if n not in serving]
    if unserved and not body.get("dropUnsupportedAttributes"):
        raise _invalid(f"Attribute {', '.join(unserved)} is not served by this model (served: "
                        f"{', '.join(serving)}); set dropUnsupportedAttributes to skip it.",
                        "ATTRIBUTE_NOT_SUPPORTED")
    return [(n, serving[n]) for n in names if n in serving]


def _span_scores(text: str, head: str, value: float, reasons: list[dict[str, Any]],
                 annotate: bool) -> list[dict[str, Any]]:
    """The whole text as one span (Perspective's default); with ``spanAnnotations``, the spans the
    classifier's explanation points at, each scored with the sentence it sits in."""
    whole = [{"begin": 0, "end": len(text), "score": {"value": value, "type": "PROBABILITY"}}]
    if not annotate:
        return whole
    spans = [tuple(s) for r in reasons if r.get("rule") == head for s in r.get("spans", [])]
    if not spans:
        return whole
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    around = [next(((b, e) for b, e in sentences if b <= start < e), (0, len(text))) for start, _ in spans]
    scored = get_model().score_many([text[b:e] for b, e in around])
    return [{"begin": start, "end": end, "score": {"value": _value(s, head), "type": "PROBABILITY"}}
            for (start, end), s in zip(spans, scored, strict=True)]


@bp.post("/comments:analyze")
def analyze() -> Any:
    """Score a comment now and answer in Perspective's shape."""
    client, body = _authorised_body()
    attributes = _attributes(body)
    text: str = body["comment"]["text"]
    detected = detect_language(text)  # what the model reports too; checked before paying for a score
    languages = _languages(body, detected)
    scores = get_model().score({"content": text})
    annotate = bool(body.get("spanAnnotations"))
    out: dict[str, Any] = {"attributeScores": {}, "languages": languages,
                           "detectedLanguages": [detected] if detected in LANGUAGES else []}
    for name, head in attributes:
        value = _value(scores, head)
        out["attributeScores"][name] = {
            "summaryScore": {"value": value, "type": "PROBABILITY"},
            "spanScores": _span_scores(text, head, value, scores.reasons, annotate),
        }
    if "clientToken" in body:
        out["clientToken"] = body["clientToken"]
    if body.get("doNotStore") is False and current_app.config["PERSPECTIVE_STORE"]:
        _queue_for_review(text, body, client, languages[0], scores)
    return jsonify(out)


def _queue_for_review(text: str, body: dict[str, Any], client: str, language: str, scores: Scores) -> None:
    """The site opted in: the comment joins the review queue like any other (no email, no IP), with the
    scores it was just given (the worker does not score it again)."""
    post_id = str(body.get("communityId") or f"perspective:{client}")[:200]
    intake = get_intake()
    try:
        prepared = intake.prepare({"post_id": post_id, "content": text}, "en", "perspective",
                                  Context(accept_language=language), optional=("author", "email"), checks=False)
    except Invalid as exc:
        field, messages = next(iter(exc.errors.items()))
        raise _invalid(f"comment.text cannot be stored ({field}: {' '.join(messages)})", "INVALID_REQUEST") from None
    intake.receive(intake.with_scores(prepared, scores))


@bp.post("/comments:suggestscore")
def suggest_score() -> Any:
    """A moderator's verdict from the client (Coral: 0 approved, 1 rejected), kept as a label."""
    client, body = _authorised_body()
    suggested = body.get("attributeScores")
    if not isinstance(suggested, dict) or not suggested:
        raise _invalid("attributeScores must hold at least one attribute with summaryScore.value.",
                        "INVALID_REQUEST")
    recorded = []
    for name, entry in suggested.items():
        name = str(name).upper()
        value = entry.get("summaryScore", {}).get("value") if isinstance(entry, dict) else None
        if name not in FEEDBACK_LABELS:
            raise _invalid(f"Unknown or unserved attribute in attributeScores: {name}. Served: "
                            f"{', '.join(FEEDBACK_LABELS)}.", "UNKNOWN_ATTRIBUTE")
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            raise _invalid(f"attributeScores.{name}.summaryScore.value must be a number from 0 to 1.",
                            "INVALID_REQUEST")
        recorded.append((FEEDBACK_LABELS[name][0] if value >= 0.5 else FEEDBACK_LABELS[name][1], name))
    said = dict((name, label) for label, name in recorded)
    spam = {"spam": 1, "ham": 0}.get(said.get("SPAM", ""))
    toxic = {"toxic": 1, "civil": 0}.get(said.get("TOXICITY", ""))
    if spam is not None or toxic is not None:  # what the sub-score attributes say is not learned from (yet)
        token = str(body.get("clientToken") or body["comment"]["text"])
        digest = hashlib.sha256(f"{client}\0{body.get('communityId') or ''}\0{token}".encode()).hexdigest()[:32]
        action = "spam" if spam else ("reject" if toxic else "approve")
        get_store().labels.record([Label(f"perspective-{digest}", action, "perspective", client,
                                         "toxic" if toxic else None, {"content": body["comment"]["text"]},
                                         spam=spam, toxic=toxic)])
    return jsonify({"clientToken": body.get("clientToken", "")})
