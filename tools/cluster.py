"""Runs the several-servers topology on one machine, on loopback: PostgreSQL, Redis, the action
server, two Rasa servers, the web app, and nginx in front (deploy/).

    python -m tools.cluster [--workdir var/cluster] [--model ...]   # what make run-cluster does

    visitor --HTTPS--> nginx :8443 --> web app :8000 --> nginx :5000 (loopback, fails over)
                                        Rasa server A :5005 <--+--> Rasa server B :5006
        sharing PostgreSQL :5432 (tracker store; the clinic database too), Redis :6379 (lock
        store) and the action server :5055

The Rasa servers run deploy/endpoints.postgres-redis.yml itself, its ${VARIABLES} set in their
environment, and nginx runs deploy/nginx.conf: the files an operator deploys. Like tools/stack.py,
a `Cluster` takes what it decides as arguments (the tests: free ports, a temporary folder), its
children get os.environ with those laid over it, and `main()` makes it from the environment.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clinic.db import engine_for
from tools.cluster_parts import (
    install_system_packages,
    nginx_process,
    nginx_site,
    redis_process,
    self_signed_certificate,
)
from tools.postgres import PostgresServer
from tools.processes import LOOPBACK, ROOT, Process, connect_url, free_port, start_together
from tools.stack import DEFAULT_MODEL, QUIET, SECRETS_OF_OTHERS, VENV_BIN
from tools.supervisor import run_until_stopped

ENDPOINTS = ROOT / "deploy" / "endpoints.postgres-redis.yml"
TRACKER_DB, CLINIC_DB = "clinic_tracker", "clinic"


def python_process(
    name: str, args: list[str], env: dict[str, str], health: str, log: Path
) -> Process:
    """One of the assistant's processes: `python -m ...` in the project's virtualenv."""
    return Process(name, [str(VENV_BIN / "python"), "-m", *args], env, health, log)


@dataclass
class Cluster:
    workdir: Path
    model: Path = DEFAULT_MODEL
    https_port: int = 8443
    web_port: int = 8000
    rasa_ports: tuple[int, int] = (5005, 5006)
    rasa_front_port: int = 5000  # nginx's loopback upstream over the two Rasa servers
    actions_port: int = 5055
    postgres_port: int = 5432
    redis_port: int = 6379
    api_token: str = ""  # empty: a new random one (Rasa's HTTP API, for the action server)
    action_token: str = ""  # empty: a new random one (the action server answers Rasa only)
    postgres_password: str = ""  # taken at the first start only (empty: a random one)
    # How long a conversation's lock (a ticket in Redis) outlives a Rasa server that died
    # holding it. A live server renews its tickets while it waits and processes
    # (stores/lock_store.py), so a slow turn keeps its lock however long it takes. Rasa's
    # default, 60 s, would leave a dead server's conversations unanswered for a minute; below
    # the web app's 15 s timeout, the other server takes the conversation over in time to answer
    # the message the dead one was processing.
    lock_lifetime: int = 10
    extra_env: dict[str, str] = field(default_factory=dict)  # laid over every process's env

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir).resolve()
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # PostgreSQL and nginx's workers run as other accounts and must reach their own
            # folders through this one; 0711 lets them pass without listing it.
            os.chmod(self.workdir, 0o711)
        self.api_token = self.api_token or secrets.token_hex(32)
        self.action_token = self.action_token or secrets.token_hex(32)
        self.postgres = PostgresServer(
            self.workdir / "pg", port=self.postgres_port, password=self.postgres_password
        )
        self.tracker_db_url = self.postgres.url(TRACKER_DB)
        self.clinic_db_url = self.postgres.url(CLINIC_DB)
        self.tls = self.workdir / "tls"

        env = {**QUIET, **os.environ, "PYTHONPATH": str(ROOT)}
        env.update(
            {
                "CLINIC_DB_URL": self.clinic_db_url,
                "TRACKER_DB_URL": self.tracker_db_url,
                "RASA_URL": self.rasa_front_url,
                "RASA_API_TOKEN": self.api_token,
            }
        )
        env.update(self.extra_env)
        logs = self.workdir / "logs"
        self.redis = redis_process(self.redis_port, self.workdir)
        actions_env = {**env, "ACTIONS_HOST": LOOPBACK, "ACTIONS_PORT": str(self.actions_port)}
        actions_env["ACTION_SERVER_TOKEN"] = self.action_token
        self.actions = python_process(
            "action server",
            ["serving.action_server"],
            actions_env,
            f"{self.actions_url}/health",
            logs / "actions.log",
        )
        # What deploy/endpoints.postgres-redis.yml reads; Rasa expands the ${...} itself.
        rasa_env = {
            **env,
            "ACTION_SERVER_URL": f"{self.actions_url}/webhook",
            "ACTION_SERVER_TOKEN": self.action_token,
            "POSTGRES_HOST": LOOPBACK,
            "POSTGRES_PORT": str(self.postgres_port),
            "POSTGRES_DB": TRACKER_DB,
            "POSTGRES_USER": self.postgres.user,
            "POSTGRES_PASSWORD": self.postgres.password,
            "REDIS_HOST": LOOPBACK,
            "REDIS_PORT": str(self.redis_port),
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime),
        }
        self.rasa = [
            python_process(
                f"Rasa server {name}",
                ["serving.rasa_server", "run", "--model", str(self.model), "--endpoints"]
                + [str(ENDPOINTS), "--credentials", str(ROOT / "credentials.yml")]
                + ["--interface", LOOPBACK, "--port", str(port), "--enable-api"],
                rasa_env,
                f"http://{LOOPBACK}:{port}/",
                logs / f"rasa-{name.lower()}.log",
            )
            for name, port in zip("AB", self.rasa_ports, strict=True)
        ]
        web_env = {k: v for k, v in env.items() if k not in SECRETS_OF_OTHERS}
        web_env.update(
            {
                "WEB_HOST": LOOPBACK,
                "WEB_PORT": str(self.web_port),
                "WEB_SECRET_FILE": str(self.workdir / "web-secret-key"),
                "COOKIE_SECURE": "1",  # served over HTTPS by nginx
                # nginx, on loopback, is the proxy whose X-Real-IP the web app believes
                "TRUSTED_PROXIES": LOOPBACK,
            }
        )
        web_env.update(self.extra_env)
        health = f"{self.web_url}/healthz"
        self.web = python_process("web app", ["web.app"], web_env, health, logs / "web.log")
        site = nginx_site(
            self.https_port, self.web_port, self.rasa_ports, self.rasa_front_port, self.tls
        )
        self.nginx = nginx_process(self.workdir / "nginx", site, self.https_port, self.cafile)

    @classmethod
    def on_free_ports(cls, workdir: Path, **settings: object) -> Cluster:
        """A cluster that collides with nothing else on the machine (the tests')."""
        names = ["https", "web", "rasa_front", "actions", "postgres", "redis"]
        ports: dict[str, object] = {f"{name}_port": free_port() for name in names}
        ports["rasa_ports"] = (free_port(), free_port())
        return cls(workdir, **{**ports, **settings})  # type: ignore[arg-type]

    @classmethod
    def from_environment(
        cls, workdir: Path, model: Path = DEFAULT_MODEL, environ: Mapping[str, str] = os.environ
    ) -> Cluster:
        def port(name: str, default: int) -> int:
            return int(environ.get(name) or default)

        rasa_ports = [int(p) for p in (environ.get("RASA_PORTS") or "5005,5006").split(",")]
        if len(rasa_ports) != 2:
            raise ValueError("RASA_PORTS must name two ports, e.g. 5005,5006")
        return cls(
            workdir,
            model=model,
            https_port=port("HTTPS_PORT", 8443),
            web_port=port("WEB_PORT", 8000),
            rasa_ports=(rasa_ports[0], rasa_ports[1]),
            rasa_front_port=port("RASA_FRONT_PORT", 5000),
            actions_port=port("ACTIONS_PORT", 5055),
            postgres_port=port("POSTGRES_PORT", 5432),
            redis_port=port("REDIS_PORT", 6379),
            api_token=environ.get("RASA_API_TOKEN", ""),
            action_token=environ.get("ACTION_SERVER_TOKEN", ""),
            postgres_password=environ.get("POSTGRES_PASSWORD", ""),
            lock_lifetime=port("TICKET_LOCK_LIFETIME", 10),
        )

    @property
    def base_url(self) -> str:
        """Where visitors reach the site: nginx over HTTPS (certificate: `cafile`)."""
        return f"https://localhost:{self.https_port}"

    @property
    def cafile(self) -> Path:
        return self.tls / "cert.pem"

    @property
    def rasa_front_url(self) -> str:
        return f"http://{LOOPBACK}:{self.rasa_front_port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://{LOOPBACK}:{port}" for port in self.rasa_ports]

    @property
    def actions_url(self) -> str:
        return connect_url(LOOPBACK, self.actions_port)

    @property
    def web_url(self) -> str:
        return connect_url(LOOPBACK, self.web_port)

    @property
    def processes(self) -> list[Process]:
        """In start order; each depends only on those before it."""
        return [self.redis, self.actions, *self.rasa, self.web, self.nginx]

    def start(self, progress: bool = False) -> Cluster:
        if not self.model.exists():
            raise FileNotFoundError(f"No trained model at {self.model}: run `make train`.")
        if progress:
            print(f"==> Starting PostgreSQL (log: {self.postgres.logfile})", flush=True)
        try:
            self.postgres.start()
            for db in (TRACKER_DB, CLINIC_DB):
                self.postgres.create_database(db)
            # The clinic tables exist before anything serves, as after a migration in
            # production. clinic/db.py creates them on a process's first use, and simultaneous
            # first uses on an empty PostgreSQL database collide (two CREATE TABLEs at once).
            engine_for(self.clinic_db_url).dispose()
            self_signed_certificate(self.tls)
            self._start(self.processes, progress)
        except BaseException:
            self.stop()
            raise
        return self

    def revive(self) -> None:
        """Starts again whatever is not running (after a test stopped or killed it)."""
        if not self.postgres.running():
            self.postgres.start()
        self._start([p for p in self.processes if not p.running()], progress=False)

    def _start(self, processes: list[Process], progress: bool) -> None:
        start_together(processes, lambda p: 300 if p in self.rasa else 60, progress)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.postgres.stop()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def where(self) -> str:
        rasa = ", ".join(self.rasa_urls)
        return (
            f"  clinic site with the chat widget  {self.base_url}/   (nginx, HTTPS)\n"
            f"  staff console                     {self.base_url}/staff/\n"
            f"  certificate to trust (self-signed) {self.cafile}\n"
            f"  web app (behind nginx)            {self.web_url}\n"
            f"  Rasa upstream (nginx, loopback)   {self.rasa_front_url}/webhooks/rest/webhook\n"
            f"  Rasa servers                      {rasa}\n"
            f"  action server                     {self.actions_url}\n"
            f"  PostgreSQL                        postgresql://{self.postgres.user}@{LOOPBACK}:"
            f"{self.postgres_port}/{TRACKER_DB} and /{CLINIC_DB} "
            f"(password in {self.postgres.password_file})\n"
            f"  Redis (lock store)                redis://{LOOPBACK}:{self.redis_port}/1\n"
            f"Logs in {self.workdir / 'logs'} and {self.postgres.logfile}."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the several-servers cluster on loopback.")
    parser.add_argument("--workdir", default=os.environ.get("CLUSTER_DIR") or "var/cluster")
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    args = parser.parse_args(argv)
    try:
        install_system_packages()
        cluster = Cluster.from_environment(ROOT / args.workdir, model=Path(args.model))
    except (RuntimeError, FileNotFoundError, ValueError) as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    return run_until_stopped(cluster, "The cluster")


if __name__ == "__main__":
    sys.exit(main())
