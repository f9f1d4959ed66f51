"""Walking the URL map in tests: a URL for every rule, what each route reads, and values its forms accept.

Shared by the escaping test (HTML stored everywhere, every page rendered) and the hostile-input test
(hostile values in every parameter of every route). Nothing here is a list of routes or fields: rules
come from the URL map, the query parameters and form fields of a route are recorded while it answers
a request, and the values a form accepts are derived from its fields (their types, choices and the
values the page itself filled in). The only hand-written table is where path arguments come from.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from factories import DEFAULT_TEST_PASSWORD, login, make_user
from flask import request
from flask_wtf.file import FileField as FlaskFileField
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FileField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectFieldBase,
    SelectMultipleField,
    StringField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import Length, NumberRange

from charity_site.extensions import db
from charity_site.feeds.queries import SITEMAP_SECTIONS
from charity_site.models import (
    Attachment,
    Disclosure,
    DisclosureRevision,
    Fund,
    LedgerBatch,
    LedgerEntry,
    NewsPost,
    Page,
    Pledge,
    PledgeStatus,
    Project,
    ProjectUpdate,
    PublishedElsewhere,
    StaffUser,
)
from charity_site.open_data.datasets import DATASETS
from charity_site.open_data.writers import FORMATS
from charity_site.volunteers.models import Opportunity, ServiceCertificate, Shift, Signup, Volunteer
from charity_site.web.fields import YuanField
from charity_site.web.templating import FONT_SIZES

ROLES = ("admin", "editor", "finance", "coordinator")
METHODS = ("GET", "POST")
# The optimistic-lock version a page puts in its form: left empty, so that each request is judged on its own
# and not refused as an edit of an older version once an earlier request has saved.
VERSION_FIELD = "version"
SIGN_OUT = "admin_auth.logout"
SAMPLE_DATE = "2024-10-01"

# Where path arguments come from: (blueprint or endpoint, argument) → a query for the ids or slugs to use.
# Public pages get public items only; staff pages any item.
PUBLIC_SLUGS = {"pages": Page, "news": NewsPost, "projects": Project, "funds": Fund, "volunteers": Opportunity}


def rules(app, *, include_static: bool = False):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if include_static or rule.endpoint != "static"),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def methods_of(rule) -> list[str]:
    return [method for method in METHODS if method in rule.methods]


def is_guarded(app, rule) -> bool:
    """Whether the rule belongs to a staff blueprint, which lets in only signed-in staff with a role."""
    blueprint = app.blueprints.get(rule.endpoint.split(".")[0])
    return getattr(blueprint, "required_roles", None) is not None


# --- path arguments ---------------------------------------------------------------------------------

class Samples:
    """Values for path arguments, looked up by endpoint, then blueprint, then argument name."""

    def __init__(self):
        self.by_key: dict = {}

    def set(self, key, values: Iterable) -> Samples:
        self.by_key[key] = list(values)
        return self

    def values(self, rule, argument: str) -> list:
        blueprint = rule.endpoint.split(".")[0]
        for key in ((rule.endpoint, argument), (blueprint, argument), argument):
            if key in self.by_key:
                return self.by_key[key]
        raise AssertionError(f"no sample value for <{argument}> of {rule.rule}: add one in route_walk.py")

    def combinations(self, rule, limit: int = 60) -> list[dict]:
        """Every combination of sample values for the rule's arguments (at most ``limit``)."""
        names = sorted(rule.arguments)
        pools = [self.values(rule, name) for name in names]
        return [dict(zip(names, chosen, strict=False)) for chosen in itertools.islice(itertools.product(*pools), limit)]

    def first(self, rule) -> dict:
        values = {name: self.values(rule, name) for name in rule.arguments}
        empty = [name for name, found in values.items() if not found]
        assert not empty, f"no sample value for {empty} of {rule.rule}: the database holds no such item"
        return {name: found[0] for name, found in values.items()}


def _ids(query) -> list:
    return list(db.session.scalars(query))


