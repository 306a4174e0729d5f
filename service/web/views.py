"""Review page views: sign in, the queue, decisions with conflict detection, undo."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from classifier import KIND_LABELS
from service import dashboard, metrics
from service.actions import WAITING, mark_author
from service.auth import close_session, moderator_for, open_session, session_moderator, token_hash
from service.extensions import get_guard, get_model, get_store
from service.i18n import RULES, page_language, t, texts
from service.keys import Status
from service.labels import REASONS as REJECT_REASONS
from service.policy import SPAM_RULES
from service.queue import Filters
from service.queue import page as queue_page
from service.ratelimit import record_failure
from service.store import Move, now_iso
from service.web.highlight import segments

bp = Blueprint("web", __name__, url_prefix="/moderation", template_folder="templates", static_folder="static")
F = TypeVar("F", bound=Callable[..., Any])

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
UNDO_SECONDS = 10
PAGE = 50
MAX_SCAN = 2000
STATS_DAYS = 30


@bp.before_request
def _common() -> None:
    if request.args.get("lang") in ("fr", "en"):
        session["lang"] = request.args["lang"]
    g.lang = page_language()
    g.t = texts(g.lang)
    session.setdefault("csrf", secrets.token_urlsafe(32))
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
    # As bytes: compare_digest refuses non-ASCII strings with a TypeError (a 500 that schemathesis found).
    if request.method == "POST" and not hmac.compare_digest(sent.encode(), str(session["csrf"]).encode()):
        abort(403, description=t("csrf", g.lang))


def signed_in(view: F) -> F:
    """The cookie must name a live server-side session whose token still exists: signing out, revoking the
    token and the session's maximum age each end it, whatever copy of the cookie is replayed."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        store = get_store()
        who = session_moderator(store.redis, store.keys, session.get("sid"))
        if who is None:
            session.pop("sid", None)
            if request.method == "GET":
                return redirect(url_for("web.login"))
            abort(401)
        g.moderator, g.role, g.token_id = who
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        store = get_store()
        token = request.form.get("token", "").strip()
        name = moderator_for(store.redis, store.keys, token) if token else None
        if name:
            lang = session.get("lang")
            session.clear()
            sid = secrets.token_urlsafe(32)
            open_session(store.redis, store.keys, sid, name, token, current_app.config["SESSION_MAX_AGE_SECONDS"])
            session.update(sid=sid, csrf=secrets.token_urlsafe(32))
            if lang:
                session["lang"] = lang
            return redirect(url_for("web.queue"))
        over = record_failure(store.redis, store.keys, "login", request.remote_addr or "?", token_hash(token))
        error = g.t["too_many"] if over else g.t["bad_token"]
    return render_template("moderation/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout() -> Response:
    """Sign out for good: the server forgets the session, so an old copy of the cookie is worth nothing."""
    store = get_store()
    close_session(store.redis, store.keys, session.get("sid"))
    session.clear()
    return redirect(url_for("web.login"))  # type: ignore[return-value]


def _card(comment: dict[str, Any], parent: dict[str, Any] | None) -> dict[str, Any]:
    links: list[str] = next((r.get("domains", []) for r in comment["reasons"] if r.get("rule") == "links"), [])
    quote = None if parent is None else {"author": parent["author"], "content": _excerpt(parent["content"])}
    return {**comment, "segments": segments(comment["content"], comment["reasons"]), "domains": links, "quote": quote,
            "reasons_shown": [describe(r) for r in comment["reasons"] if r.get("rule") != "links"],
            "kinds": kinds_shown(comment.get("scores") or {})}


def _excerpt(text: str, limit: int = 200) -> str:
    """The start of a parent comment, enough to know what is being answered."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def kinds_shown(scores: dict[str, float]) -> list[tuple[str, float]]:
    """The toxicity sub-scores worth a moderator's glance (0.3 or more), highest first."""
    return sorted(((k, scores[k]) for k in KIND_LABELS if scores.get(k, 0) >= 0.3), key=lambda kv: -kv[1])


class _Values(dict[str, Any]):
    """A reason's fields for a catalogue template: a missing one reads as nothing, numbers with two decimals."""

    def __missing__(self, key: str) -> str:
        return ""


def describe(reason: dict[str, Any]) -> str:
    """A reason in the moderator's language; a rule the catalogue does not know falls back to its own detail."""
    rule = str(reason.get("rule", ""))
    key = f"rule_{rule}"
    if rule == "time_trap":
        key += "_fast" if float(reason.get("score", 0)) < float(reason.get("threshold", 0)) else "_old"
    label = g.t.get(key)
    if label is None:
        return str(reason.get("detail", rule))
    values = _Values({k: f"{v:.2f}" if isinstance(v, float) else v for k, v in reason.items()})
    values["field"] = g.t.get(f"field_{reason.get('field')}", str(reason.get("field", "")))
    text = label.format_map(values)
    if "score" in reason and rule in ("spam", "toxicity"):
        text += f" ({reason['score']:.2f})"
    named = [f"« {t} »" for t in reason.get("phrases") or reason.get("terms", [])]
    named += [g.t.get(f"signal_{n}", n) for n in reason.get("signals", [])]
    if named:
        text += " : " + ", ".join(named)
    elif reason.get("count") and rule == "phone_number":
        text += f" : {reason['count']}"
    if reason.get("shadow"):
        text += " " + g.t["shadow_spam" if rule in SPAM_RULES else "shadow_hold"]
    return text


@bp.get("/")
@signed_in
def queue() -> str:
    """One card per comment; filters by post, reason, language and author/email search."""
    args = request.args
    status = args.get("status", "pending")
    status = status if status in {s.value for s in Status} else "pending"
    sort = str(args.get("sort")) if args.get("sort") in ("risk", "oldest", "newest") else "risk"
    post = args.get("post", "").strip() or None
    reason, language, query = args.get("reason", ""), args.get("language", ""), args.get("q", "").strip()
    store = get_store()
    try:
        items, cursor = queue_page(store, Filters(Status(status), sort, post, reason, language, query),
                                   args.get("cursor") or None, PAGE, MAX_SCAN)
    except ValueError:
        items, cursor = [], None
    parents = {p["id"]: p for p in store.get_many(sorted({c["parent_id"] for c in items if c.get("parent_id")}))}
    cards = [_card(c, parents.get(c.get("parent_id") or "")) for c in items]
    filters = {"status": status, "sort": sort, "post": post or "", "reason": reason, "language": language, "q": query}
    model = get_model()
    site = model.manifest.get("adapted") or model.manifest.get("retrained") or {}  # an adapter's or a retrain's
    learned = int(site.get("label_counts", {}).get("labels", 0))
    return render_template("moderation/queue.html", cards=cards, counts=store.counts(), filters=filters,
                           next_cursor=cursor, statuses=[s.value for s in Status], model_version=model.version,
                           learned=learned, agreement=_agreement(store), rules=RULES, words=_words(),
                           time_zone=current_app.config["TIME_ZONE"])


def _words() -> dict[str, str]:
    """What review.js says (notices, statuses, confirmations), in the page's language."""
    keys = ("done_approve", "done_reject", "done_spam", "already", "confirm_unpublish", "just_now", "save",
            "publish_reply", "cancel", "confirm_delete", "confirm_empty_spam", "failed")
    return {**{k: g.t[k] for k in keys}, **{f"state_{s.value}": g.t[f"state_{s.value}"] for s in Status}}


_AGREEMENT: dict[str, tuple[float, int, dict[str, dict[str, int]]]] = {}
AGREEMENT_DAYS, AGREEMENT_CACHE_SECONDS = 30, 300.0


def _agreement(store: Any) -> list[tuple[str, int, int]]:
    """(language, % agreed, decisions) over the last 30 days. Worked out again only when a label came or went,
    or every 5 minutes (the window moves): the labels it reads are bounded, a page view need not pay each time."""
    now, total = time.time(), store.labels.total()
    cached = _AGREEMENT.get(store.keys.prefix)
    if cached is None or cached[1] != total or now - cached[0] > AGREEMENT_CACHE_SECONDS:
        cached = (now, total, store.labels.agreement((now - AGREEMENT_DAYS * 86400) * 1000))
        _AGREEMENT[store.keys.prefix] = cached
    return [(lang, round(100 * c["agreed"] / c["total"]), c["total"]) for lang, c in sorted(cached[2].items())]


@bp.get("/stats")
@signed_in
def stats() -> str:
    """The "Statistiques" tab: the last 30 days from the daily rollups (30 hashes per shard, never a scan)."""
    store = get_store()
    days = dashboard.last_days(dt.datetime.now(store.zone).date(), STATS_DAYS)  # the site's days
    board = dashboard.build(store.daily(days), g.t["unit_day"])
    return render_template("moderation/stats.html", board=board, figures=dashboard.summary(board),
                           counts=store.counts(),
                           filters={"status": "stats", "sort": "risk"}, agreement=_agreement(store),
                           width=dashboard.WIDTH, height=dashboard.HEIGHT, pad=dashboard.PAD,
                           delay_ticks=dashboard.delay_ticks(g.t["unit_day"]),
                           human=lambda s: dashboard.human(s, g.t["unit_day"]))


@bp.post("/decisions")
@signed_in
def decisions() -> Response:
    """Decide one or many comments; each answers ok, conflict (with its status) or missing."""
    body = request.get_json(silent=True) or {}
    action, ids, seen, why = body.get("action"), body.get("ids"), body.get("from"), body.get("reason")
    trust = body.get("trust") is True and action == "approve"  # "approve and trust the author"
    if action not in ACTIONS or not isinstance(ids, list) or not ids or len(ids) > 200 \
            or not all(isinstance(i, str) for i in ids) or why not in (None, *REJECT_REASONS):
        abort(422, description=t("decisions_body", g.lang))
    why = why if action == "reject" else None
    fields = {"decided_by": g.moderator, "decided_at": now_iso(), **({"reject_reason": why} if why else {})}
    allowed = (Status(seen),) if seen in {s.value for s in Status} else WAITING
    moves = [Move(i, allowed, ACTIONS[action], g.moderator, action + (f" ({why})" if why else ""), fields,
                  label=("review", why)) for i in ids]
    outcomes = get_store().transition_many(moves)
    results: dict[str, dict[str, Any]] = {}
    for comment_id, outcome in zip(ids, outcomes, strict=True):
        results[comment_id] = {"result": outcome.result, "previous": outcome.previous}
        if outcome.result == "ok":
            metrics.DECISIONS.labels(action).inc()
            if trust:
                _trust_author(comment_id)
        if outcome.result == "conflict":
            current = get_store().get(comment_id) or {}
            results[comment_id].update(status=current.get("status"), by=current.get("decided_by"))
    return jsonify({"results": results, "undo_seconds": UNDO_SECONDS})


def _trust_author(comment_id: str) -> None:
    comment = get_store().get(comment_id)
    if comment and comment.get("email"):
        mark_author(get_guard(), comment, "trust", "email", g.moderator)


@bp.post("/undo")
@signed_in
def undo() -> Response:
    """Put a comment this moderator decided a few seconds ago back where it was (pending or spam)."""
    body = request.get_json(silent=True) or {}
    store = get_store()
    comment = store.get(str(body.get("id", "")))
    if comment is None or comment.get("decided_by") != g.moderator or not comment.get("decided_at"):
        return jsonify({"result": "refused"})
    decided = dt.datetime.fromisoformat(comment["decided_at"].replace("Z", "+00:00"))
    if (dt.datetime.now(dt.UTC) - decided).total_seconds() > UNDO_SECONDS + 2:
        return jsonify({"result": "expired"})
    back = Status.SPAM if body.get("previous") == "spam" else Status.PENDING
    outcome = store.transition(comment["id"], (Status(comment["status"]),), back, g.moderator, "undo",
                               {"decided_by": "", "decided_at": "", "reject_reason": ""})
    if outcome.result == "ok":
        store.labels.forget(comment["id"])
    return jsonify({"result": outcome.result})


@bp.app_template_filter("local_time")
def local_time(value: str, zone: str) -> str:
    """An ISO time in the site's zone with its name (review.js shows it again in the browser's, with "il y a 5 min");
    in UTC, said so, when no zone is set."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    there = moment.astimezone(ZoneInfo(zone)) if zone else moment.astimezone(dt.UTC)
    return there.strftime("%Y-%m-%d %H:%M ") + (there.tzname() or "UTC")


