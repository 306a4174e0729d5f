"""The moderator's review page under /moderation/: server-rendered, small vanilla JavaScript."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie session, marked Secure whenever the page itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def secret_key(configured: str | None, data_dir: str) -> str:
    """The configured key, else one kept in the data directory (created once, mode 600)."""
    if configured:
        return configured
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def init_app(app: Flask) -> None:
    from service.web import embed, views

    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="moderation_session", SESSION_COOKIE_PATH="/moderation")
    app.session_interface = SessionInterface()
    app.register_blueprint(views.bp)
    app.register_blueprint(embed.bp)
