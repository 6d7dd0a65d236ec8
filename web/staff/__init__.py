"""The staff console: review conversations, follow up on consultation requests, improve the
assistant. One blueprint per area under routes/, grouped at /staff with access control on every
one of them; see web/staff/README.md."""

from sanic import Blueprint

from web.staff.access import add_headers, require_staff
from web.staff.routes import BLUEPRINTS

bp = Blueprint.group(*BLUEPRINTS, url_prefix="/staff")
bp.middleware("request")(require_staff)
bp.middleware("response")(add_headers)

__all__ = ["bp"]
