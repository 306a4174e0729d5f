"""The "Accès" tab, for admins: give and take away moderator access and API keys without a shell.

Plain HTML forms (no script needed); a new secret is shown once, in the answer to the form that made it, and
never put in a URL, a session or a log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, render_template, request

from service import auth
from service.extensions import get_store
from service.web.views import F, bp, signed_in

MAX_NAME = 100


def admin_only(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.role != "admin":
            abort(403, description=g.t["admins_only"])
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _page(created: dict[str, str] | None = None, message: str | None = None, status: int = 200) -> tuple[str, int]:
    store = get_store()
    return render_template("moderation/people.html", tokens=auth.list_tokens(store.redis, store.keys),
                           api_keys=auth.list_api_keys(store.redis, store.keys), created=created, message=message,
                           counts=store.counts(), filters={"status": "people", "sort": "risk"},
                           time_zone=current_app.config["TIME_ZONE"]), status


def _name() -> str | None:
    name = request.form.get("name", "").strip()
    return name if name and len(name) <= MAX_NAME and name.isprintable() else None


@bp.get("/people")
@signed_in
@admin_only
def people() -> tuple[str, int]:
    return _page()


@bp.post("/people/tokens")
@signed_in
@admin_only
def create_token() -> tuple[str, int]:
    """A moderator (or admin) token for a name, shown once."""
    role = "admin" if request.form.get("admin") else "moderator"
    return _create("token_for", f"({role})",
                   lambda store, name: auth.create_token(store.redis, store.keys, name, role))


@bp.post("/people/api-keys")
@signed_in
@admin_only
def create_api_key() -> tuple[str, int]:
    """An API key for a machine client (an Akismet or Perspective client), shown once."""
    return _create("api_key_for", "(API key)", lambda store, name: auth.create_api_key(store.redis, store.keys, name))


def _create(what: str, kind: str, make: Callable[[Any, str], str]) -> tuple[str, int]:
    """Make a secret for the form's name, audit it, and show it once on the page."""
    name = _name()
    if name is None:
        return _page(message=g.t["bad_name"], status=422)
    store = get_store()
    secret = make(store, name)
    store.audit(g.moderator, "access", f"created for {name} {kind}")
    return _page(created={"what": g.t[what].format(name=name), "secret": secret})


@bp.post("/people/<kind>/<short_id>/revoke")
@signed_in
@admin_only
def revoke(kind: str, short_id: str) -> tuple[str, int]:
    """Take one token or key away at once (sessions signed in with a token end with it)."""
    if kind not in ("tokens", "api-keys"):
        abort(404)
    if kind == "tokens" and short_id == g.token_id:
        return _page(message=g.t["not_your_own"], status=409)
    store = get_store()
    revoke_one = auth.revoke_token_id if kind == "tokens" else auth.revoke_api_key_id
    done = revoke_one(store.redis, store.keys, short_id)
    store.audit(g.moderator, "access", f"revoked {kind} {short_id}")
    return _page(message=g.t["revoked"] if done else g.t["nothing_revoked"], status=200 if done else 404)
