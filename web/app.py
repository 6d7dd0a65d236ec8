"""Builds the Sanic app: the clinic's site with the chat widget, and the staff console.

Run with `python -m web.app` (make run does). Each part is a blueprint in its own module.
"""
from __future__ import annotations

from sanic import Sanic

from web.settings import Settings


def create_app(settings: Settings | None = None, name: str = "clinic_web") -> Sanic:
    settings = settings or Settings.from_env()
    app = Sanic(name)
    app.config.update(
        {"REQUEST_MAX_SIZE": 1_000_000, "REAL_IP_HEADER": "X-Real-IP", "FORWARDED_SECRET": None}
    )
    app.ctx.settings = settings

    from web.site import bp as site_bp  # site page, widget assets, chat proxy (issue 3)

    app.blueprint(site_bp)
    try:
        from web.staff import bp as staff_bp  # staff console (issue 4)
    except ImportError:  # the console is optional until its module exists
        staff_bp = None
    if staff_bp is not None:
        app.blueprint(staff_bp)
    return app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
