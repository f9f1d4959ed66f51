"""The public ledger's filters (/ledger and its open-data download): what a donor can narrow it by.

Besides fund, project, kind, category, channel and dates, a donor can find a line by:

- words of its summary (``q``): at least MIN_SEARCH characters, every word must appear. Only the
  summary is searched, never the counterparty: a person's full name must not find their line (it is
  shown masked). On a million lines this is a scan of the summaries, narrowed by the other filters;
- its voucher number (``voucher``): the number or its beginning, read from the voucher index (a range
  on ``voucher_no``), never a scan;
- its amount (``min``, ``max``, in yuan, both included);
- who the counterparty is (``party``: individuals or organisations), and ``project=none`` for the
  lines booked to no project (what /flows calls 未指定项目 and, in category 管理费用, 行政管理费用).

A malformed amount, a range that ends below its start, or a search too short is explained next to
its field and that filter does not apply; anything else unknown is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from charity_site.core.formatting import MAX_AMOUNT_FEN, MoneyFormatError, format_yuan, yuan_text, yuan_to_fen
from charity_site.extensions import db
from charity_site.finance.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    LEDGER_CHANNELS,
    CounterpartyType,
    EntryKind,
    Fund,
    LedgerEntry,
)
from charity_site.projects.models import Project
from charity_site.web.filters import (
    FilterProblem,
    ListFilters,
    filter_field,
    read_choice,
    read_date,
    read_member,
)
from charity_site.web.input import query_text

LEDGER_CATEGORIES = INCOME_CATEGORIES + EXPENSE_CATEGORIES
MIN_SEARCH = 2  # characters of a summary search: one character would match most of a million lines
MAX_SEARCH = 50
MAX_WORDS = 5
MAX_VOUCHER = 60  # the column's length
_LAST_CHARACTER = "\U0010ffff"  # after every character: p <= v < p + this holds for every v starting with p


@dataclass(frozen=True)
class NoProject:
    """The ``project=none`` choice: lines booked to no project."""

    slug: str = "none"
    id: None = None

    @property
    def title(self) -> str:
        return _("Not for a particular project")


NO_PROJECT = NoProject()


def _read_public(model, none: object | None = None):
    """A public fund or project given by its slug, else by its name (the text field shown instead of a
    drop-down when there are too many to list): the exact name, else the first name containing it.
    ``none`` is what the word 'none' stands for, if anything."""

    def read(args, name):
        written = query_text(args, name, 200).strip()
        if not written or len(written) > 160:
            return None
        if none is not None and written in ("none", none.title):
            return none
        public = select(model).where(model.public_clause())
        for condition in (model.slug == written, model.title == written,
                          model.title.contains(written, autoescape=True)):
            found = db.session.scalars(public.where(condition).order_by(model.title, model.id).limit(1)).first()
            if found is not None:
                return found
        return None

    return read


def _slug_of(item) -> str:
    return item.slug


def _read_several_public(model):
    """Several public funds or projects given by a repeated argument (``?project=a&project=b``, the
    ledger link of a disclosure covering several projects): each read as ``_read_public`` reads one,
    without repeats; None unless at least two are found (one is the plain filter's)."""
    read_one = _read_public(model)

    def read(args, name):
        values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]
        found = {}
        for value in values[:50]:
            item = read_one({name: value}, name) if value else None
            if item is not None:
                found.setdefault(item.id, item)
        return tuple(found.values()) if len(found) > 1 else None

    return read


def _slugs_of(items) -> list[str]:
    return [item.slug for item in items]


def _read_words(args, name: str) -> str | None:
    """Words of a summary search, runs of spaces made one; too short: explained, not applied."""
    words = " ".join(query_text(args, name, 1000).split()[:MAX_WORDS])[:MAX_SEARCH].strip()
    if not words:
        return None
    if len(words.replace(" ", "")) < MIN_SEARCH:
        raise FilterProblem(_("Type at least %(count)s characters to search the summaries.", count=MIN_SEARCH))
    return words


def _read_voucher(args, name: str) -> str | None:
    written = query_text(args, name, 200).strip()
    if not written:
        return None
    if len(written) > MAX_VOUCHER:
        raise FilterProblem(_("A voucher number has at most %(count)s characters.", count=MAX_VOUCHER))
    return written


AMOUNT_FORMAT_MESSAGE = _l("Enter an amount in yuan with at most two decimals, e.g. 1234.50.")


