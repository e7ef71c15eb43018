"""The park's public events as an Atom feed (RFC 4287): one entry per published or
completed event open to every enterprise of the park (``tickets.public_sessions``: the
same events as the public calendar), newest change first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from xml.etree import ElementTree as ET

from flask_babel import gettext as _

from core.accounts.models import Park
from park.models import Event
from park.tickets import public_sessions

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")  # RFC 3339 for machines, not for people


def public_events(park: Park) -> list[Event]:
    events: dict[int, Event] = {}
    for session in public_sessions(park):
        events.setdefault(session.event_id, session.event)
    return sorted(events.values(), key=lambda e: (e.updated_at, e.id), reverse=True)[
        :MAX_ENTRIES]


def park_atom(park: Park, *, locale: str, now: datetime, self_url: str,
              event_url: Callable[[Event], str], when: Callable[[datetime], str]) -> bytes:
    """The feed in ``locale`` (the caller makes it the current one); ``when`` writes a
    session's time for people (Babel, in the park's zone)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {
        "{http://www.w3.org/XML/1998/namespace}lang": "en" if locale == "en" else "zh-CN"})
    events = public_events(park)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"tag:parkwell,2026:park-{park.id}-events"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _("%(park)s: events",
                                                     park=park.name(locale))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(
        max((e.updated_at for e in events), default=now))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = (
        park.committee_name_zh if locale != "en" else park.committee_name_en) or park.name(locale)
    for event in events:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"tag:parkwell,2026:park-event-{event.id}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = event.title(locale)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(event.updated_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": event_url(event)})
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": event.kind.value,
                                                     "label": event.kind.label})
        lines = [f"{s.title(locale)} · {when(s.starts_at)} · {s.venue.name(locale)}"
                 + (f" ({_('Session cancelled')})" if s.is_cancelled else "")
                 for s in event.sessions]
        summary = "\n".join(filter(None, [event.description(locale), *lines]))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
