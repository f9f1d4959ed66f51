"""Pagination that stays as fast on the last page of a long list as on the first.

``db.paginate`` reads page n with OFFSET (n - 1) * per_page: the database walks past every earlier
row, so the last of 8,000 pages costs 8,000 pages' reading. Here the count comes first, and a page
past the middle is read from the other end, in the reverse order, with the smaller offset, and its
rows turned round. The caller gives that reverse order (the same columns, each direction flipped,
NULLs on the other side) and the total, however it counts it (an index-only count, or one it
remembers) instead of a count over a subquery of whole rows.
"""

from __future__ import annotations

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from sqlalchemy.orm import Session


class TwoEndedPagination(Pagination):
    """``items``, ``total``, ``pages``, ``iter_pages()``... as ``db.paginate`` gives them."""

    def __init__(self, *, select: Select, reverse_order: tuple, total: int, session: Session,
                 page: int, per_page: int) -> None:
        self._total = total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=True, count=True,
                         select=select, reverse_order=reverse_order, session=session)

    def _query_items(self) -> list:
        select, session = self._query_args["select"], self._query_args["session"]
        offset = self._query_offset
        if offset >= self._total:
            if self.page != 1:
                abort(404)
            return []
        if offset <= self._total // 2:
            return list(session.scalars(select.limit(self.per_page).offset(offset)))
        size = min(self.per_page, self._total - offset)
        backwards = (select.order_by(None).order_by(*self._query_args["reverse_order"])
                     .limit(size).offset(self._total - offset - size))
        return list(reversed(list(session.scalars(backwards))))

    def _query_count(self) -> int:
        return self._total