def owed_deadline_keys() -> list[str]:
    """Keys of the disclosures owed now (the published-elsewhere pages are reached by them)."""
    from charity_site.disclosures.deadlines import disclosure_obligations

    return [item.key for item in disclosure_obligations() if item.owed]


def samples_from_database(app, *, newest_first: bool = False, **extra) -> Samples:
    """Path arguments taken from what the database holds: every item, or the newest first."""
    def ordered(model, column):
        return select(column).order_by(model.id.desc() if newest_first else model.id)

    samples = Samples()
    for blueprint in app.blueprints.values():
        spec = getattr(blueprint, "editor_spec", None)
        if spec is not None:
            samples.set((blueprint.name, "item_id"), _ids(ordered(spec.kind.model, spec.kind.model.id)))
    for blueprint, model in PUBLIC_SLUGS.items():
        samples.set((blueprint, "slug"), _ids(ordered(model, model.slug).where(model.public_clause())))
    samples.set(("disclosures", "disclosure_id"),
                _ids(ordered(Disclosure, Disclosure.id).where(Disclosure.public_clause())))
    samples.set("disclosure_id", _ids(ordered(Disclosure, Disclosure.id)))
    samples.set("number", sorted(set(_ids(select(DisclosureRevision.number)))) or [1])
    samples.set("entry_id", _ids(ordered(LedgerEntry, LedgerEntry.id)))
    samples.set("batch_id", _ids(ordered(LedgerBatch, LedgerBatch.id)) or [1])  # demo content has no import
    samples.set("user_id", _ids(ordered(StaffUser, StaffUser.id)))
    samples.set("project_id", _ids(ordered(Project, Project.id)))
    samples.set("update_id", _ids(ordered(ProjectUpdate, ProjectUpdate.id)))
    samples.set(("uploads.file", "name"), _ids(ordered(Attachment, Attachment.stored_name)))
    samples.set(("uploads.thumbnail", "name"),
                _ids(ordered(Attachment, Attachment.thumbnail_name).where(Attachment.thumbnail_name.is_not(None))))
    samples.set(("donations", "token"),
                _ids(ordered(Pledge, Pledge.access_token).where(Pledge.access_token.is_not(None))))
    samples.set(("donations.verify", "number"),
                [f"{year}-{number:06d}" for year, number in db.session.execute(
                    select(Pledge.certificate_year, Pledge.certificate_number)
                    .where(Pledge.certificate_number.is_not(None)).order_by(Pledge.id))] or ["2026-000001"])
    samples.set("pledge_id", _ids(ordered(Pledge, Pledge.id)))
    # Confirming takes a pledge still awaiting payment; recording a receipt or cancelling (refused) a received one.
    pending = _ids(ordered(Pledge, Pledge.id).where(Pledge.status == PledgeStatus.PENDING))
    received = _ids(ordered(Pledge, Pledge.id).where(Pledge.status == PledgeStatus.RECEIVED))
    samples.set(("admin_pledges.confirm", "pledge_id"), pending or samples.by_key["pledge_id"])
    samples.set(("admin_pledges.receipt", "pledge_id"), received or samples.by_key["pledge_id"])
    samples.set(("admin_pledges.cancel", "pledge_id"), received or samples.by_key["pledge_id"])
    samples.set(("admin_pledges", "kind"), ["project", "fund"])
    samples.set(("admin_pledges", "owner_id"), _ids(ordered(Project, Project.id)))
    samples.set(("feeds.sitemap_part", "section"), list(SITEMAP_SECTIONS))
    samples.set(("feeds.sitemap_part", "number"), [1])
    samples.set(("admin_deadlines", "key"), owed_deadline_keys() or ["annual_report:2000"])
    samples.set(("admin_deadlines", "mark_id"), _ids(ordered(PublishedElsewhere, PublishedElsewhere.id)) or [999_999])
    samples.set("size", FONT_SIZES)
    samples.set("dataset", list(DATASETS))
    samples.set("fmt", list(FORMATS))
    samples.set("filename", ["css/site.css"])
    samples.set(("admin_volunteers", "item_id"), _ids(ordered(Opportunity, Opportunity.id)))
    samples.set("shift_id", _ids(ordered(Shift, Shift.id)))
    samples.set("signup_id", _ids(ordered(Signup, Signup.id)))
    samples.set("volunteer_id", _ids(ordered(Volunteer, Volunteer.id)))
    samples.set(("admin_volunteer_day.people_export", "fmt"), ["csv", "xlsx"])
    samples.set("code", _ids(ordered(Signup, Signup.code).where(Signup.code.is_not(None))))
    samples.set("checkin_token", _ids(ordered(Shift, Shift.checkin_token).where(Shift.checkin_token.is_not(None))))
    samples.set(("admin_volunteer_day.signup_action", "action"), ["check_in", "check_out", "absent"])
    samples.set(("volunteer_records", "number"), _ids(ordered(ServiceCertificate, ServiceCertificate.number)))
    samples.set(("admin_volunteer_day", "number"), _ids(ordered(ServiceCertificate, ServiceCertificate.number)))
    for key, values in extra.items():
        samples.set(key, values)
    return samples


