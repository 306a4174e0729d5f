"""The time trap: a signed token carrying when the form was rendered, for which post.

A bot posts too fast (or replays a token for hours); a person takes seconds to minutes.
A token that does not verify is forged and the submission is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass


class ForgedToken(ValueError):
    """The token was not issued by this service (or not for this post)."""


@dataclass(frozen=True)
class TokenCheck:
    age_seconds: float
    too_fast: bool
    expired: bool


def _sign(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def issue(secret: str, post_id: str, now: float | None = None) -> str:
    """A token for a form rendered now on ``post_id``."""
    issued = int((now or time.time()) * 1000)
    return f"{issued}.{_sign(secret, f'{issued}:{post_id}')}"


def check(secret: str, token: str, post_id: str, min_seconds: float, max_seconds: float,
          now: float | None = None) -> TokenCheck:
    """Verify the signature, then say whether the form came back too fast or too late."""
    stamp, _, signature = token.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature.encode(), _sign(secret, f"{stamp}:{post_id}").encode()):
        raise ForgedToken(token)
    age = (now or time.time()) - int(stamp) / 1000
    return TokenCheck(age, age < min_seconds, age > max_seconds)
