"""Signals gathered at submission time, each a structured reason ``{source, rule, detail, ...}``.

They are stored with the comment; the policy weighs them with the model's scores once the
comment is scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from classifier.features import find_links, url_domain
from service import formtoken
from service.wordlist import WordLists


@dataclass(frozen=True)
class SignalSettings:
    secret: str
    max_links: int = 2
    form_token_min_seconds: float = 3
    form_token_max_seconds: float = 7200


def _reason(rule: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"source": "signals", "rule": rule, "detail": detail, **extra}


def collect(settings: SignalSettings, words: WordLists, data: dict[str, Any], ip: str | None,
            honeypot: str | None, form_token: str | None) -> list[dict[str, Any]]:
    """The signals computed in the request (no Redis). Raises formtoken.ForgedToken for a forged token.

    Signals that need shared state (spam waves, author rules) are gathered by the submission
    script and turned into reasons by ``from_facts`` when the comment is scored.
    """
    out: list[dict[str, Any]] = []
    if honeypot:
        out.append(_reason("honeypot", "the hidden honeypot field was filled in (a bot)"))
    if form_token:
        check = formtoken.check(settings.secret, form_token, data["post_id"], settings.form_token_min_seconds,
                                settings.form_token_max_seconds)
        if check.too_fast or check.expired:
            what = "sent too fast" if check.too_fast else "form too old"
            limit = settings.form_token_min_seconds if check.too_fast else settings.form_token_max_seconds
            out.append(_reason("time_trap", f"{what}: {check.age_seconds:.1f} s after the form was shown",
                               score=round(check.age_seconds, 1), threshold=limit))
    links = find_links(data["content"]) + ([data["url"]] if data.get("url") else [])
    if len(links) > settings.max_links:
        domains = sorted({url_domain(link) for link in links} - {""})
        out.append(_reason("too_many_links", f"{len(links)} links (more than {settings.max_links})",
                           count=len(links), threshold=settings.max_links, urls=links, domains=domains))
    for field in ("content", "author", "email", "url"):
        out += [m.as_reason() for m in words.find(data.get(field) or "", field)]
    out += [m.as_reason() for m in words.find_ip(ip)]
    return out


def from_facts(comment: dict[str, Any], wave_min_authors: int) -> list[dict[str, Any]]:
    """Reasons from what the submission script recorded: the wave's size and the author's rule."""
    out: list[dict[str, Any]] = []
    wave = int(comment.get("wave_size") or 0)
    if wave >= wave_min_authors:
        out.append(_reason("spam_wave", f"near-identical text from {wave} authors within the hour", count=wave,
                           threshold=wave_min_authors))
    if comment.get("author_rule"):
        rule = json.loads(comment["author_rule"])
        name = "blocked_author" if rule["mode"] == "block" else "held_author"
        out.append(_reason(name, f"author marked '{rule['mode']}' by {rule['by']}", entry=rule["id"]))
    return out
