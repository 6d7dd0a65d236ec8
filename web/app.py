"""Builds the Sanic app: the clinic's site with the chat widget, and the staff console.

Run with `python -m web.app` (make run does). Each part is a blueprint in its own module.
"""

from __future__ import annotations

from sanic import Sanic

from web.settings import Settings
from web.site import bp as site_bp
from web.staff import bp as staff_bp


def create_app(settings: Settings | None = None, name: str = "clinic_web") -> Sanic:
    settings = settings or Settings.from_env()
    app = Sanic(name)
    app.config.update(
        {"REQUEST_MAX_SIZE": 1_000_000, "REAL_IP_HEADER": "X-Real-IP", "FORWARDED_SECRET": None}
    )
    app.ctx.settings = settings

    app.blueprint(site_bp)  # the clinic's page, the widget's files, POST /api/chat
    app.blueprint(staff_bp)  # the staff console at /staff
    return app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
