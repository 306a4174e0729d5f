"""Personal data handled as GDPR expects: truncated IPs, export and erasure by email."""

from __future__ import annotations

import ipaddress
from typing import Any

from service.antiabuse import Guard
from service.store import CommentStore


def truncate_ip(ip: str | None) -> str:
    """IPv4 to its /24, IPv6 to its /48: enough to block a network, not to single out a person."""
    if not ip:
        return ""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if "/" in ip:
        return ip
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def comment_ids(store: CommentStore, guard: Guard, email: str) -> list[str]:
    """Every comment sent with ``email``, filed or still waiting in a scoring stream (see ``CommentStore.unfiled``)."""
    return store.ids_by_email(guard.digest(email))


def export(store: CommentStore, guard: Guard, email: str) -> dict[str, Any]:
    """Everything held about one email, as JSON-ready data."""
    digest = guard.digest(email)
    ids = comment_ids(store, guard, email)
    comments = store.get_many(ids)
    rules = [r for r in guard.list_authors() if r["id"] == f"email:{digest}"]
    trust = store.trust_counts([digest])[0]
    return {"email": email, "comments": comments, "author_rules": rules, "approved_comments": trust,
            "moderation_labels": store.labels.get(ids)}


def erase(store: CommentStore, guard: Guard, email: str, actor: str) -> dict[str, Any]:
    """Delete the email's comments, rules, counters and near-duplicate traces; redact the audit trail."""
    digest = guard.digest(email)
    ids = comment_ids(store, guard, email)
    erased = store.erase(ids)
    redacted = store.redact(set(ids))
    store.forget_email(digest)
    guard.forget(email)
    store.audit(actor, "erased", f"erasure request: {erased} comment(s)")
    # Deleted keys stay in the append-only file until it is rewritten: rewrite it now, so the data leaves the disk.
    return {"comments": erased, "audit_entries": redacted, "disk": store.rewrite_persistence()}
