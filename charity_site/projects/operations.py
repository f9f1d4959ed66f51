"""Staff writes to projects (the generic editor's kind, core/editing.py) and their progress updates."""

from __future__ import annotations

from charity_site.core.audit import diff, record_audit, snapshot
from charity_site.core.editing import EditableKind
from charity_site.core.locking import flush_or_refuse, lock_current, lock_row
from charity_site.core.models import utcnow
from charity_site.core.transaction import operation
from charity_site.demo_content.files import fingerprint
from charity_site.disclosures.operations import deletion_refusal as disclosures_refusal
from charity_site.extensions import db
from charity_site.finance.ledger import deletion_refusal as ledger_refusal
from charity_site.projects.models import Project, ProjectUpdate
from charity_site.search import index as search


def _deletion_refusal(project: Project) -> str | None:
    return ledger_refusal(project_id=project.id) or disclosures_refusal(project_id=project.id)


PROJECT = EditableKind("project", Project, fields=(
    "category", "project_status", "start_date", "end_date", "budget_fen", "goal_fen", "beneficiaries",
    "service_sessions", "people_served", "responsible_person", "contact", "fund_id", "featured", "cover_image",
), deletion_refusal=_deletion_refusal, on_saved=search.index_item, on_removed=search.remove_item)

UPDATE_FIELDS = ("happened_on", "title", "body_md", "published")


@operation
def save_project_update(project: Project, update: ProjectUpdate | None, data: dict, *,
                        expected_version: int | None = None, actor=None) -> ProjectUpdate:
    creating = update is None
    if creating:
        update = ProjectUpdate(project_id=project.id)
    else:
        lock_current(update, expected_version)
    before = {} if creating else snapshot(update, UPDATE_FIELDS)
    for name in UPDATE_FIELDS:
        setattr(update, name, data[name])
    if creating:
        update.slug = f"{data['happened_on'].isoformat()}-{fingerprint({'t': data['title'], 'n': str(utcnow())})[:6]}"
    db.session.add(update)
    flush_or_refuse(update)
    changes = diff(before, snapshot(update, UPDATE_FIELDS))
    if creating or changes:
        record_audit("create" if creating else "update", "project_update", update.id,
                     label=f"{project.title}：{update.title}", changes=changes, user=actor)
    return update


@operation
def delete_project_update(update: ProjectUpdate, *, actor=None) -> str:
    """Delete a hidden update; one shown on the project page is hidden instead."""
    lock_row(update)
    if update.published:
        update.published = False
        record_audit("unpublish", "project_update", update.id, label=update.title,
                     changes={"published": [True, False]}, user=actor)
        return "unpublished"
    record_audit("delete", "project_update", update.id, label=update.title,
                 changes=diff(snapshot(update, UPDATE_FIELDS), {}), user=actor)
    db.session.delete(update)
    return "deleted"
