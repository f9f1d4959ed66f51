"""Labels of the sign-up statuses, the volunteer records and their audit actions (for the ``label`` filter)."""

from flask_babel import lazy_gettext as _l

from charity_site.core.labels import register_labels
from charity_site.volunteers.models import SignupStatus

SIGNUP_STATUS_LABELS = register_labels({
    SignupStatus.SIGNED_UP: _l("Place confirmed"),
    SignupStatus.WAITLISTED: _l("On the waitlist"),
    SignupStatus.CANCELLED: _l("Cancelled"),
    SignupStatus.ATTENDED: _l("Checked in"),
    SignupStatus.ABSENT: _l("Absent"),
})

VOLUNTEER_OBJECT_LABELS = register_labels({
    "opportunity": _l("Volunteer activity"),
    "shift": _l("Shift"),
    "signup": _l("Volunteer sign-up"),
    "volunteer": _l("Volunteer"),
    "service_certificate": _l("Volunteer service certificate"),
})

VOLUNTEER_ACTION_LABELS = register_labels({
    "sign_up": _l("Signed up"),
    "waitlist": _l("Put on the waitlist"),
    "cancel": _l("Cancelled"),
    "promote": _l("Given a place from the waitlist"),
    "check_in": _l("Checked in"),
    "check_out": _l("Checked out"),
    "absent": _l("Marked absent"),
    "confirm_hours": _l("Hours confirmed"),
    "change_hours": _l("Hours changed"),
    "reveal_id": _l("ID number opened"),
    "issue_certificate": _l("Certificate issued"),
    "erase": _l("Personal data erased"),
})
