"""Starts `rasa run` with the HTTP API token taken from RASA_API_TOKEN, so the token is not on
the command line, where any local user could read it (`ps`, /proc/<pid>/cmdline); a process's
environment is readable by its own account only.

    RASA_API_TOKEN=... python -m tools.rasa_server run --model ... --enable-api
"""

from __future__ import annotations

import os
import sys


def rasa_argv(args: list[str], token: str) -> list[str]:
    """Rasa's command line with the token; `--auth-token=` in one word, so a token starting
    with "-" is not read as an option."""
    return ["rasa", *args, *([f"--auth-token={token}"] if token else [])]


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], os.environ.pop("RASA_API_TOKEN", ""))
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
