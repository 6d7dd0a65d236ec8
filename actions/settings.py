"""The action server's settings, from environment variables with defaults that run on one machine.

tools/stack.py gives the action server it starts these variables, setting only those the
operator left unset. Read per use rather than at import, so a test can set the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from clinic.db import DEFAULT_URL


@dataclass(frozen=True)
class Settings:
    # Where consultation requests are stored (the staff console reads the same database).
    clinic_db_url: str = DEFAULT_URL
    # Rasa's HTTP API, used only to classify each question of a several-question message with
    # the same trained model. It listens on loopback and needs the token; without a token the
    # action answers from the message's own intent ranking instead.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = ""
    # Where the action server listens: loopback, as only Rasa on this machine calls it.
    host: str = "127.0.0.1"
    port: int = 5055
    # The secret Rasa sends with each call (serving/action_server.py); empty when not configured.
    server_token: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            clinic_db_url=env("CLINIC_DB_URL") or cls.clinic_db_url,
            rasa_url=(env("RASA_URL") or cls.rasa_url).rstrip("/"),
            rasa_api_token=env("RASA_API_TOKEN", cls.rasa_api_token),
            host=env("ACTIONS_HOST") or cls.host,
            port=int(env("ACTIONS_PORT") or cls.port),
            server_token=env("ACTION_SERVER_TOKEN", cls.server_token),
        )