def _read_yuan(args, name: str) -> int | None:
    """An amount in yuan ('1,200', '99.5', '¥300元') as fen; a malformed one is explained."""
    written = query_text(args, name, 100).strip()
    if not written:
        return None
    if len(written) > 40:
        raise FilterProblem(str(AMOUNT_FORMAT_MESSAGE))
    try:
        fen = yuan_to_fen(written)
    except MoneyFormatError:
        raise FilterProblem(str(AMOUNT_FORMAT_MESSAGE)) from None
    if fen < 0:
        raise FilterProblem(_("The amount must not be negative."))
    if fen > MAX_AMOUNT_FEN:
        raise FilterProblem(_("The amount is too large. Please check it (at most %(limit)s).",
                              limit=format_yuan(MAX_AMOUNT_FEN)))
    return fen


def _write_yuan(fen: int) -> str:
    """1200 yuan as '1200', 99.5 as '99.50': as short as it reads back the same."""
    return yuan_text(fen).removesuffix(".00")


def voucher_condition(written: str):
    """Lines whose voucher number is ``written`` or begins with it (as typed, or in capitals): index
    ranges on voucher_no. The LIKE keeps the match exact whatever the database's collation."""
    variants = dict.fromkeys((written, written.upper()))
    return or_(*(and_(LedgerEntry.voucher_no >= prefix, LedgerEntry.voucher_no < prefix + _LAST_CHARACTER,
                      LedgerEntry.voucher_no.startswith(prefix, autoescape=True)) for prefix in variants))


@dataclass(frozen=True)
class LedgerFilters(ListFilters):
    """The /ledger filters as they appear in the URL; unknown or malformed values are ignored."""

    fund: Fund | None = filter_field(_read_public(Fund), write=_slug_of)
    project: Project | NoProject | None = filter_field(_read_public(Project, none=NO_PROJECT), write=_slug_of)
    # Every project of a repeated ?project= (then ``project`` is the first of them), else None.
    projects: tuple[Project, ...] | None = filter_field(_read_several_public(Project), arg="project",
                                                        write=_slugs_of)
    kind: EntryKind | None = filter_field(read_member(EntryKind))
    category: str | None = filter_field(read_choice(LEDGER_CATEGORIES))
    channel: str | None = filter_field(read_choice(LEDGER_CHANNELS))
    party: CounterpartyType | None = filter_field(read_member(CounterpartyType))
    date_from: date | None = filter_field(read_date, arg="from")
    date_to: date | None = filter_field(read_date, arg="to")
    q: str | None = filter_field(_read_words)
    voucher: str | None = filter_field(_read_voucher)
    amount_min: int | None = filter_field(_read_yuan, arg="min", write=_write_yuan)
    amount_max: int | None = filter_field(_read_yuan, arg="max", write=_write_yuan)

    def checked(self) -> LedgerFilters:
        checked = self
        if self.date_from and self.date_to and self.date_from > self.date_to:
            checked = replace(self, date_from=self.date_to, date_to=self.date_from)
        if (self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max):
            checked = checked.with_problem("max", _("The highest amount must not be below the lowest amount."))
        return checked

    @property
    def amount_range_applies(self) -> bool:
        return not ({"min", "max"} & set(self.problems))

    @property
    def no_project(self) -> bool:
        return self.project is NO_PROJECT

    def conditions(self) -> list:
        conditions = []
        if self.fund:
            conditions.append(LedgerEntry.fund_id == self.fund.id)
        if self.no_project:
            conditions.append(LedgerEntry.project_id.is_(None))
        elif self.projects:
            conditions.append(LedgerEntry.project_id.in_([project.id for project in self.projects]))
        elif self.project:
            conditions.append(LedgerEntry.project_id == self.project.id)
        if self.kind:
            conditions.append(LedgerEntry.kind == self.kind)
        if self.category:
            conditions.append(LedgerEntry.category == self.category)
        if self.channel:
            conditions.append(LedgerEntry.channel == self.channel)
        if self.party:
            conditions.append(LedgerEntry.counterparty_type == self.party)
        if self.date_from:
            conditions.append(LedgerEntry.occurred_on >= self.date_from)
        if self.date_to:
            conditions.append(LedgerEntry.occurred_on <= self.date_to)
        if self.q:
            # The summary only: never the counterparty, whose name is shown masked for a person.
            conditions += [LedgerEntry.summary.icontains(word, autoescape=True) for word in self.q.split()]
        if self.voucher:
            conditions.append(voucher_condition(self.voucher))
        if self.amount_range_applies:
            if self.amount_min is not None:
                conditions.append(LedgerEntry.amount_fen >= self.amount_min)
            if self.amount_max is not None:
                conditions.append(LedgerEntry.amount_fen <= self.amount_max)
        return conditions

    def only(self) -> str | None:
        """The one filter set, when only fund or only a project (not 'none') narrows: the summary tables
        then hold its count and totals. None when another filter, or none, is set."""
        if self.projects:
            return None
        narrowing = list(self.as_args())
        if narrowing == ["fund"]:
            return "fund"
        if narrowing == ["project"] and not self.no_project:
            return "project"
        return None
