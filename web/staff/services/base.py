"""What every service is: the request's settings, databases, staff member and address, and the
one place where the console's blocking work (every database call, every export) leaves the
event loop, which also serves the visitors' chat."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sanic.request import Request

from clinic.db import engine_for
from web.settings import Settings
from web.staff.context import client_ip, settings
from web.staff.tracker_store import tracker_engine

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Service")


class Missing(LookupError):
    """What a page or a change is about is not there (no such request, or a conversation
    retention deleted). The console answers with a 404 page showing this message
    (web/staff/__init__.py)."""


def blocking(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Makes a service's blocking method awaitable: it runs in the default thread pool, so a
    slow query or a large export never stalls the event loop. A handler awaits one such call
    per step, and the call does all of that step's blocking work."""

    @functools.wraps(method)
    async def off_loop(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(method, self, *args, **kwargs))

    return off_loop


class Service:
    """A service serves one request. The engines are looked up when a blocking method first
    uses them, in its thread: the clinic database's first use in a process creates its tables."""

    def __init__(self, request: Request) -> None:
        self.settings: Settings = settings(request)
        self.ip = client_ip(request)
        session = getattr(request.ctx, "staff", None)
        self.who: str = session.username if session is not None else ""

    @property
    def clinic(self) -> sa.engine.Engine:
        return engine_for(self.settings.clinic_db_url)

    @property
    def tracker(self) -> sa.engine.Engine:
        return tracker_engine(self.settings.tracker_db_url)

    @property
    def tz(self) -> tzinfo:
        return self.settings.timezone
