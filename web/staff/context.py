"""What a handler needs from the request: settings, the two databases, the signed-in staff
member, the client's address, and the one way to run blocking work (every database call)
without stalling the event loop that also serves the visitors' chat."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sanic.request import Request

from clinic.db import engine_for
from web.proxies import client_address
from web.settings import Settings
from web.staff.auth import StaffSession
from web.staff.tracker_store import tracker_engine

T = TypeVar("T")


async def off_loop(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs a blocking call (a query, an export) in the default thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


def settings(request: Request) -> Settings:
    return request.app.ctx.settings


def clinic(request: Request) -> sa.engine.Engine:
    return engine_for(settings(request).clinic_db_url)


def tracker(request: Request) -> sa.engine.Engine:
    return tracker_engine(settings(request).tracker_db_url)


def client_ip(request: Request) -> str:
    """The address login throttling and the audit log go by: a forwarding header counts only
    from a trusted proxy (web/proxies.py), or a client could pick a new address per guess."""
    return client_address(request)[:64]


def staff(request: Request) -> StaffSession:
    return request.ctx.staff
