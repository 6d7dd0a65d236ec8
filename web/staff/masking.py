"""Masking of emails, phone numbers and names: what staff see unless they deliberately reveal.

    mask_email("jane.doe@gmail.com")   -> "j***@g***.com"
    mask_phone("+44 20 7946 0123")     -> "*** *** **23"
    mask_text("mail me at jane@x.org") -> "mail me at j***@x***.org"
    mask_name("Jane Doe")              -> "J*** D***"

`pseudonymise` is the variant for exports that become training or test data: it swaps the
values for fictitious ones of the same shape ("someone@example.com"), so an exported story still
reads as a visitor giving an email address, and nothing personal ends up in the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL_RE = re.compile(r"(?<![\w.+'%-])[\w.+'%-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
# A run of digits with the separators people type in phone numbers; 7 to 15 digits (E.164).
PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{4,}\d(?![\w])")
# Dates and plain number ranges look like phone numbers; they are left alone.
DATE_RE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")

PSEUDO_EMAIL = "someone@example.com"
PSEUDO_PHONE = "+44 20 7946 0000"  # a range reserved for drama, never a real line


def mask_email(email: str) -> str:
    local, _, domain = email.strip().rpartition("@")
    if not local or not domain:
        return "***"
    labels = domain.split(".")
    tld = labels[-1] if len(labels) > 1 else ""
    masked = f"{local[0]}***@{labels[0][:1]}***"
    return f"{masked}.{tld}" if tld else masked


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 7 <= len(digits) <= 15:
        return False
    return not DATE_RE.fullmatch(candidate.strip())


def mask_phone(phone: str) -> str:
    digits = _digits(phone)
    return "*** *** **" + digits[-2:] if len(digits) >= 2 else "***"


def _replace_phones(text: str, replacement) -> str:
    def sub(match: re.Match) -> str:
        found = match.group(0)
        # Trailing separators belong to the sentence, not the number.
        stripped = found.rstrip(" .-/)(")
        tail = found[len(stripped) :]
        if not is_phone(stripped):
            return found
        return replacement(stripped) + tail

    return PHONE_RE.sub(sub, text)


def mask_text(text: str | None) -> str:
    """Masks every email address and phone number in a free text."""
    if not text:
        return text or ""
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
    return _replace_phones(text, mask_phone)


def mask_contact(contact: str | None, kind: str | None = None) -> str:
    """Masks the contact of a consultation request, by its kind when known."""
    if not contact:
        return ""
    if kind == "email" or (kind != "phone" and "@" in contact):
        return mask_email(contact)
    if kind == "phone" or is_phone(contact):
        return mask_phone(contact)
    return mask_text(contact)


def mask_name(name: str | None) -> str:
    """A visitor's name as the console's titles and lists show it until staff reveal it: the
    first letter of each word, like the first letters the email mask keeps ("Jane Doe" ->
    "J*** D***"); an email or phone number typed as a name is masked as one."""
    name = " ".join((name or "").split())
    if not name:
        return ""
    if "@" in name or is_phone(name):
        return mask_contact(name)
    return " ".join(word[0] + "***" for word in name.split())


def mask_names(text: str | None, names: Iterable[str | None]) -> str:
    """The text with each of these known names (the visitor's) masked as `mask_name` does,
    wherever it is written out whole: "Jane Doe, is that right?" -> "J*** D***, is that right?"."""
    if not text:
        return text or ""
    for name in sorted({" ".join((n or "").split()) for n in names}, key=len, reverse=True):
        if len(name) >= 2:
            pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
            text = re.sub(pattern, mask_name(name), text, flags=re.IGNORECASE)
    return text


def mask_value(value):
    """Masks strings anywhere in a JSON-like value (slot values, entities)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def pseudonymise(text: str | None, known: Iterable[str] = ()) -> str:
    """Replaces emails, phone numbers and the given known values (a visitor's name) with
    fictitious ones, for exports that go into training or test data."""
    if not text:
        return text or ""
    for value in sorted(
        {k.strip() for k in known if k and len(k.strip()) >= 3}, key=len, reverse=True
    ):
        if "@" in value:
            replacement = PSEUDO_EMAIL
        elif is_phone(value):
            replacement = PSEUDO_PHONE
        else:
            replacement = "Alex Example"
        text = re.sub(
            r"(?<!\w)" + re.escape(value) + r"(?!\w)", replacement, text, flags=re.IGNORECASE
        )
    text = EMAIL_RE.sub(PSEUDO_EMAIL, text)
    return _replace_phones(text, lambda _: PSEUDO_PHONE)
