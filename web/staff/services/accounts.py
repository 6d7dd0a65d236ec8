"""Signing in and out, and the session behind every request (auth.py holds the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from web.staff import auth, clinic_queries
from web.staff.services.base import Service, blocking


@dataclass(frozen=True)
class SignIn:
    """How a sign-in went: a new session's token, or refused by a limit of failed sign-ins
    (named for the audit log only), or neither (a wrong username or password)."""

    token: str | None = None
    refused_by: str | None = None


class Accounts(Service):
    @blocking
    def session(self, token: str | None) -> auth.StaffSession | None:
        return auth.load_session(self.clinic, token)

    @blocking
    def sign_in(self, username: str, password: str) -> SignIn:
        engine, ip = self.clinic, self.ip
        # Counted as a failure before the password is checked, so that guesses sent at the
        # same moment are counted one after another; a right password clears the count below.
        refused_by = auth.record_attempt(engine, username, ip)
        if refused_by is not None:
            detail = {"limit": refused_by}
            clinic_queries.audit(engine, username or "(empty)", "login_blocked", None, detail, ip)
            return SignIn(refused_by=refused_by)
        if not username or not auth.authenticate(engine, username, password):
            clinic_queries.audit(engine, username or "(empty)", "login_failed", ip=ip)
            return SignIn()
        auth.clear_failures(engine, username, ip)
        token = auth.create_session(engine, username, ip)
        clinic_queries.audit(engine, username, "login", ip=ip)
        return SignIn(token=token)

    @blocking
    def sign_out(self, token: str) -> None:
        auth.delete_session(self.clinic, token)
        clinic_queries.audit(self.clinic, self.who, "logout", ip=self.ip)