_MARKER_INT = 1_357_913
_MARKER_TEXT = "zzargumentzz"


def build_url(rule, values: dict, *, raw: dict | None = None, query: dict | None = None) -> str:
    """The rule's URL with ``values``; ``raw={argument: text}`` puts any text, unchecked, in those path parts."""
    values = dict(values)
    markers = {}
    for number, argument in enumerate(sorted(raw or {})):
        integer = isinstance(rule._converters[argument], IntegerConverter)
        markers[argument] = _MARKER_INT + number if integer else f"{_MARKER_TEXT}{number}"
        values[argument] = markers[argument]
    url = rule.build(values, append_unknown=False)[1]
    for argument, marker in markers.items():
        url = url.replace(f"/{marker}", "/" + quote(raw[argument], safe=""), 1)
    if query:
        url += "?" + encode_pairs(query)
    return url


def encode_pairs(values: dict) -> str:
    """A query string or form body; bytes values go as they are (e.g. invalid UTF-8), lists as repeated keys."""
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return urlencode(pairs)


# --- recording what a route reads -------------------------------------------------------------------

class RecordingMultiDict(ImmutableMultiDict):
    """request.args / request.form that remembers every key a view asked for."""

    def _note(self, key):
        self.keys_read.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


def _recording(values, keys: set) -> RecordingMultiDict:
    recorded = RecordingMultiDict(values)
    recorded.keys_read = keys
    return recorded


@dataclass
class Reads:
    """What one request read: query parameters, form keys and the forms it built."""

    args: set = field(default_factory=set)
    form_keys: set = field(default_factory=set)
    forms: list = field(default_factory=list)


class Recorder:
    def __init__(self):
        self.current: Reads | None = None

    def request(self, client, method: str, url: str, **kwargs):
        self.current = Reads()
        try:
            response = finished(client.open(url, method=method, **kwargs))
        finally:
            reads, self.current = self.current, None
        return response, reads


@contextmanager
def recording(app):
    """While active, ``recorder.request(...)`` answers with what the route read besides the response."""
    recorder = Recorder()

    def swap_in_recorders():
        if recorder.current is None:
            return
        request.args = _recording(request.args, recorder.current.args)
        if request.method == "POST":
            request.form = _recording(request.form, recorder.current.form_keys)

    original_init = Form.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if recorder.current is not None:
            recorder.current.forms.append(self)

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, swap_in_recorders)
    Form.__init__ = recording_init
    try:
        yield recorder
    finally:
        Form.__init__ = original_init
        hooks.remove(swap_in_recorders)


# --- values a form accepts ----------------------------------------------------------------------------

def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def default_file(field_) -> tuple[bytes, str]:
    """A file the field accepts, judged by its ``accept`` list: a CSV for imports, a PDF or a picture."""
    accept = (field_.render_kw or {}).get("accept", "")
    if ".csv" in accept:
        return "日期,收支,金额,基金,类别,摘要\n2024-10-01,收入,1.00,测试基金,捐赠收入,测试\n".encode(), "import.csv"
    if accept.startswith("application/pdf"):
        return pdf_bytes(), "document.pdf"
    return png_bytes(), "picture.png"


