"""Words for the donation enums, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l

from charity_site.donations.models import PaymentMethod, PledgeStatus

PLEDGE_STATUS_LABELS = {
    PledgeStatus.PENDING: _l("Awaiting payment"),
    PledgeStatus.RECEIVED: _l("Received"),
    PledgeStatus.CANCELLED: _l("Cancelled"),
    PledgeStatus.EXPIRED: _l("Expired"),
}

METHOD_LABELS = {
    PaymentMethod.BANK: _l("Bank transfer"),
    PaymentMethod.WECHAT: _l("WeChat Pay"),
    PaymentMethod.ALIPAY: _l("Alipay"),
    PaymentMethod.IN_PERSON: _l("Cash or goods, in person"),
}
