"""Moderator tokens: random, shown once, stored only as a sha256 hash, checked in constant time."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from flask import g, request

from service.errors import Forbidden, TooManyRequests, Unauthorized
from service.i18n import t
from service.keys import Keys
from service.ratelimit import WINDOW_SECONDS, record_failure
from service.store import now_iso

F = TypeVar("F", bound=Callable[..., Any])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


ROLES = ("moderator", "admin")  # an admin also gives and takes away access (the review page's "Accès" tab)


def _issue(client: redis.Redis, hash_key: str, prefix: str, name: str, role: str | None = None) -> str:
    """Store a new secret's hash under ``hash_key`` for ``name``; return the secret (its only copy)."""
    secret = prefix + secrets.token_urlsafe(32)
    digest = token_hash(secret)
    record = {"name": name, "hash": digest, "created_at": now_iso(), **({"role": role} if role else {})}
    client.hset(hash_key, digest, json.dumps(record))
    return secret


def _owner(client: redis.Redis, hash_key: str, secret: str) -> str | None:
    """Whose secret this is, looked up by its hash and compared in constant time; None if nobody's."""
    if not secret:
        return None
    digest = token_hash(secret)
    raw = client.hget(hash_key, digest)
    if raw is None:
        return None
    record = json.loads(raw)
    return str(record["name"]) if hmac.compare_digest(record["hash"], digest) else None


def create_token(client: redis.Redis, keys: Keys, name: str, role: str = "moderator") -> str:
    """A moderator token for ``name`` (``role``: moderator or admin): random, shown once, stored as a sha256 hash."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    return _issue(client, keys.tokens, "mod_", name, role)


def moderator_for(client: redis.Redis, keys: Keys, token: str) -> str | None:
    """The moderator a token belongs to, or None."""
    return _owner(client, keys.tokens, token)


def create_api_key(client: redis.Redis, keys: Keys, name: str) -> str:
    """A key for a machine client (Akismet or Perspective clients); stored hashed, shown once."""
    return _issue(client, keys.api_keys, "key_", name)


def api_client_for(client: redis.Redis, keys: Keys, key: str) -> str | None:
    """The machine client an API key belongs to, or None."""
    return _owner(client, keys.api_keys, key)


def _listed(client: redis.Redis, hash_key: str) -> list[dict[str, str]]:
    """Every stored secret's owner and creation time, with a short id (never the secret)."""
    records = [json.loads(v) for v in client.hvals(hash_key)]
    return sorted(({"name": r["name"], "created_at": r["created_at"], "id": r["hash"][:12],
                    "role": r.get("role", "moderator")} for r in records), key=lambda r: r["created_at"])


def _revoked(client: redis.Redis, hash_key: str, name: str) -> int:
    doomed = [h for h, v in client.hgetall(hash_key).items() if json.loads(v)["name"] == name]
    return int(client.hdel(hash_key, *doomed)) if doomed else 0


def _revoked_id(client: redis.Redis, hash_key: str, short_id: str) -> int:
    """Revoke the one secret whose listed id is ``short_id``."""
    doomed = [h for h in client.hkeys(hash_key) if short_id and len(short_id) == 12 and h.startswith(short_id)]
    return int(client.hdel(hash_key, *doomed)) if doomed else 0


def revoke_token_id(client: redis.Redis, keys: Keys, short_id: str) -> int:
    return _revoked_id(client, keys.tokens, short_id)


def revoke_api_key_id(client: redis.Redis, keys: Keys, short_id: str) -> int:
    return _revoked_id(client, keys.api_keys, short_id)


def list_tokens(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    """Every moderator token's owner and creation time (never the token)."""
    return _listed(client, keys.tokens)


def revoke_tokens(client: redis.Redis, keys: Keys, name: str) -> int:
    """Delete every token of moderator ``name``; returns how many."""
    return _revoked(client, keys.tokens, name)


def list_api_keys(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    """Every machine client's API keys: the client's name and when (never the key)."""
    return _listed(client, keys.api_keys)


def revoke_api_keys(client: redis.Redis, keys: Keys, name: str) -> int:
    """Delete every API key of client ``name``; returns how many."""
    return _revoked(client, keys.api_keys, name)


SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def create_site(client: redis.Redis, keys: Keys, name: str) -> str:
    """A credential for one site's plugin: it submits that site's comments and decides only those."""
    if not SITE_NAME.match(name):
        raise ValueError("a site name is 1 to 63 lowercase letters, digits and hyphens (a letter or digit first)")
    return _issue(client, keys.sites, "site_", name)


def site_for(client: redis.Redis, keys: Keys, credential: str) -> str | None:
    """The site a credential belongs to, or None."""
    return _owner(client, keys.sites, credential)


def list_sites(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    """Every site's credentials: the site's name and when (never the credential)."""
    return _listed(client, keys.sites)


def revoke_sites(client: redis.Redis, keys: Keys, name: str) -> int:
    """Delete every credential of site ``name``; its plugin's requests are refused at once."""
    return _revoked(client, keys.sites, name)


def bearer_token() -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or '' when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _bearer_required(owner: Callable[[redis.Redis, Keys, str], str | None], attribute: str, refusal: str
                     ) -> Callable[[F], F]:
    """401 without a bearer token, 403 with an unknown one (429 after too many); sets ``g.<attribute>``."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from service.extensions import get_store

            token = bearer_token()
            if not token:
                raise Unauthorized()
            store = get_store()
            name = owner(store.redis, store.keys, token)
            if name is None:
                if record_failure(store.redis, store.keys, "token", request.remote_addr or "?", token_hash(token)):
                    raise TooManyRequests(t("too_many_tokens"),
                                          headers={"Retry-After": str(WINDOW_SECONDS)})
                raise Forbidden(t(refusal))
            setattr(g, attribute, name)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


moderator_required = _bearer_required(moderator_for, "moderator", "bad_moderator_token")
site_required = _bearer_required(site_for, "site", "bad_site_credential")


# -- review-page sessions: server-side, so that signing out or revoking the token ends every copy of the cookie --
def _session_key(keys: Keys, sid: str) -> str:
    return keys.session(hashlib.sha256(sid.encode()).hexdigest())


def open_session(client: redis.Redis, keys: Keys, sid: str, moderator: str, token: str, seconds: int) -> None:
    """Remember that cookie session ``sid`` signed in as ``moderator`` with ``token``, for at most ``seconds``."""
    record = {"moderator": moderator, "token_hash": token_hash(token), "at": now_iso()}
    client.set(_session_key(keys, sid), json.dumps(record), ex=seconds)


def session_moderator(client: redis.Redis, keys: Keys, sid: object) -> tuple[str, str, str] | None:
    """(name, role, token's listed id) of the moderator session ``sid`` is signed in as, while both the session and
    its token live."""
    record = client.get(_session_key(keys, sid)) if isinstance(sid, str) else None
    who = json.loads(record) if record else None
    token = client.hget(keys.tokens, who["token_hash"]) if who else None
    if not who or token is None:
        return None
    return str(who["moderator"]), str(json.loads(token).get("role", "moderator")), str(who["token_hash"])[:12]


def close_session(client: redis.Redis, keys: Keys, sid: object) -> None:
    if isinstance(sid, str):
        client.delete(_session_key(keys, sid))