def _choice_value(field_, *, required: bool):
    choices = [choice for choice in field_.iter_choices()]
    selected = [choice.value for choice in choices if choice.selected]
    if selected and (not required or str(selected[0]) != ""):
        return str(selected[0])
    filled = [choice.value for choice in choices if choice.value not in (None, "")]
    return str(filled[0]) if filled else ""


def accepted_value(field_, counter: Callable[[], int], file_for=default_file):
    """A value this (bound, page-filled) field accepts; a callable where each request needs a fresh one."""
    required = bool(field_.flags.required)
    shown = field_._value() if hasattr(field_, "_value") else ""
    if isinstance(field_, CSRFTokenField):
        return None
    if isinstance(field_, (FileField, FlaskFileField)):
        return lambda: file_for(field_)
    if isinstance(field_, BooleanField):
        return "y"
    if isinstance(field_, SelectMultipleField):
        value = _choice_value(field_, required=True)
        return [value] if value else []
    if isinstance(field_, (SelectFieldBase, RadioField)):
        return _choice_value(field_, required=required)
    if isinstance(field_, DateTimeLocalField):
        return shown
    if isinstance(field_, DateField):
        return shown or SAMPLE_DATE
    if isinstance(field_, IntegerField):
        ranges = [v.min for v in field_.validators if isinstance(v, NumberRange) and v.min is not None]
        minimum = getattr(field_, "minimum", None)  # a BoundedIntegerField's own range
        return shown or str(max(ranges + [minimum if minimum is not None else 1]))
    if isinstance(field_, YuanField):
        return shown or "1.00"
    if isinstance(field_, PasswordField):
        return DEFAULT_TEST_PASSWORD
    if isinstance(field_, EmailField):
        return shown or (lambda: f"walker{counter()}@example.org")
    if isinstance(field_, HiddenField):
        return "" if field_.short_name == VERSION_FIELD else shown
    if shown or not required:
        return shown
    if (field_.render_kw or {}).get("inputmode") == "tel":  # a mobile number, a new one each time
        return lambda: f"139{counter():08d}"
    return lambda: f"测试{counter()}"


@dataclass
class FormPlan:
    """One route and method: the parameters it reads and values that pass its form."""

    rule: object
    method: str
    params: list[str]
    accepted: dict
    file_fields: set
    text_fields: dict = field(default_factory=dict)  # name → longest text it takes (None: no limit)
    post_reads: Reads | None = None

    def values(self, override: dict | None = None) -> dict:
        values = {name: (value() if callable(value) else value) for name, value in self.accepted.items()}
        values.update(override or {})
        return values


def plan_for(rule, method: str, get_reads: Reads | None, post_reads: Reads | None, counter,
             file_for=default_file) -> FormPlan:
    """Parameters and accepted values of ``rule`` for ``method``, from what its requests read."""
    if method == "GET":
        return FormPlan(rule, method, sorted(get_reads.args), {}, set())
    accepted, file_fields, text_fields = {}, set(), {}
    page_filled = {type(form): form for form in (get_reads.forms if get_reads else [])}
    for posted in post_reads.forms:
        form = page_filled.get(type(posted), posted)
        for field_ in form:
            if field_.name not in post_reads.form_keys:
                continue  # a form the page only shows (e.g. the upload picker), not one this route reads
            value = accepted_value(field_, counter, file_for)
            if value is None:
                continue
            accepted[field_.name] = value
            if isinstance(field_, (FileField, FlaskFileField)):
                file_fields.add(field_.name)
            if is_free_text(field_):
                limits = [v.max for v in field_.validators if isinstance(v, Length) and v.max > 0]
                text_fields[field_.name] = min(limits, default=None)
    params = sorted((set(accepted) | post_reads.form_keys) - {"csrf_token"})
    return FormPlan(rule, method, params, accepted, file_fields, text_fields, post_reads)


