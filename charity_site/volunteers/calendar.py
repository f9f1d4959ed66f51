"""A sign-up as an .ics file, for the phone's calendar (icalendar library)."""

from __future__ import annotations

from icalendar import Calendar, Event

from charity_site.core.models import utcnow


def shift_ics(signup) -> bytes:
    from charity_site.volunteers.signups import absolute_url

    shift = signup.shift
    opportunity = shift.opportunity
    calendar = Calendar()
    calendar.add("prodid", "-//charity-site//volunteers//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"signup-{signup.id}-{shift.id}@charity-site")
    event.add("dtstamp", utcnow())
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", f"志愿服务：{opportunity.title}")
    event.add("location", opportunity.location)
    description = [shift.task]
    if opportunity.organiser_contact:
        description.append(f"联系：{opportunity.organiser_contact}")
    description.append(absolute_url("volunteers.signup_detail", code=signup.code))
    event.add("description", "\n".join(description))
    calendar.add_component(event)
    return calendar.to_ical()
