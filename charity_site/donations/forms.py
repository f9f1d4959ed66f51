"""Forms of giving: the public pledge and lookup forms, and the staff forms of the pledge workspace."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from charity_site.donations.labels import METHOD_LABELS
from charity_site.donations.models import DonorDisplay, PaymentMethod
from charity_site.web.fields import OneOfFewField, YuanField
from charity_site.web.input import NOT_AN_OPTION, BoundedDateField, BoundedIntegerField, SiteForm
from charity_site.web.public_forms import PublicIntakeForm

AT_MOST = _l("At most %(max)d characters.")
CUSTOM = "custom"
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
# The pay code must be an image on this site (Images and files): pages load nothing from other sites.
LOCAL_IMAGE = Regexp(r"^(/[^\s\"'<>]*)?$", message=_l("The address of an image on this site, starting with /files/."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# Up to this many places a gift can go are radio buttons, each name in full on its own line; more stay a
# drop-down list (a closed list cuts a long project name at the box's edge, at large text after a few words).
FEW_DESIGNATIONS = 8


class PledgeForm(PublicIntakeForm):
    amount_choice = RadioField(_l("Amount"), choices=[], validate_choice=False)
    custom_amount = YuanField(_l("Or another amount (yuan)"), validators=[Optional()],
                              description=_l("For example 200 or 88.88."))
    designation = OneOfFewField(_l("My gift goes to"), choices=[], validate_choice=False,  # checked by the view
                                most_buttons=FEW_DESIGNATIONS)
    donor_name = StringField(_l("Your name (optional)"), filters=[_strip],
                             validators=[Optional(), Length(max=80, message=AT_MOST)],
                             render_kw={"autocomplete": "name"})
    display = RadioField(
        _l("On the donor wall show me as"),
        choices=[SelectChoice(DonorDisplay.MASKED.value, _l("My surname only, e.g. 张**")),
                 SelectChoice(DonorDisplay.ANONYMOUS.value, _l("Anonymous"))],
        default=DonorDisplay.MASKED.value, validators=[InputRequired(NOT_AN_OPTION)],
    )
    show_full_name = BooleanField(_l("Show my full name on the donor wall instead"),
                                  description=_l("Only if you tick this box."))
    phone = StringField(_l("Mobile phone"), filters=[_strip], validators=[Optional(), Length(max=30, message=AT_MOST)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"},
                        description=_l("A mobile number or an e-mail address, at least one: to tell you when "
                                       "your gift arrives and to look your pledge up."))
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[Optional(), Length(max=254, message=AT_MOST)],
                       render_kw={"autocomplete": "email"})
    message = TextAreaField(_l("A message (optional)"), filters=[_strip],
                            validators=[Optional(), Length(max=200, message=AT_MOST)], render_kw={"rows": 2})
    show_message = BooleanField(_l("You may show my message on the donor wall"))
    wants_receipt = BooleanField(_l("I would like the official donation receipt (捐赠票据)"),
                                 description=_l("Then your name is required."))
    wants_updates = BooleanField(_l("Tell me about the progress of what I give to"))
    method = RadioField(
        _l("How you will pay"),
        choices=[SelectChoice(method.value, label) for method, label in METHOD_LABELS.items()],
        default=PaymentMethod.BANK.value, validators=[InputRequired(_l("Please choose how you will pay."))],
    )
    # Checked with the other fields, so that one submission shows every mistake; pledging.check() checks it again.
    consent = BooleanField(_l("I have read the notice above and agree that my data is processed as described"),
                           validators=[DataRequired(_l("Please read the notice and agree, or we cannot record your "
                                                       "pledge."))])


class LookupForm(SiteForm):
    reference = StringField(_l("Pledge reference"), filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
                            validators=[InputRequired(_l("Please enter the 8-character reference.")),
                                        Length(max=8, min=8, message=_l("The reference has 8 characters."))],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters"},
                            description=_l("The 8-character reference on your pledge page and in the confirmation "
                                           "e-mail; it is also what you wrote in the transfer remark."))
    phone_last4 = StringField(_l("Last 4 digits of your mobile number"), filters=[_strip],
                              validators=[InputRequired(_l("Please enter the last 4 digits.")),
                                          Regexp(r"^[0-9]{4}$", message=_l("Please enter 4 digits."))],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})


class ConfirmReceiptForm(SiteForm):
    amount = YuanField(_l("Amount received (yuan)"), validators=[InputRequired(_l("Please enter the amount."))],
                       description=_l("What actually arrived; it may differ from the pledge."))
    received_on = BoundedDateField(_l("Date received"), validators=[InputRequired(_l("Please enter the date."))])
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)


class ReceiptNumberForm(SiteForm):
    receipt_number = StringField(_l("Receipt number"), filters=[_strip],
                                 validators=[InputRequired(_l("Please enter the receipt number.")),
                                             Length(max=60, message=AT_MOST)])
    receipt_issued_on = BoundedDateField(_l("Date issued"), validators=[InputRequired(_l("Please enter the date."))])


class StatementForm(SiteForm):
    file = FileField(_l("Statement (CSV or Excel)"), validators=[FileRequired(_l("Please choose a file."))],
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet"},
                     description=_l("Exported from the bank, WeChat Pay or Alipay, with a date, an amount and a remark "
                                    "column."))
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)


class GivingSettingsForm(SiteForm):
    public_fundraising_qualified = BooleanField(_l("The organisation holds the public fundraising qualification"))
    qualification_number = StringField(_l("Qualification certificate number"), filters=[_strip],
                                       validators=[Length(max=80, message=AT_MOST)])
    bank_account_name = StringField(_l("Account name"), filters=[_strip], validators=[Length(max=120, message=AT_MOST)])
    bank_name = StringField(_l("Bank"), filters=[_strip], validators=[Length(max=120, message=AT_MOST)])
    bank_account_number = StringField(_l("Account number"), filters=[_strip],
                                      validators=[Length(max=60, message=AT_MOST)])
    preset_amounts = StringField(_l("Preset amounts (yuan)"), filters=[_strip],
                                 validators=[Length(max=120, message=AT_MOST),
                                             Regexp(r"^[0-9, ，]*$", message=_l("Whole yuan separated by commas."))],
                                 description=_l("Whole yuan separated by commas, e.g. 50,100,500,1000."))
    min_amount_fen = YuanField(_l("Smallest gift (yuan)"), validators=[InputRequired(_l("Please enter the amount."))])
    max_amount_fen = YuanField(_l("Largest gift online (yuan)"),
                               validators=[InputRequired(_l("Please enter the amount."))])
    expire_after_days = BoundedIntegerField(_l("Days before an unpaid pledge expires"), minimum=1, maximum=365,
                                            validators=[InputRequired(_l("Please enter a number of days."))])
    collection_code = StringField(_l("Default collection code image (address of an uploaded image)"),
                                  filters=[_strip], validators=[Length(max=255, message=AT_MOST), LOCAL_IMAGE],
                                  description=_l("For example /files/... from Images and files."))
    collection_code_file = FileField(_l("Or upload the default collection code image"),
                                     render_kw={"accept": IMAGE_ACCEPT},
                                     description=_l("JPEG, PNG or WebP. It replaces the address above."))


class CampaignForm(SiteForm):
    is_open = BooleanField(_l("Open for public gifts"))
    goal_fen = YuanField(_l("Goal (yuan, optional)"), validators=[Optional()])
    starts_on = BoundedDateField(_l("Campaign starts"), validators=[Optional()])
    ends_on = BoundedDateField(_l("Campaign ends"), validators=[Optional()])
    filing_number = StringField(_l("Filing number of the fundraising plan"), filters=[_strip],
                                validators=[Length(max=80, message=AT_MOST)])
    responsible_person = StringField(_l("Person responsible"), filters=[_strip],
                                     validators=[Length(max=80, message=AT_MOST)])
    platform_url = URLField(_l("The same campaign on a national platform (optional)"), filters=[_strip],
                            validators=[Optional(), Length(max=255, message=AT_MOST),
                                        Regexp(r"^https?://", message=_l("An address starting with https://"))])
    collection_code = StringField(_l("Collection code image for this campaign (optional)"), filters=[_strip],
                                  validators=[Length(max=255, message=AT_MOST), LOCAL_IMAGE])
    collection_code_file = FileField(_l("Or upload the collection code image for this campaign"),
                                     render_kw={"accept": IMAGE_ACCEPT},
                                     description=_l("JPEG, PNG or WebP. It replaces the address above."))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "is_open", "goal_fen", "starts_on", "ends_on", "filing_number", "responsible_person", "platform_url",
            "collection_code")} | {"goal_fen": self.goal_fen.data or None}
