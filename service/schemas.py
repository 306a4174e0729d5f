"""Marshmallow schemas, one per direction: submission in, public view out, moderator views, decisions."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from service.i18n import t

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# WordPress's comment form field names -> ours; every other form field (submit, nonces) is ignored.
FORM_FIELDS = {
    "comment_post_ID": "post_id",
    "author": "author",
    "email": "email",
    "url": "url",
    "comment": "content",
    "comment_parent": "parent_id",
    "post_title": "post_title",  # not WordPress's: a blog's own form may add them, for the moderators' cards
    "post_url": "post_url",
}


class Text(fields.String):
    """A string that refuses control characters (all of them, or all but tab and newlines)."""

    default_error_messages = {"control": "This field contains characters that are not allowed."}

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pattern = _CONTROL if multiline else _ANY_CONTROL

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if self._pattern.search(text):
            raise self.make_error("control")
        return text


class Identifier(fields.String):
    """An id given as a string or a whole number (WordPress posts ids are numbers)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text or _ANY_CONTROL.search(text):
            raise self.make_error("blank" if not text else "control")
        return text


def _messages(lang: str, **extra: str) -> dict[str, Any]:
    return {
        "required": t("required", lang),
        "null": t("null", lang),
        "invalid": t("type_string", lang),
        "blank": t("blank", lang),
        "control": t("control", lang),
        **extra,
    }


# Whitespace as JSON Schema (ECMAScript) counts it, so that the OpenAPI pattern and the
# server agree on what "blank" means.
_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_BLANK = f"[^{_SPACE}]"


def _not_blank(lang: str) -> validate.Validator:
    """Some character other than white space (the OpenAPI pattern of form-token's ``post_id``)."""
    return validate.Regexp(NOT_BLANK_ANYWHERE, error=t("blank", lang))


NOT_BLANK_ANYWHERE = f"[\\s\\S]*{NOT_BLANK}"


def _text_pattern(refused: str) -> str:
    """What a Text field accepts, as one anchored pattern: no ``refused`` character, not only white space.

    Published in the OpenAPI document so that every schema-valid value is accepted; the server checks the
    same two rules separately, each in linear time.
    """
    return f"^[^{refused}]*[^{_SPACE}{refused}][^{refused}]*$"


LINE_PATTERN = _text_pattern("\\x00-\\x1f\\x7f")  # names, ids: no control character at all
TEXT_PATTERN = _text_pattern("\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f")  # comments: tabs and newlines allowed
# A subset of what marshmallow's Email validator accepts: what the document promises is always accepted.
EMAIL_PATTERN = (r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}$")
# http(s), a host, an optional port and path: the one rule for a commenter's website (linear: the parts cannot overlap).
URL_PATTERN = (f"^[hH][tT][tT][pP][sS]?://[^{_SPACE}\\x00-\\x1f\\x7f/?#@:]+(:[0-9]{{1,5}})?"
               f"([/?#][^{_SPACE}\\x00-\\x1f\\x7f]*)?$")


def email_field(lang: str = "en", **kwargs: Any) -> fields.String:
    """An email address of at most 100 characters, checked by marshmallow, published with EMAIL_PATTERN."""
    too_long = validate.Length(max=100, error=t("too_long", lang, max=100))
    return fields.String(validate=[validate.Email(error=t("email", lang)), too_long],
                         metadata={"pattern": EMAIL_PATTERN}, **kwargs)


