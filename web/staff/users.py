"""Staff accounts for the console.

    python -m web.staff.users add NAME       # password asked twice (or STAFF_PASSWORD)
    python -m web.staff.users passwd NAME    # set a new password, signs the user out
    python -m web.staff.users remove NAME    # deletes the account and its sessions
    python -m web.staff.users list

The accounts live in the clinic database (CLINIC_DB_URL, default sqlite:///var/clinic.db).
Passwords have at least 12 characters and are stored as argon2id hashes.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import sqlalchemy as sa

from clinic.db import as_utc, engine_for, utcnow
from clinic.schema import staff_sessions, staff_users
from web.settings import Settings
from web.staff.auth import MIN_PASSWORD_LENGTH, PasswordPolicyError, check_username, hash_password
from web.staff.clinic_queries import audit


def _read_password(confirm: bool = True) -> str:
    env = os.environ.get("STAFF_PASSWORD")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise SystemExit("No terminal to read the password from: set STAFF_PASSWORD.")
    password = getpass.getpass(f"Password (at least {MIN_PASSWORD_LENGTH} characters): ")
    if confirm and getpass.getpass("Same password again: ") != password:
        raise SystemExit("The passwords differ; nothing changed.")
    return password


def add(engine: sa.engine.Engine, username: str, password: str) -> None:
    check_username(username)
    password_hash = hash_password(password)
    with engine.begin() as conn:
        exists = conn.execute(
            sa.select(staff_users.c.id).where(staff_users.c.username == username)
        ).first()
        if exists:
            raise ValueError(f"A staff account named {username!r} exists already.")
        conn.execute(
            staff_users.insert().values(
                username=username, password_hash=password_hash, created_at=utcnow()
            )
        )
        audit(conn, "(command line)", "add_user", username)


def set_password(engine: sa.engine.Engine, username: str, password: str) -> None:
    password_hash = hash_password(password)
    with engine.begin() as conn:
        result = conn.execute(
            staff_users.update()
            .where(staff_users.c.username == username)
            .values(password_hash=password_hash)
        )
        if result.rowcount == 0:
            raise ValueError(f"No staff account named {username!r}.")
        conn.execute(staff_sessions.delete().where(staff_sessions.c.username == username))
        audit(conn, "(command line)", "change_password", username)


def remove(engine: sa.engine.Engine, username: str) -> None:
    with engine.begin() as conn:
        result = conn.execute(staff_users.delete().where(staff_users.c.username == username))
        if result.rowcount == 0:
            raise ValueError(f"No staff account named {username!r}.")
        conn.execute(staff_sessions.delete().where(staff_sessions.c.username == username))
        audit(conn, "(command line)", "remove_user", username)


def list_users(engine: sa.engine.Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                staff_users.c.username, staff_users.c.created_at, staff_users.c.last_login_at
            ).order_by(staff_users.c.username)
        ).mappings()
        return [dict(r) for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m web.staff.users", description="Manage staff console accounts."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("add", "create an account"),
        ("passwd", "set a new password"),
        ("remove", "delete an account"),
    ):
        commands.add_parser(name, help=text).add_argument("name")
    commands.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)
    engine = engine_for(Settings.from_env(secret=False).clinic_db_url)
    try:
        if args.command == "add":
            check_username(args.name)
            add(engine, args.name, _read_password())
            print(f"Created staff account {args.name!r}.")
        elif args.command == "passwd":
            set_password(engine, args.name, _read_password())
            print(f"Changed the password of {args.name!r}; their sessions were ended.")
        elif args.command == "remove":
            remove(engine, args.name)
            print(f"Removed staff account {args.name!r} and its sessions.")
        else:
            users = list_users(engine)
            if not users:
                print(
                    "No staff accounts yet: create one with `python -m web.staff.users add NAME`."
                )
            for user in users:
                last = user["last_login_at"] and as_utc(user["last_login_at"])
                created = as_utc(user["created_at"])
                print(
                    f"{user['username']:<24} created {created:%Y-%m-%d %H:%M} UTC  last login "
                    + (f"{last:%Y-%m-%d %H:%M} UTC" if last else "never")
                )
    except (ValueError, PasswordPolicyError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
