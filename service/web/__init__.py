"""The moderator's review page under /moderation/: server-rendered, small vanilla JavaScript."""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Signed cookie session, marked Secure whenever the page itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """No cookie, nothing to verify: commenters' and API clients' requests skip the signing machinery."""
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    from service.web import actions, embed, people, views  # noqa: F401  (actions and people add routes to views.bp)

    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="moderation_session", SESSION_COOKIE_PATH="/moderation")
    app.session_interface = SessionInterface()
    app.register_blueprint(views.bp)
    app.register_blueprint(embed.bp)
