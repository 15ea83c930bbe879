"""A WhatsApp click-to-chat link from the phone number a person typed on their profile.

Facilitators talk on WhatsApp; the link (``https://wa.me/62812…``) opens a chat without saving the
number first. Only an Indonesian mobile number gets one: ``0812 3456 7890``, ``+62 812-3456-7890``,
``62812…`` and ``812…`` are the same number; a landline (``(0272) 321 456``: Klaten's area code)
has no WhatsApp, so it keeps its ``tel:`` link alone. The page, the introduction email and the
follow-ups all ask here.
"""

from __future__ import annotations

import re
from typing import Final

_NOT_DIGIT: Final = re.compile(r"\D")
#: 62 8xx: country code, then a mobile number of 9 to 12 digits after the 8.
_MOBILE: Final = re.compile(r"628\d{7,11}")


def whatsapp_number(phone: str | None) -> str | None:
    """The number as wa.me wants it (``62812…``), or None when it is no Indonesian mobile."""
    if not phone:
        return None
    digits = _NOT_DIGIT.sub("", phone)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if _MOBILE.fullmatch(digits) else None


def whatsapp_link(phone: str | None) -> str | None:
    """``https://wa.me/62812…`` for a mobile number, else None."""
    number = whatsapp_number(phone)
    return None if number is None else f"https://wa.me/{number}"
