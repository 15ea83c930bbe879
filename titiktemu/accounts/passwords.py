"""The password policy: long enough, not too long, not one that attackers try first.

Length and a list of known passwords, no rules about digits or symbols (NIST SP 800-63B): rules
make people write ``Klaten123!`` on a sticky note, a refused list stops what is actually guessed.
A pure function, so every form (invitation, reset, registration, change) asks the same question.
"""

from __future__ import annotations

import enum
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 64
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
SITE_NAMES = frozenset({"titiktemu", "titik temu", "titik-temu", "titik_temu"})


class PasswordProblem(enum.StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    LIKE_EMAIL = "like_email"
    SITE_NAME = "site_name"


@cache
def common_passwords() -> frozenset[str]:
    """The refused list, lowercased, read once per process."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _core(password: str) -> str:
    """The password without trailing digits and punctuation: ``titiktemu2025!`` is ``titiktemu``."""
    return password.lower().rstrip("0123456789!@#$%^&*()-_=+.,;:?~ ")


def password_problem(password: str, email: str = "") -> PasswordProblem | None:
    """What is wrong with ``password`` for the person with ``email``, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return PasswordProblem.TOO_LONG
    lowered, core = password.lower(), _core(password)
    if lowered in SITE_NAMES or core in SITE_NAMES:
        return PasswordProblem.SITE_NAME
    address = email.strip().lower()
    local_part = address.split("@", 1)[0]
    if local_part and (lowered in (local_part, address) or core == local_part):
        return PasswordProblem.LIKE_EMAIL
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return PasswordProblem.COMMON
    return None
