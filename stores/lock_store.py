"""A Redis lock store whose ticket lock holds across several Rasa servers.

Rasa's RedisLockStore keeps a conversation's tickets in one Redis key and changes them by
reading the key, changing the tickets in Python and writing the key back. Two servers doing
that at the same moment overwrite each other: both take ticket 0 of a conversation and process
its two messages at once, and one server's cleanup deletes a ticket the other has just taken.
Here every change is one Redis transaction (WATCH/MULTI): a change made in between is read
again, never overwritten.

And a ticket lives only as long as TICKET_LOCK_LIFETIME unless its server renews it. Rasa never
does, so a turn slower than the lifetime (a stalled action server or database) lets the next
message in while it still runs, and a message waiting longer than the lifetime loses its own
ticket and is never served. Here the server renews its ticket while it waits and while it
processes, every third of the lifetime: the lifetime only bounds how long the ticket of a
server that died (kill -9, a lost machine) keeps its conversation waiting.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Takes what `type: redis` takes: url, port, db, password, ..."""
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Applies `change` to the conversation's lock in one step, drops expired tickets, and
        deletes the lock once no ticket is left."""
        key = self.key_prefix + conversation_id

        def step(pipe: Any) -> T:
            stored = pipe.get(key)
            if stored:
                lock = TicketLock.from_dict(json.loads(stored))
            else:
                lock = self.create_lock(conversation_id)
            result = change(lock)
            lock.remove_expired_tickets()
            pipe.multi()
            if lock.tickets:
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(step, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: None)  # only drops expired tickets

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def renew(self, conversation_id: str, ticket_number: int, lifetime: float) -> None:
        """Extends a ticket that has not expired; one that has is left gone: another message
        may already be processed in its place."""

        def extend(lock: TicketLock) -> None:
            lock.remove_expired_tickets()
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + lifetime

        self._change(conversation_id, extend)

    async def _keep_alive(self, conversation_id: str, ticket_number: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self.renew(conversation_id, ticket_number, lifetime)
            except RedisError as error:  # Redis restarting: the next renewal may get through
                logger.warning(f"Could not renew a conversation's lock ticket: {error}")

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keep_alive = asyncio.create_task(self._keep_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keep_alive.cancel()
            try:
                self.cleanup(conversation_id, ticket)
            except RedisError as error:
                # The turn is done (stored, or failed on its own): its answer still goes out,
                # and the ticket expires by itself.
                logger.warning(f"Could not release a conversation's lock ticket: {error}")
