"""Starts `rasa run` as production runs it, with the HTTP API token taken from RASA_API_TOKEN, so
the token is not on the command line, where any local user could read it (`ps`,
/proc/<pid>/cmdline); a process's environment is readable by its own account only.

Before Rasa starts, it installs the patches of serving/rasa_patches.py (a tracker-store or
database error fails the turn, never the server; a compiled schema for the action server's
replies) and channels/whole_turns.py (a turn is stored whole or not at all), and TensorFlow
runs one thread per operation (docs/decisions.md, "Speed").

    RASA_API_TOKEN=... python -m serving.rasa_server run --model ... --enable-api
"""

from __future__ import annotations

import os
import sys

from channels import whole_turns
from serving import rasa_patches


def rasa_argv(args: list[str], token: str) -> list[str]:
    """Rasa's command line with the token; `--auth-token=` in one word, so a token starting
    with "-" is not read as an option."""
    return ["rasa", *args, *([f"--auth-token={token}"] if token else [])]


# One TensorFlow thread per operation: the server classifies one short message at a time, and
# on 2 cores a second thread only competes with the action server and the web app (+6 to 11 %
# messages per second at 16 concurrent conversations, docs/decisions.md, "Speed"). An
# operator's setting wins.
TF_THREADS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def main() -> None:
    for name, value in TF_THREADS.items():
        os.environ.setdefault(name, value)
    sys.argv = rasa_argv(sys.argv[1:], os.environ.pop("RASA_API_TOKEN", ""))
    rasa_patches.fail_on_tracker_store_errors()
    rasa_patches.keep_running_on_database_errors()
    rasa_patches.validate_action_results_with_a_compiled_schema()
    whole_turns.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