@cache
def submission_schema(lang: str) -> Schema:
    """The submission schema with its messages in ``lang`` (built once per language)."""
    m = _messages(lang)

    def too_long(n: int) -> validate.Length:
        return validate.Length(max=n, error=t("too_long", lang, max=n))

    _line = {"pattern": LINE_PATTERN}

    class Submission(Schema):
        class Meta:
            unknown = RAISE

        error_messages = {"unknown": t("unknown", lang), "type": t("not_object", lang)}

        post_id = Identifier(required=True, validate=too_long(200), error_messages=m, metadata=_line)
        author = Text(required=True, validate=[too_long(245), _not_blank(lang)], error_messages=m, metadata=_line)
        email = email_field(lang, required=True, error_messages=m)
        url = fields.String(load_default=None, allow_none=True,
                            validate=[too_long(200), validate.Regexp(URL_PATTERN, error=t("url", lang))],
                            error_messages={**m, "invalid": t("url", lang)})
        content = Text(required=True, multiline=True, validate=[too_long(65_525), _not_blank(lang)],
                       error_messages=m, metadata={"pattern": TEXT_PATTERN})
        parent_id = Identifier(load_default=None, allow_none=True, validate=too_long(64), error_messages=m,
                               metadata=_line)
        # The article, as the page or plugin names it: shown to moderators on the comment's card.
        post_title = Text(load_default=None, allow_none=True, validate=[too_long(300), _not_blank(lang)],
                          error_messages=m, metadata=_line)
        post_url = fields.String(load_default=None, allow_none=True,
                                 validate=[too_long(500), validate.Regexp(URL_PATTERN, error=t("url", lang))],
                                 error_messages={**m, "invalid": t("url", lang)})

        @pre_load
        def _empty_is_none(self, data: Any, **kwargs: Any) -> Any:
            if isinstance(data, dict):
                data = dict(data)
                for name in ("url", "post_url", "post_title"):
                    if data.get(name) == "":
                        data[name] = None
                if data.get("parent_id") in ("", "0", 0):
                    data["parent_id"] = None
                if isinstance(data.get("email"), str):
                    data["email"] = data["email"].strip()
                    if not data["email"]:  # a form's empty field: missing (required), not an invalid address
                        del data["email"]
            return data

        @post_load
        def _trim(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            if "author" in data:  # optional at doors that allow anonymous comments
                data["author"] = data["author"].strip()
            return data

    return Submission()


def _site_fields(lang: str) -> type[Schema]:
    """What a site's plugin adds to a submission: the blog's own id for the comment, the commenter's
    address and browser (the plugin's server makes the request, so the request cannot tell them)."""
    m = _messages(lang)

    class SiteFields(Schema):
        class Meta:
            unknown = RAISE

        external_id = Identifier(required=True, validate=validate.Length(max=64, error=t("too_long", lang, max=64)),
                                 error_messages=m, metadata={"pattern": LINE_PATTERN})
        ip = fields.IP(load_default=None, allow_none=True, error_messages={**m, "invalid_ip": t("ip", lang)})
        user_agent = Text(load_default=None, allow_none=True,
                          validate=validate.Length(max=500, error=t("too_long", lang, max=500)), error_messages=m)

    return SiteFields


SITE_FIELDS = ("external_id", "ip", "user_agent")


@cache
def site_fields_schema(lang: str) -> Schema:
    """The site fields alone: the site door checks them, then the rest goes through the one intake."""
    return _site_fields(lang)()


@cache
def site_submission_schema(lang: str) -> Schema:
    """A site plugin's whole submission (the OpenAPI document's view of it)."""

    class SiteSubmission(_site_fields(lang), type(submission_schema(lang))):  # type: ignore[misc]
        pass

    return SiteSubmission()


class SiteDecision(Schema):
    """A decision made in the site's own admin (WordPress's comment screen)."""

    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(["approve", "reject", "spam"]))
    by = Text(load_default=None, allow_none=True, validate=validate.Length(max=100),
              metadata={"pattern": LINE_PATTERN})


def form_to_submission(form: Any) -> dict[str, str]:
    """Map a WordPress-style comment form to the canonical field names; ignore the rest."""
    return {ours: form[theirs] for theirs, ours in FORM_FIELDS.items() if theirs in form}


