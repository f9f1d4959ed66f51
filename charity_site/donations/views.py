"""Public giving: the pledge form, the donor's private pledge page, lookup, certificates, donor wall."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from charity_site.core.errors import EditError
from charity_site.core.markdown import plain_text
from charity_site.core.personal import last_digits_match
from charity_site.core.qr import qr_png, qr_svg
from charity_site.core.site_settings import get_settings
from charity_site.donations import certificates, mails, progress, queries
from charity_site.donations.forms import CUSTOM, LookupForm, PledgeForm
from charity_site.donations.labels import PLEDGE_STATUS_LABELS
from charity_site.donations.models import DonorDisplay, PaymentMethod, PledgeStatus
from charity_site.donations.pledging import CONSENT_TEXT_VERSION, PledgeRequest, create_pledge, problems
from charity_site.extensions import db, limiter
from charity_site.finance.models import Fund
from charity_site.projects.models import Project
from charity_site.web.forms import ConfirmForm, attach_error
from charity_site.web.input import parse_id, parse_member, query_int, whole_number
from charity_site.web.urls import canonical_url

bp = Blueprint("donations", __name__)

PLEDGE_LIMIT = "20 per hour"
LOOKUP_LIMIT = "10 per 15 minutes"


def pledge_limit() -> str:
    return current_app.config.get("PLEDGE_RATE_LIMIT", PLEDGE_LIMIT)


def lookup_limit() -> str:
    return current_app.config.get("PLEDGE_LOOKUP_LIMIT", LOOKUP_LIMIT)


def _qr(address: str) -> Markup:
    """The inline SVG QR code of one of the site's own addresses (drawn by the qrcode library)."""
    return Markup(qr_svg(address))


def _status_url(pledge) -> str:
    return canonical_url("donations.pledge", token=pledge.access_token)


def _no_store(response):
    """The donor's own pages carry a secret address: no cache, no referrer to other pages."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _prepare(form: PledgeForm, choices: list) -> None:
    settings = queries.giving_settings()
    presets = queries.preset_amounts_fen(settings)
    form.amount_choice.choices = [(str(fen), f"¥{fen // 100:,}") for fen in presets]
    form.designation.choices = [(choice.key, choice.label) for choice in choices]


def _fresh_form(choices: list, designation_key: str | None, amount_fen: int | None = None) -> PledgeForm:
    """The pledge form as first shown: the amount asked for (a preset, else typed in) or a preset picked,
    the designation chosen, a new submission token."""
    form = PledgeForm(formdata=None)
    _prepare(form, choices)
    form.designation.data = designation_key or (choices[0].key if choices else None)
    presets = [value for value, _label in form.amount_choice.choices]
    if amount_fen is not None and str(amount_fen) in presets:
        form.amount_choice.data = str(amount_fen)
    elif amount_fen is not None:
        form.custom_amount.data = amount_fen  # no preset picked: the amount asked for is typed in
    elif presets:
        form.amount_choice.data = presets[1 if len(presets) > 1 else 0]
    form.ensure_submission_token()
    return form


MAX_PREFILLED_YUAN = 10_000_000  # as the preset amounts allow


def _asked_amount() -> int | None:
    """?amount= in whole yuan (a preset link of a project or fund page), in fen; None when missing or odd."""
    yuan = query_int(request.args, "amount", minimum=1, maximum=MAX_PREFILLED_YUAN)
    return yuan * 100 if yuan is not None else None


def _not_shared(response):
    """A page carrying a pledge form holds a submission token: never serve it to anyone else from a cache."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _preselected(choices) -> str | None:
    project_id, fund_id = parse_id(request.args.get("project")), parse_id(request.args.get("fund"))
    for choice in choices:
        if project_id is not None and choice.project_id == project_id:
            return choice.key
        if fund_id is not None and choice.project_id is None and choice.fund_id == fund_id and choice.key != "general":
            return choice.key
    return None


def _designation(form: PledgeForm, choices):
    """The chosen designation; none chosen means the first (where most needed); an unknown one is refused."""
    key = form.designation.data or (choices[0].key if choices else None)
    found = next((choice for choice in choices if choice.key == key), None)
    if found is None and not form.designation.errors:
        form.designation.errors = [_("Please choose what your gift is for.")]
    return found


