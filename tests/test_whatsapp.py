"""WhatsApp click-to-chat links: the numbers facilitators type, read as one mobile number."""

from __future__ import annotations

import pytest

from titiktemu.accounts.whatsapp import whatsapp_link, whatsapp_number


@pytest.mark.parametrize(
    "typed",
    [
        "0812 3456 7890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "62812 34567890",
        "812 3456 7890",
        "(+62) 812.3456.7890",
    ],
)
def test_the_ways_people_write_one_mobile_number(typed: str) -> None:
    assert whatsapp_number(typed) == "6281234567890"
    assert whatsapp_link(typed) == "https://wa.me/6281234567890"


@pytest.mark.parametrize(
    "typed", ["", None, "(0272) 321 456", "0272-321456", "+1 415 555 0100", "0812", "08123"]
)
def test_no_link_for_landlines_foreign_or_too_short_numbers(typed: str | None) -> None:
    """A landline (Klaten's area code 0272) has no WhatsApp: it keeps its tel: link alone."""
    assert whatsapp_link(typed) is None