def validate_submission(payload: Any, lang: str, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Load a submission or raise ValidationError with per-field messages in ``lang``.

    ``optional`` fields may be missing (a door that allows anonymous comments); given, they are checked as usual.
    """
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [t("not_object", lang)]})
    try:
        return submission_schema(lang).load(payload, partial=optional)  # type: ignore[no-any-return]
    except ValidationError as exc:  # two validators may say the same thing: say it once
        messages = exc.normalized_messages()
        raise ValidationError({k: list(dict.fromkeys(v)) if isinstance(v, list) else v
                               for k, v in messages.items()}) from None


class PublicComment(Schema):
    """What anyone may see of an approved comment: never email, IP, scores or status."""

    id = fields.String()
    post_id = fields.String()
    author = fields.String()
    url = fields.String(allow_none=True)
    content = fields.String()
    created_at = fields.String()
    parent_id = fields.String(allow_none=True)


class ModeratorComment(PublicComment):
    """Everything a moderator needs to decide, personal data included."""

    email = fields.String()
    status = fields.String()
    post_title = fields.String(allow_none=True)
    post_url = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    site = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    referrer = fields.String(allow_none=True)
    accept_language = fields.String(allow_none=True)
    scores = fields.Dict(allow_none=True)
    reasons = fields.List(fields.Dict())
    language = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    risk = fields.Float(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    edited_by = fields.String(allow_none=True)
    edited_at = fields.String(allow_none=True)
    original_content = fields.String(allow_none=True, metadata={"description": "the text before a moderator's edit"})
    moderator_reply = fields.String(allow_none=True, metadata={"description": "'1' for a moderator's own reply"})


def view(schema: type[Schema], item: dict[str, Any]) -> dict[str, Any]:
    """The schema's fields of a stored comment, without marshmallow's per-field cost.

    Stored comments are already plain JSON values, so picking the declared fields gives
    the same output as ``schema().dump(item)`` several times faster (queue pages of 50).
    """
    return {name: item.get(name) for name in schema._declared_fields}  # noqa: SLF001


class SubmissionReceipt(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)


class Decision(Schema):
    """A moderator's verdict on one comment."""

    class Meta:
        unknown = RAISE

    action = fields.String(required=True, validate=validate.OneOf(["approve", "reject", "spam"]))
    # Why a comment is rejected (the label it teaches: only "toxic" makes a toxicity label); ignored otherwise.
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["toxic", "off_topic", "other"]))
    note = Text(multiline=True, load_default=None, allow_none=True, validate=validate.Length(max=1000),
                metadata={"pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"})
    # The status the moderator saw. Unset: a comment waiting for a decision (received or pending).
    # Deciding anything else (rescuing spam, unpublishing) names it, so that a concurrent decision
    # on the same comment always gets 409 instead of silently overriding the first.
    from_status = fields.String(data_key="from", load_default=None,
                                validate=validate.OneOf(["received", "pending", "approved", "rejected", "spam"]))


# A queue cursor as the store writes it: the last item's score, then its id (empty: the first page).
CURSOR_PATTERN = r"^(-?(inf|[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?)_[0-9a-f]{1,64})?$"


class QueueQuery(Schema):
    """Filters and paging of the moderation queue."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(load_default="pending",
                           validate=validate.OneOf(["received", "pending", "approved", "rejected", "spam"]))
    post = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    sort = fields.String(load_default="oldest", validate=validate.OneOf(["oldest", "newest", "risk"]))
    cursor = fields.String(load_default=None, validate=validate.Regexp(CURSOR_PATTERN, error=t("unknown_cursor", "en")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    reason = fields.String(load_default="", validate=validate.Regexp(r"^[a-z_]{0,40}$", error=t("rule_name", "en")),
                           metadata={"description": "only comments with a reason of this rule (spam_wave, ...)"})
    language = fields.String(load_default="", validate=validate.OneOf(["", "fr", "en"]))
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "part of the author's name or email, any case"})


class QueuePage(Schema):
    items = fields.List(fields.Nested(ModeratorComment))
    next_cursor = fields.String(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(required=True)