def _amount(form: PledgeForm) -> int | None:
    if form.custom_amount.data:
        return form.custom_amount.data
    choice = form.amount_choice.data
    if choice and choice != CUSTOM:
        number = whole_number(choice)
        presets = {fen for fen, _label in ((int(value), label) for value, label in form.amount_choice.choices)}
        return number if number in presets else None
    return None


def _pledge_request(form: PledgeForm, designation) -> PledgeRequest:
    """What the form asks for. From a form that failed validation the designation, method or display may be None:
    such a request is only given to pledging.problems(), never to create_pledge()."""
    display = DonorDisplay.FULL_NAME if form.show_full_name.data else parse_member(DonorDisplay, form.display.data)
    return PledgeRequest(
        amount_fen=_amount(form), designation=designation, method=parse_member(PaymentMethod, form.method.data),
        display=display, donor_name=form.donor_name.data or "", phone=form.phone.data or "",
        email=form.email.data or "", message=form.message.data or "", show_message=form.show_message.data,
        wants_receipt=form.wants_receipt.data, wants_updates=form.wants_updates.data,
        consent=form.consent.data, submission_token=form.submission_token.data,
    )


@bp.route("/donate", methods=["GET", "POST"])
@limiter.limit(pledge_limit, methods=["POST"])
def donate():
    after_this_request(_not_shared)
    choices = queries.designations()
    status = 200
    form = _fresh_form(choices, _preselected(choices), _asked_amount()) if request.method == "GET" else PledgeForm()
    _prepare(form, choices)
    if request.method == "GET":
        pass  # shown fresh, with the designation of ?project= or ?fund= and the ?amount= chosen
    elif form.filled_by_bot():
        abort(400)
    else:
        valid = form.validate_on_submit()
        designation = _designation(form, choices)  # an unknown one is marked on the form, valid or not
        pledge_request = _pledge_request(form, designation)
        # What the pledge rules refuse (no amount, no way to reach the donor...) is shown together with what the
        # form refused, each beside its field: one round shows every mistake. create_pledge checks it all again.
        refused = [error for error in problems(pledge_request) if not getattr(form, error.field).errors]
        for error in refused:
            attach_error(form, error)
        if valid and designation is not None and not refused:
            try:
                pledge = create_pledge(pledge_request)
                mails.queue_pledge_received(pledge, _status_url(pledge))
            except EditError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                return redirect(url_for(".pledge", token=pledge.access_token), code=303)
        status = 400
    form.ensure_submission_token()
    chosen = next((choice for choice in choices if choice.key == form.designation.data), None)
    return render_template("donations/donate.html", form=form, choices=choices, organisation=get_settings(),
                           giving=queries.giving_settings(), consent_version=CONSENT_TEXT_VERSION,
                           campaign=chosen.campaign if chosen else None, shared_for=_shared_for(choices),
                           campaigns=[choice.campaign for choice in choices if choice.campaign]), status


def _shared_for(choices):
    """What a giving link such as /donate?project=7 names, for its title and share card: a link passed on in
    WeChat shows little more than the title, so it names the project or fund. None for plain /donate, whatever
    its form shows chosen first."""
    key = _preselected(choices)
    named = next((choice for choice in choices if choice.key == key), None)
    if named is None or named.campaign is None:
        return None
    target = named.campaign.project or named.campaign.fund
    values = {"project": target.id} if named.campaign.project is not None else {"fund": target.id}
    return {"title": named.label, "summary": target.summary or plain_text(target.body_md, 120),
            "url": canonical_url(".donate", **values)}


def _pledge_or_404(token: str):
    pledge = queries.pledge_by_token(token)
    if pledge is None:
        abort(404)
    return pledge


@bp.get("/pledge/<token>")
def pledge(token: str):
    pledge = _pledge_or_404(token)
    status_url = _status_url(pledge)
    campaign = queries.campaign_of(project=pledge.project) if pledge.project_id else (
        queries.campaign_of(fund=pledge.fund) if pledge.fund_id else None)
    giving = queries.giving_settings()
    collection_code = (campaign.collection_code if campaign and campaign.collection_code else
                       giving.collection_code)
    response = make_response(render_template(
        "donations/pledge.html", pledge=pledge, status_url=status_url,
        giving=giving, organisation=get_settings(), collection_code=collection_code, campaign=campaign,
        updates=certificates.latest_updates(pledge), PledgeStatus=PledgeStatus,
    ))
    return _no_store(response)


