"""A forum meeting as an iCalendar event (RFC 5545), made with ``icalendar`` when the invitation
is sent, so a calendar (phone, Outlook, Google) adds it in one tap. Times are kept in UTC and
written so; the calendar shows them in its own zone. An update keeps the UID and raises the
SEQUENCE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

#: Where the forums meet (Central Java: WIB); the one zone pages and emails write times in.
ZONE = ZoneInfo("Asia/Jakarta")


def to_utc(local: dt.datetime) -> dt.datetime:
    """A time as people give it (WIB) as the database keeps it (naive UTC)."""
    return local.replace(tzinfo=ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(stored: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in WIB."""
    return stored.replace(tzinfo=dt.UTC).astimezone(ZONE)


def meeting_ics(event: Mapping[str, Any], stamp: dt.datetime | None = None) -> bytes:
    """The invitation's calendar file from the meeting's stored calendar context."""
    calendar = Calendar()
    calendar.add("prodid", "-//Titik Temu//forum//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    item = Event()
    item.add("uid", str(event["uid"]))
    item.add("sequence", int(event["sequence"]))
    item.add("summary", str(event["title"]))
    item.add("dtstart", dt.datetime.fromisoformat(str(event["starts_at"])).replace(tzinfo=dt.UTC))
    item.add("dtend", dt.datetime.fromisoformat(str(event["ends_at"])).replace(tzinfo=dt.UTC))
    item.add("dtstamp", stamp or dt.datetime.now(dt.UTC))
    if event.get("location"):
        item.add("location", str(event["location"]))
    if event.get("url"):
        item.add("url", str(event["url"]))
    if event.get("organizer"):
        item.add("organizer", "mailto:" + str(event["organizer"]).split("<")[-1].rstrip(">"))
    calendar.add_component(item)
    return bytes(calendar.to_ical())
