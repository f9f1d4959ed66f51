"""Labels of the project enums (registered for the ``label`` filter when the app is made)."""

from flask_babel import lazy_gettext as _l

from charity_site.core.labels import register_labels
from charity_site.projects.models import ProjectStatus

PROJECT_STATUS_LABELS = register_labels({
    ProjectStatus.PREPARING: _l("In preparation"),
    ProjectStatus.ACTIVE: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
})