@bp.get("/pledge/<token>/qr.png")
def pledge_qr(token: str):
    pledge = _pledge_or_404(token)
    response = make_response(qr_png(_status_url(pledge)))
    response.mimetype = "image/png"
    response.headers["Content-Disposition"] = f'inline; filename="pledge-{pledge.reference}.png"'
    return _no_store(response)


@bp.get("/pledge/<token>/certificate")
def certificate(token: str):
    pledge = _pledge_or_404(token)
    if pledge.certificate_number is None:
        abort(404)
    verify_url = canonical_url("donations.verify", number=pledge.certificate_label)
    return _no_store(make_response(render_template(
        "donations/certificate.html", cert=certificates.certificate_of(pledge), verify_url=verify_url,
        qr=_qr(verify_url))))


@bp.route("/donate/lookup", methods=["GET", "POST"])
@limiter.limit(lookup_limit, methods=["POST"])
def lookup():
    form = LookupForm()
    status = 200
    if form.validate_on_submit():
        pledge = queries.pledge_by_reference(form.reference.data)
        if pledge is not None and last_digits_match(pledge.phone, form.phone_last4.data):
            return redirect(url_for(".pledge", token=pledge.access_token), code=303)
        form.form_errors.append(_("No pledge matches this reference and these digits. Please check both."))
        status = 404
    elif request.method == "POST":
        status = 400
    return _no_store(make_response(render_template("donations/lookup.html", form=form), status))


@bp.get("/verify/<number>")
def verify(number: str):
    parsed = certificates.parse_certificate_label(number)
    pledge = queries.pledge_by_certificate(*parsed) if parsed else None
    if pledge is None or pledge.status is not PledgeStatus.RECEIVED:
        return render_template("donations/verify.html", cert=None, number=number[:20]), 404
    return render_template("donations/verify.html", cert=certificates.certificate_of(pledge), number=number)


@bp.get("/donors")
def donors():
    return render_template("donations/donors.html", wall=queries.wall(limit=50), counts=queries.received_count())


@bp.route("/pledge/<token>/unsubscribe", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop progress e-mails, without signing in: the private link is the proof."""
    pledge = _pledge_or_404(token)
    form = ConfirmForm()
    done = False
    if form.validate_on_submit():
        progress.unsubscribe(pledge)
        done = True
    return _no_store(make_response(render_template("donations/unsubscribe.html", form=form, pledge=pledge,
                                                   done=done or not pledge.wants_updates)))


@bp.get("/donate/poster/<int:project_id>")
def poster(project_id: int):
    """A printable A4 扫码捐赠 poster of a project open for gifts, for staff to put up at events."""
    project = db.session.get(Project, project_id)
    campaign = queries.campaign_of(project=project) if project is not None else None
    if not queries.accepting(campaign):
        abort(404)
    giving_url = canonical_url("donations.donate", project=project.id)
    return render_template("donations/poster.html", project=project, campaign=campaign, giving_url=giving_url,
                           qr=_qr(giving_url), organisation=get_settings(),
                           giving=queries.giving_settings())


@bp.app_template_filter("pledge_status")
def pledge_status_label(status: PledgeStatus) -> str:
    return str(PLEDGE_STATUS_LABELS[status])


@bp.app_template_global("giving_for")
def giving_for(project: Project | None = None, fund: Fund | None = None) -> dict | None:
    """The giving panel of a project or fund page: campaign facts, goal bar, donor wall, and links to the donate
    page's form for it (a form here would hold this visitor's token, and the page could not be shared)."""
    campaign = queries.campaign_of(project=project, fund=fund)
    if not queries.accepting(campaign):
        return None
    owner_filter = {"project_id": project.id} if project is not None else {"fund_id": fund.id}
    designation = {"project": project.id} if project is not None else {"fund": fund.id}
    giving = queries.giving_settings()
    figures = queries.gift_figures(**owner_filter)
    return {
        "campaign": campaign,
        "progress": queries.goal_progress(campaign, figures),
        "wall": queries.wall(limit=10, **owner_filter),
        "counts": figures.received,
        "donate_url": url_for("donations.donate", **designation),
        "presets": [(fen, url_for("donations.donate", **designation, amount=fen // 100))
                    for fen in queries.preset_amounts_fen(giving)],
        "giving": giving,
    }
