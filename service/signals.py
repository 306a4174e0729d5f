"""Signals about a comment, each a structured reason ``{source, rule, detail, ...}``.

The scoring worker gathers them from the stored record (what the request recorded: honeypot,
form age) and from shared state looked up for the whole batch (spam wave, author rule); the
policy weighs them with the model's scores. Nothing here touches Redis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classifier import find_links, url_domain
from service.antiabuse import Facts
from service.wordlist import WordLists


@dataclass(frozen=True)
class SignalSettings:
    max_links: int = 2
    form_token_min_seconds: float = 3
    form_token_max_seconds: float = 7200
    wave_min_authors: int = 5


def _reason(rule: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"source": "signals", "rule": rule, "detail": detail, **extra}


def collect(settings: SignalSettings, words: WordLists, comment: dict[str, Any],
            facts: Facts | None = None) -> list[dict[str, Any]]:
    """Every signal about one comment: the record's own (honeypot, time trap, links, word lists) and,
    with ``facts``, its spam wave and its author's rule."""
    out: list[dict[str, Any]] = []
    if comment.get("honeypot"):
        out.append(_reason("honeypot", "the hidden honeypot field was filled in (a bot)"))
    if comment.get("form_age"):
        age = float(comment["form_age"])
        too_fast, expired = age < settings.form_token_min_seconds, age > settings.form_token_max_seconds
        if too_fast or expired:
            what = "sent too fast" if too_fast else "form too old"
            limit = settings.form_token_min_seconds if too_fast else settings.form_token_max_seconds
            out.append(_reason("time_trap", f"{what}: {age:.1f} s after the form was shown",
                               score=round(age, 1), threshold=limit))
    links = find_links(comment.get("content") or "") + ([comment["url"]] if comment.get("url") else [])
    if len(links) > settings.max_links:
        domains = sorted({url_domain(link) for link in links} - {""})
        out.append(_reason("too_many_links", f"{len(links)} links (more than {settings.max_links})",
                           count=len(links), threshold=settings.max_links, urls=links, domains=domains))
    for field in ("content", "author", "email", "url"):
        out += [m.as_reason() for m in words.find(comment.get(field) or "", field)]
    out += [m.as_reason() for m in words.find_ip(comment.get("ip"))]
    if facts is not None:
        out += _from_facts(facts, settings.wave_min_authors)
    return out


def _from_facts(facts: Facts, wave_min_authors: int) -> list[dict[str, Any]]:
    """Reasons from shared state: the wave's size and the author's rule."""
    out: list[dict[str, Any]] = []
    if facts.wave >= wave_min_authors:
        out.append(_reason("spam_wave", f"near-identical text from {facts.wave} authors within the hour",
                           count=facts.wave, threshold=wave_min_authors))
    if facts.author_rule:
        rule = facts.author_rule
        name = {"block": "blocked_author", "hold": "held_author", "trust": "trusted_author"}[rule["mode"]]
        out.append(_reason(name, f"author marked '{rule['mode']}' by {rule['by']}", entry=rule["id"]))
    return out
