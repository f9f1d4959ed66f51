"""Staff editing of funds (general, community, named). Their money comes from the ledger."""

from flask_babel import lazy_gettext as _l

from charity_site.core.roles import Role
from charity_site.files.queries import picker_images
from charity_site.finance.forms import FundForm
from charity_site.finance.funds import FUND
from charity_site.web.access import staff_blueprint
from charity_site.web.editor import EditorSpec, register_editor

bp = staff_blueprint("admin_funds", __name__, "/admin/funds", roles=(Role.FINANCE,),
                     menu_label=_l("Funds"))

register_editor(bp, EditorSpec(
    kind=FUND, form_class=FundForm, label=_l("Funds"), new_label=_l("New fund"),
    extra_columns=((_l("Kind of fund"), "kind"),), search_columns=("title", "slug", "area"),
    picker_images=picker_images,
))
