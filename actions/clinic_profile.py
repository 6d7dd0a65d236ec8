"""The clinic's own contact facts, which the article does not state: name, phone, email, hours,
address and how soon the team replies.

They come from `clinic.yml` (or the file CLINIC_PROFILE names) and CLINIC_* environment
variables, which win. Empty by default: the assistant then keeps its honest "the article doesn't
say" answers, and never invents a number. See clinic.example.yml.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from understanding.answers import Answer

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "clinic.yml"
MAX_CHARS = 200  # a profile value is a phone number or a line of hours, not a text


@dataclass(frozen=True)
class ClinicProfile:
    name: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    address: str = ""
    reply_time: str = ""

    @property
    def contact(self) -> str:
        """Every way to reach the clinic, as one phrase ("613-555-0100, info@x.ca or ...")."""
        ways = [w for w in (self.phone, self.email, self.address) if w]
        return ", ".join(ways[:-1]) + (" or " if len(ways) > 1 else "") + ways[-1] if ways else ""

    def kwargs(self) -> dict[str, str]:
        return {
            "clinic_name": self.name or "the clinic",
            "clinic_phone": self.phone,
            "clinic_hours": self.hours,
            "clinic_contact": self.contact,
            "clinic_reply_time": self.reply_time,
        }


# The file read last, by its path: (its modification time and size, its values). Every answer
# asks for the profile; the file is read again only when it changed.
_READ: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def _from_file(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        if path in _READ and _READ[path][0] == version:
            return _READ[path][1]
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        # A broken profile must not break the answers: they fall back to the article's.
        logger.error("Ignoring the clinic profile %s: %s", path, type(error).__name__)
        return {}
    values = raw if isinstance(raw, dict) else {}
    _READ[path] = (version, values)
    return values


def load_profile() -> ClinicProfile:
    """The profile as configured now (an edit of the file needs no restart)."""
    path = Path(os.environ.get("CLINIC_PROFILE") or DEFAULT_FILE)
    values = _from_file(path)
    chosen = {}
    for field in fields(ClinicProfile):
        value = os.environ.get(f"CLINIC_{field.name.upper()}") or values.get(field.name) or ""
        chosen[field.name] = " ".join(str(value).split())[:MAX_CHARS]
    return ClinicProfile(**chosen)


# The article's honest answer, and the one that replaces it when the clinic has the fact.
_INSTEAD = {
    "utter_opening_hours": ("utter_opening_hours_profile", "hours"),
    "utter_contact_details": ("utter_contact_details_profile", "contact"),
}


def with_profile(answers: list[Answer], profile: ClinicProfile) -> list[Answer]:
    """The answers, with the clinic's own facts where it has them: its hours and contact
    instead of "the article doesn't say", and its phone after a warning sign."""
    kwargs = profile.kwargs()
    result = []
    for answer in answers:
        instead = _INSTEAD.get(answer.response)
        if instead and getattr(profile, instead[1]):
            result.append(Answer(instead[0], {**answer.kwargs, **kwargs}))
            continue
        result.append(answer)
        if answer.response == "utter_warning_signs" and profile.phone:
            result.append(Answer("utter_call_clinic", kwargs))
    return result
