"""What the console takes from a request besides its parameters: the app's settings and the
client's address. The databases and the signed-in staff member are the services' business
(web/staff/services)."""

from __future__ import annotations

from sanic.request import Request

from web.proxies import client_address
from web.settings import Settings


def settings(request: Request) -> Settings:
    return request.app.ctx.settings


def client_ip(request: Request) -> str:
    """The address login throttling and the audit log go by: a forwarding header counts only
    from a trusted proxy (web/proxies.py), or a client could pick a new address per guess."""
    return client_address(request)[:64]
