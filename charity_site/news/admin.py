"""Staff editing of news articles."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectChoice

from charity_site.core.roles import Role
from charity_site.extensions import db
from charity_site.files.queries import picker_images
from charity_site.news.forms import NewsForm
from charity_site.news.operations import NEWS
from charity_site.projects.models import Project
from charity_site.web.access import staff_blueprint
from charity_site.web.choices import by_pinyin
from charity_site.web.editor import EditorSpec, register_editor
from charity_site.web.publishable_form import NEWS_CATEGORIES

bp = staff_blueprint("admin_news", __name__, "/admin/news", roles=(Role.EDITOR,),
                     menu_label=_l("News"))


def _prepare(form, post):
    categories = list(NEWS_CATEGORIES)
    if post is not None and post.category and post.category not in categories:
        categories.append(post.category)
    form.category.choices = [SelectChoice("", "—")] + [SelectChoice(category, category) for category in categories]
    form.project_ids.choices = [
        SelectChoice(project.id, project.title)
        for project in by_pinyin(db.session.scalars(select(Project)))
    ]


def _load(form, post):
    form.project_ids.data = [project.id for project in post.projects]


register_editor(bp, EditorSpec(
    kind=NEWS, form_class=NewsForm, label=_l("News"), new_label=_l("Write news"),
    public_endpoint="news.detail", prepare_form=_prepare, load_form=_load,
    extra_columns=((_l("Category"), "category"),), search_columns=("title", "slug", "source"),
    picker_images=picker_images,
))
