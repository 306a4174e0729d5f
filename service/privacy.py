"""Personal data handled as GDPR expects: truncated IPs, export and erasure by email."""

from __future__ import annotations

import ipaddress
from typing import Any

from service.antiabuse import Guard
from service.store import CommentStore, now_iso


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
    return store.ids_by_email(guard.digest(email))


def export(store: CommentStore, guard: Guard, email: str) -> dict[str, Any]:
    """Everything held about one email, as JSON-ready data."""
    digest = guard.digest(email)
    comments = store.get_many(comment_ids(store, guard, email))
    rules = [r for r in guard.list_authors() if r["id"] == f"email:{digest}"]
    trust = store.trust_counts([digest])[0]
    return {"email": email, "comments": comments, "author_rules": rules, "approved_comments": trust}


def erase(store: CommentStore, guard: Guard, email: str, actor: str) -> dict[str, Any]:
    """Delete the email's comments, rules, counters and near-duplicate traces; redact the audit trail."""
    digest = guard.digest(email)
    ids = comment_ids(store, guard, email)
    erased = store.erase(ids)
    redacted = 0
    for shard in store.keys.all_shards():
        redacted += _redact(store, store.keys.audit(shard), set(ids))
        _redact(store, store.keys.events(shard), set(ids))  # no webhook may announce an erased comment
    store.forget_email(digest)
    store.redis.delete(guard.flood_email_key(guard.mailbox_digest(email)))
    guard.delete_author(f"email:{digest}")
    _forget_waves(guard, digest)
    store.redis.xadd(store.keys.audit(), {"comment_id": "", "actor": actor, "from": "", "to": "erased",
                              "reason": f"erasure request: {erased} comment(s)", "model_version": "",
                              "at": now_iso()})
    # Deleted keys stay in the append-only file until it is rewritten: rewrite it now, so the data leaves the disk.
    return {"comments": erased, "audit_entries": redacted, "disk": store.rewrite_persistence()}


def _redact(store: CommentStore, stream: str, ids: set[str]) -> int:
    """Delete a stream's entries that name an erased comment (streams cannot be edited in place)."""
    if not ids:
        return 0
    doomed, last = [], "-"
    while True:
        batch = store.redis.xrange(stream, min=last, max="+", count=1000)
        doomed += [entry_id for entry_id, fields in batch if fields.get("comment_id") in ids]
        if len(batch) < 1000:
            break
        last = "(" + batch[-1][0]
    return int(store.redis.xdel(stream, *doomed)) if doomed else 0


def _forget_waves(guard: Guard, digest: str) -> None:
    for key in guard.redis.scan_iter(match=f"{guard.base}:wave:*", count=1000):
        guard.redis.zrem(key, digest)