def is_free_text(field_) -> bool:
    """A field people type words into (not a password, e-mail, amount, hidden value or file)."""
    return isinstance(field_, StringField) and not isinstance(
        field_, (PasswordField, EmailField, HiddenField, YuanField, FileField, FlaskFileField))


def send(client, plan: FormPlan, url: str, values: dict | None = None, recorder: Recorder | None = None):
    """Send ``values`` by the plan's method: GET as a query string, POST as multipart when the form has a file,
    else URL-encoded (so bytes go as they are). With a recorder, answers (response, reads)."""
    if plan.method == "GET":
        if values:
            url += ("&" if "?" in url else "?") + encode_pairs(values)
        kwargs = {}
    elif plan.file_fields:
        data = {}
        for name, value in (values or {}).items():
            if name in plan.file_fields and isinstance(value, tuple):
                content, filename = value
                data[name] = FileStorage(io.BytesIO(content), filename=filename)
            else:
                data[name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        kwargs = {"data": data, "content_type": "multipart/form-data"}
    else:
        kwargs = {"data": encode_pairs(values or {}), "content_type": "application/x-www-form-urlencoded"}
    if recorder is not None:
        return recorder.request(client, plan.method, url, **kwargs)
    return finished(client.open(url, method=plan.method, **kwargs))


def finished(response):
    """The response with its body read: a streamed body (open-data downloads) runs now, in its own context."""
    response.get_data()
    response.close()
    return response


def form_fields(reads: Reads) -> dict:
    """name → bound field of every form that read the request (errors filled in when it validated)."""
    return {field_.name: field_ for form in reads.forms for field_ in form
            if field_.name in reads.form_keys and not isinstance(field_, CSRFTokenField)}


def discover(app, recorder, admin, samples, counter, file_for=default_file) -> list[FormPlan]:
    """A FormPlan for every rule and method, from an ordinary request of each method: staff routes as an
    administrator, the others as a visitor (the sign-in page shows its form only to someone not signed in)."""
    plans = []
    for rule in rules(app, include_static=True):
        if rule.endpoint == SIGN_OUT:
            continue
        client = admin if is_guarded(app, rule) else FreshClient(app)
        url = build_url(rule, samples.first(rule))
        get_reads = post_reads = None
        if "GET" in rule.methods:
            _response, get_reads = recorder.request(client, "GET", url)
        if "POST" in rule.methods:
            # a form with nothing in it is not read at all (Flask-WTF sees no submission), so send one field
            _response, post_reads = recorder.request(client, "POST", url, data={"walk": "1"})
        for method in methods_of(rule):
            plans.append(plan_for(rule, method, get_reads, post_reads, counter, file_for))
    return plans


def refill(app, plans, recorder, admin, samples, counter, file_for=default_file) -> list[FormPlan]:
    """The plans, with the forms of item pages filled in again from the pages of ``samples``' items
    (an edit form must carry its own item's values, e.g. its slug, not those of the item it was found on)."""
    refilled = []
    for plan in plans:
        if plan.method == "POST" and plan.rule.arguments and "GET" in plan.rule.methods and plan.accepted:
            client = admin if is_guarded(app, plan.rule) else FreshClient(app)
            _response, get_reads = recorder.request(client, "GET", build_url(plan.rule, samples.first(plan.rule)))
            plan = plan_for(plan.rule, "POST", get_reads, plan.post_reads, counter, file_for)
        refilled.append(plan)
    return refilled


# --- clients ------------------------------------------------------------------------------------------

class FreshClient:
    """A client that starts every request without cookies, e.g. for sign-in attempts that may succeed."""

    def __init__(self, app):
        self.app = app

    def open(self, *args, **kwargs):
        return self.app.test_client().open(*args, **kwargs)


def signed_in_client(app, role: str, email: str | None = None):
    user = make_user(email or f"walker-{role}@example.org", roles=(role,))
    client = app.test_client()
    assert login(client, user.email).status_code == 302, f"could not sign in as {role}"
    return client


def is_html_or_xml(response) -> bool:
    return response.mimetype in ("text/html", "application/xml", "text/xml", "application/atom+xml",
                                 "image/svg+xml")
