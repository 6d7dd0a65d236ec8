"""Builds the Sanic app: the clinic's site with the chat widget, and the staff console.

Run with `python -m web.app` (make run does). Each part is a blueprint in its own module.
"""

from __future__ import annotations

from sanic import Sanic

from web.proxies import add_hsts, trusted_networks
from web.settings import Settings
from web.site import bp as site_bp
from web.staff import bp as staff_bp


def create_app(settings: Settings | None = None, name: str = "clinic_web") -> Sanic:
    settings = settings or Settings.from_env()
    trusted_networks(settings.trusted_proxies)  # a wrong TRUSTED_PROXIES stops the start
    app = Sanic(name)
    # Forwarding headers are read by web/proxies.py, from trusted proxies only; Sanic's own
    # reading (REAL_IP_HEADER, PROXIES_COUNT, FORWARDED_SECRET) would believe any client.
    app.config.update(
        {
            "REQUEST_MAX_SIZE": 1_000_000,
            "REAL_IP_HEADER": None,
            "PROXIES_COUNT": None,
            "FORWARDED_SECRET": None,
        }
    )
    app.ctx.settings = settings

    app.blueprint(site_bp)  # the clinic's page, the widget's files, POST /api/chat
    app.blueprint(staff_bp)  # the staff console at /staff
    app.register_middleware(add_hsts, "response")
    return app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    # Each worker is its own process: the chat rate limit is counted per worker.
    app.run(host=settings.host, port=settings.port, workers=settings.workers, access_log=False)


if __name__ == "__main__":
    main()
