"""Staff accounts, sessions, CSRF tokens and login rate limiting.

- Passwords: argon2id (argon2-cffi defaults), rehashed on login when the parameters change.
- Sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure when
  settings.cookie_secure), its SHA-256 in staff_sessions with an idle and an absolute expiry;
  logout deletes the row.
- CSRF: a random token per session, in a hidden field of every form, compared on every POST.
  The login form, which has no session yet, uses a pre-login cookie and an HMAC of it.
- Rate limit: failed logins within FAILURE_WINDOW are counted three ways, and an attempt past
  any limit gets 429: per username from one address (a typing staff member), per username over
  all addresses (one account guessed from many addresses, or from forged ones), and per address
  over all usernames (one password tried on account after account). Usernames that exist and
  that do not are counted alike, so a block says nothing about the account. Each attempt is
  recorded and counted in one step (record_attempt), so simultaneous guesses cannot all pass the
  check before any of them is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clinic.db import as_utc, utcnow
from clinic.schema import login_failures, staff_sessions, staff_users

SESSION_COOKIE = "staff_session"
PRELOGIN_COOKIE = "staff_prelogin"
COOKIE_PATH = "/staff"
SESSION_IDLE = timedelta(minutes=60)
SESSION_MAX = timedelta(hours=10)
FAILURE_WINDOW = timedelta(minutes=15)
# Failed logins allowed within FAILURE_WINDOW. A staff member mistyping at their own desk is
# stopped by the first; the other two are higher so that the clinic's colleagues behind one
# office address, or one colleague stopped elsewhere, do not lock each other out at once. An
# attacker who may lock an account out this way can do no more: ten guesses every 15 minutes.
MAX_FAILURES = 5  # one username from one address
MAX_ACCOUNT_FAILURES = 10  # one username, from every address together
MAX_ADDRESS_FAILURES = 10  # one address, over every username together
MIN_PASSWORD_LENGTH = 12
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_hasher = PasswordHasher()
# Verified against when the username does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PasswordPolicyError(ValueError):
    pass


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username or ""):
        raise ValueError(
            "A username is 1-64 letters, digits or . _ @ - (starting with a letter or digit)."
        )
    return username


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
        )
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(engine: sa.engine.Engine, username: str, password: str) -> bool:
    """True when the password is right; rehashes it when argon2's parameters have changed."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(staff_users.c.id, staff_users.c.password_hash).where(
                staff_users.c.username == username
            )
        ).first()
    stored = row.password_hash if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if row is None:
        return False
    values: dict[str, object] = {"last_login_at": utcnow()}
    if _hasher.check_needs_rehash(stored):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(staff_users.update().where(staff_users.c.id == row.id).values(**values))
    return True


# --- rate limiting -------------------------------------------------------------------------

# Serialises record_attempt between the threads of this process; between processes (several
# workers) the database does: SQLite takes its write lock at the first DELETE of the
# transaction, PostgreSQL an advisory lock. The lock is one for every login, since the counts
# span usernames and addresses; each attempt holds it for a few quick queries, never for the
# password check.
_attempt_lock = threading.Lock()
_ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"staff-login").digest()[:8], "big", signed=True)


def _failures(conn: sa.engine.Connection, *where: sa.sql.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.count()).select_from(login_failures).where(*where)
    return int(conn.execute(query).scalar_one())


def record_attempt(engine: sa.engine.Engine, username: str, ip: str) -> str | None:
    """Records a login attempt as failed until it succeeds (clear_failures), counting it with
    the recent failures, as one step, and returns None: the attempt may go on. Past a limit it
    records nothing and names the limit ("username_address", "username" or "address"), for
    the audit log only: the person at the login form is told the same whichever it was."""
    username, ip = username[:64], ip[:64]
    now = utcnow()
    failures = login_failures.c
    with _attempt_lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_KEY)))
        conn.execute(login_failures.delete().where(failures.at < now - FAILURE_WINDOW))
        limits = (
            ("username_address", MAX_FAILURES, (failures.username == username, failures.ip == ip)),
            ("username", MAX_ACCOUNT_FAILURES, (failures.username == username,)),
            ("address", MAX_ADDRESS_FAILURES, (failures.ip == ip,)),
        )
        for name, limit, where in limits:
            if _failures(conn, *where) >= limit:
                return name
        conn.execute(login_failures.insert().values(username=username, ip=ip, at=now))
    return None


def clear_failures(engine: sa.engine.Engine, username: str, ip: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            login_failures.delete().where(
                login_failures.c.username == username[:64], login_failures.c.ip == ip[:64]
            )
        )


# --- sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSession:
    id: int
    username: str
    csrf_token: str


def create_session(engine: sa.engine.Engine, username: str, ip: str = "") -> str:
    """Stores a new session and returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(staff_sessions.delete().where(staff_sessions.c.expires_at < now))
        conn.execute(
            staff_sessions.insert().values(
                token_hash=token_hash(token),
                username=username,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_MAX,
                ip=ip[:64] or None,
            )
        )
    return token


def load_session(engine: sa.engine.Engine, token: str | None) -> StaffSession | None:
    """The live session for a cookie token, or None; touches last_seen_at (idle expiry)."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    with engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(staff_sessions, staff_users.c.id.label("user_id"))
                .join(staff_users, staff_users.c.username == staff_sessions.c.username)
                .where(staff_sessions.c.token_hash == token_hash(token))
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    expires_at: datetime = as_utc(row["expires_at"])
    last_seen_at: datetime = as_utc(row["last_seen_at"])
    if expires_at <= now or last_seen_at + SESSION_IDLE <= now:
        delete_session(engine, token)
        return None
    if now - last_seen_at > timedelta(seconds=30):
        with engine.begin() as conn:
            conn.execute(
                staff_sessions.update()
                .where(staff_sessions.c.id == row["id"])
                .values(last_seen_at=now)
            )
    return StaffSession(id=row["id"], username=row["username"], csrf_token=row["csrf_token"])


def delete_session(engine: sa.engine.Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            staff_sessions.delete().where(staff_sessions.c.token_hash == token_hash(token))
        )


# --- CSRF ----------------------------------------------------------------------------------


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def prelogin_csrf(secret_key: str, prelogin_token: str) -> str:
    """The login form's CSRF token: bound to the pre-login cookie by the app's secret."""
    return hmac.new(
        secret_key.encode(), b"staff-login:" + prelogin_token.encode(), hashlib.sha256
    ).hexdigest()
