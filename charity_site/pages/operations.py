"""Staff writes to standing pages: the generic editor's kind (core/editing.py)."""

from __future__ import annotations

from charity_site.core.editing import EditableKind
from charity_site.pages.models import Page
from charity_site.search import index as search

PAGE = EditableKind("page", Page, fields=("nav_order",), on_saved=search.index_item, on_removed=search.remove_item)
