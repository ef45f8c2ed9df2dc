"""An event as an iCalendar file, so a worker can put it in their phone's calendar."""
from datetime import datetime

from icalendar import Calendar, Event

from services.models import ServiceEvent


def event_ics(event: ServiceEvent, url: str, *, now: datetime) -> bytes:
    """One VEVENT with UTC times, a stable UID, the place and a link back."""
    calendar = Calendar()
    calendar.add("prodid", "-//Yizhan//services//ZH")
    calendar.add("version", "2.0")
    entry = Event()
    entry.add("uid", f"service-event-{event.id}@yizhan")
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("description", f"{event.description}\n{url}".strip())
    entry.add("location", event.place_name)
    entry.add("url", url)
    if event.position:
        entry.add("geo", event.position)
    entry.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
