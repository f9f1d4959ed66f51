"""Staff editing of standing pages (关于我们, 章程, 联系我们, 隐私政策...)."""

from flask_babel import lazy_gettext as _l

from charity_site.core.roles import Role
from charity_site.files.queries import picker_images
from charity_site.pages.forms import PageForm
from charity_site.pages.operations import PAGE
from charity_site.web.access import staff_blueprint
from charity_site.web.editor import EditorSpec, register_editor

bp = staff_blueprint("admin_pages", __name__, "/admin/pages", roles=(Role.EDITOR,),
                     menu_label=_l("Pages"))

register_editor(bp, EditorSpec(
    kind=PAGE, form_class=PageForm, label=_l("Pages"), new_label=_l("New page"),
    public_endpoint="pages.page", picker_images=picker_images,
))
