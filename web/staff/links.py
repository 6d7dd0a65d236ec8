"""The console's links, built from its routes' names ("blueprint.handler") by Sanic's url_for,
never written out: a route that moves takes its links along. Handlers call `link(request, ...)`;
templates the global `url(...)` (and `static(...)` for the site's files), which rendering.py
binds to the app for the time a page is rendered (`linking`). Where a link goes back to is
checked by `safe_next`; `with_query` changes a link's query string."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sanic import Sanic
from sanic.request import Request

HOME = "staff_dashboard.dashboard"
_app: ContextVar[Sanic] = ContextVar("staff_links_app")


def url_for(
    app: Sanic,
    name: str,
    args: Mapping[str, Any] | None = None,
    /,
    _anchor: str = "",
    **more: Any,
) -> str:
    """The path of route `name`, its path's parameters taken from `args` and `more`, the rest
    of them its query string in that order; empty values are left out, as the console's own
    query strings always have. `_anchor`: a fragment (#tags)."""
    values = {k: v for k, v in {**(args or {}), **more}.items() if v not in (None, "")}
    built = app.url_for(name, _anchor=_anchor, **values)
    if name == HOME:
        # Sanic builds a blueprint group's root route without its slash ("/staff"); the
        # console's home has always been "/staff/", where sign-in lands and staff bookmarked.
        parts = urllib.parse.urlsplit(built)
        if not parts.path.endswith("/"):
            built = urllib.parse.urlunsplit(parts._replace(path=parts.path + "/"))
    return built


def link(request: Request, name: str, args: Mapping[str, Any] | None = None, /, **more: Any) -> str:
    """A link to route `name` of the request's app (see url_for)."""
    return url_for(request.app, name, args, **more)


@contextmanager
def linking(app: Sanic) -> Iterator[None]:
    """While a page is rendered, its templates' `url` and `static` build links on `app`. A
    context variable rather than a template variable: macros imported into a template do not
    see the page's variables."""
    token = _app.set(app)
    try:
        yield
    finally:
        _app.reset(token)


def url(name: str, args: Mapping[str, Any] | None = None, /, **more: Any) -> str:
    """Templates' url_for: url('staff_requests.request_detail', request_id=row.id)."""
    return url_for(_app.get(), name, args, **more)


def static(filename: str) -> str:
    """A file of web/static/, by the route name web/site.py gives it ("static_staff_css")."""
    return _app.get().url_for("static", name="site.static_" + re.sub(r"\W", "_", filename))


def with_query(target: str, drop: Iterable[str] = (), **add: Any) -> str:
    """`target` without the query arguments named in `drop` or `add`, then `add`'s last (empty
    ones left out): a confirmation's argument replaces the one a link came with."""
    parts = urllib.parse.urlsplit(target)
    gone = set(drop) | set(add)
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in gone]
    kept += [(k, str(v)) for k, v in add.items() if v not in (None, "")]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def safe_next(value: str | None, default: str) -> str:
    """Where a form goes back to: only the console's own pages, never another host."""
    if (
        value
        and (value == "/staff" or value.startswith(("/staff/", "/staff?")))
        and not any(ch in value for ch in "\\\n\r")
    ):
        return value
    return default
