"""The staff console: review conversations, follow up on consultation requests, improve the
assistant. One blueprint per area under routes/, grouped at /staff with access control on every
one of them; see web/staff/README.md. A value staff send that the console cannot use (a BadInput
of web/staff/inputs.py, from any handler or the access check) is answered here, with one kind
400 page, rather than in each handler; so is a record that is not there (a Missing of the
services: a 404 page)."""

from sanic import Blueprint

from web.staff.access import add_headers, require_staff
from web.staff.inputs import BadInput
from web.staff.rendering import bad_input_page, missing_page
from web.staff.routes import BLUEPRINTS
from web.staff.services.base import Missing

bp = Blueprint.group(*BLUEPRINTS, url_prefix="/staff")
bp.middleware("request")(require_staff)
bp.middleware("response")(add_headers)
bp.exception(BadInput)(bad_input_page)
bp.exception(Missing)(missing_page)

__all__ = ["bp"]
