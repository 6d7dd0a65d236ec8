"""Where the runner's children get their settings (tools/stack.py), without starting them.

`make run` honours what the operator set and fills in the rest; a Stack made with explicit
values (as the tests make them) ignores the environment, so it never touches var/ or an
operator's database. Rasa's endpoints file is written from the ports and databases chosen.
"""

from pathlib import Path

import yaml

from tools.stack import Stack

OPERATOR = {
    "CLINIC_DB_URL": "postgresql://clinic:secret@db.example:5433/clinic",
    "TRACKER_DB_URL": "postgresql://rasa:p%40ss@db.example:5433/tracker",
    "RASA_URL": "http://rasa.internal:5005",
    "ACTIONS_PORT": "6055",
    "WEB_HOST": "0.0.0.0",
}


def endpoints(stack: Stack) -> dict:
    return yaml.safe_load(Path(stack.endpoints).read_text())


def test_make_run_keeps_what_the_operator_set(tmp_path):
    stack = Stack.from_environment(tmp_path, environ=OPERATOR)
    env = stack.web.env
    for name in ("CLINIC_DB_URL", "TRACKER_DB_URL", "RASA_URL", "WEB_HOST"):
        assert env[name] == OPERATOR[name]
    assert stack.actions.env["CLINIC_DB_URL"] == OPERATOR["CLINIC_DB_URL"]
    assert endpoints(stack)["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"
    assert endpoints(stack)["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.example",
        "port": 5433,
        "db": "tracker",
        "username": "rasa",
        "password": "p@ss",
    }
    assert stack.rasa_url == "http://127.0.0.1:5005"  # the Rasa server it starts and checks


def test_make_run_fills_in_only_what_is_unset(tmp_path):
    stack = Stack.from_environment(tmp_path, environ={})
    env = stack.web.env
    assert env["CLINIC_DB_URL"] == f"sqlite:///{tmp_path.resolve() / 'clinic.db'}"
    assert env["TRACKER_DB_URL"] == f"sqlite:///{tmp_path.resolve() / 'tracker.db'}"
    assert env["RASA_URL"] == "http://127.0.0.1:5005"
    assert env["WEB_HOST"] == "127.0.0.1" and env["WEB_PORT"] == "8000"
    assert endpoints(stack) == {
        "action_endpoint": {
            "url": "http://127.0.0.1:5055/webhook",
            "headers": {"X-Action-Server-Token": stack.action_token},
        },
        "tracker_store": {
            "type": "SQL",
            "dialect": "sqlite",
            "db": str(tmp_path.resolve() / "tracker.db"),
        },
    }


def test_the_action_server_listens_on_loopback_unless_actions_host_says_otherwise(tmp_path):
    assert Stack(tmp_path / "a").actions.env["ACTIONS_HOST"] == "127.0.0.1"
    wide = Stack.from_environment(tmp_path / "b", environ={"ACTIONS_HOST": "0.0.0.0"})
    assert wide.actions.env["ACTIONS_HOST"] == "0.0.0.0"
    assert wide.actions.health_url == "http://127.0.0.1:5055/health"


def test_a_test_stack_ignores_the_operators_settings(tmp_path, monkeypatch):
    for name, value in OPERATOR.items():
        monkeypatch.setenv(name, value)
    stack = Stack(tmp_path, rasa_port=1, actions_port=2, web_port=3)
    for process in stack.processes:
        assert process.env["CLINIC_DB_URL"] == f"sqlite:///{tmp_path.resolve() / 'clinic.db'}"
        assert process.env["TRACKER_DB_URL"] == f"sqlite:///{tmp_path.resolve() / 'tracker.db'}"
        assert process.env["RASA_URL"] == "http://127.0.0.1:1"
        assert process.env["WEB_HOST"] == "127.0.0.1"
    assert endpoints(stack)["action_endpoint"]["url"] == "http://127.0.0.1:2/webhook"
    assert stack.clinic_db == tmp_path.resolve() / "clinic.db"


def test_only_the_action_server_gets_the_rasa_api_token(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", "operators-token")
    stack = Stack(tmp_path)
    assert stack.actions.env["RASA_API_TOKEN"] == "operators-token"
    assert "RASA_API_TOKEN" not in stack.web.env
    assert stack.rasa.env["RASA_API_TOKEN"] == "operators-token"
    assert not any("operators-token" in arg for arg in stack.rasa.argv)  # not in `ps`


def test_a_sqlite_tracker_store_elsewhere_is_the_one_rasa_writes(tmp_path):
    other = tmp_path / "elsewhere" / "conversations.db"
    stack = Stack.from_environment(
        tmp_path / "work", environ={"TRACKER_DB_URL": f"sqlite:///{other}"}
    )
    assert endpoints(stack)["tracker_store"] == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": str(other),
    }
    assert stack.web.env["TRACKER_DB_URL"] == f"sqlite:///{other}"


def test_the_action_server_reads_what_the_runner_gives_it(tmp_path, monkeypatch):
    from actions.settings import Settings

    names = ("CLINIC_DB_URL", "RASA_URL", "RASA_API_TOKEN", "ACTIONS_HOST", "ACTIONS_PORT")
    for name in (*names, "ACTION_SERVER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert Settings.from_env() == Settings()
    assert Settings().clinic_db_url == "sqlite:///var/clinic.db"
    stack = Stack(tmp_path, rasa_port=1, actions_port=2, web_port=3, api_token="t")
    for name in names:
        monkeypatch.setenv(name, stack.actions.env[name])
    settings = Settings.from_env()
    assert settings.clinic_db_url == stack.clinic_db_url
    assert (settings.rasa_url, settings.rasa_api_token) == ("http://127.0.0.1:1", "t")
    assert (settings.host, settings.port) == ("127.0.0.1", 2)
