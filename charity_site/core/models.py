"""Column types and mixins shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, Integer, String, Text, TypeDecorator, bindparam, or_
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# The largest value an Integer column holds on PostgreSQL (a signed 32-bit ``integer``): every id
# and every count. Input is bounded by it (charity_site.web.input) so that no value reaches the
# database only to overflow there.
INTEGER_MAX = 2**31 - 1


# A model whose rows never show on a public page says so with ``__shown_publicly__ = False``: writing
# it does not invalidate the page cache (core/public_changes.py). Every other model is public by default,
# so a forgotten model costs a few cache misses, never a stale page.
SHOWN_PUBLICLY = "__shown_publicly__"


def shown_publicly(model_class: type) -> bool:
    """Whether writing a row of ``model_class`` may change what a public page shows."""
    return getattr(model_class, SHOWN_PUBLICLY, True)


def utcnow() -> datetime:
    return datetime.now(UTC)


def now_param():
    """The moment the statement runs, as a bound parameter: a statement that compares with "now" can then
    be built once (core/statements.py) and still read the clock at each execution."""
    return bindparam("now", callable_=lambda: utcnow())


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and handed back timezone-aware.

    SQLite keeps no zone, PostgreSQL's ``timestamp without time zone`` neither;
    storing UTC everywhere and attaching the zone on the way out makes both
    backends behave the same.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a timezone first")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def str_enum(enum_class: type[enum.Enum], length: int = 24) -> Enum:
    """Store an enum as its value in a VARCHAR, so new members need no type migration."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class IllegalTransition(ValueError):
    """A status change that the state machine does not allow."""


class StateMachine(str, enum.Enum):
    """A status enum whose legal moves are listed in ``_transitions``."""

    @classmethod
    def allowed(cls) -> dict:  # pragma: no cover - overridden
        return {}

    def can_become(self, target: StateMachine) -> bool:
        return target in type(self).allowed().get(self, ())

    def transition(self, target: StateMachine) -> StateMachine:
        if not self.can_become(target):
            raise IllegalTransition(f"{type(self).__name__}: {self.value} → {target.value} is not allowed")
        return target


class PublicationStatus(StateMachine):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"

    @classmethod
    def allowed(cls) -> dict:
        return {
            cls.DRAFT: (cls.SCHEDULED, cls.PUBLISHED),
            cls.SCHEDULED: (cls.DRAFT, cls.PUBLISHED),
            cls.PUBLISHED: (cls.DRAFT,),
        }


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ContentSourceMixin:
    """Tracks records that came from content/ files.

    ``source_loaded_at`` equals ``updated_at`` right after the loader wrote the
    record; any later staff save moves ``updated_at`` on, which is how the loader
    knows not to overwrite it.
    """

    source_path: Mapped[str | None] = mapped_column(String(255))
    source_hash: Mapped[str | None] = mapped_column(String(64))
    source_loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def edited_since_load(self) -> bool:
        if self.source_loaded_at is None:
            return True  # created by staff, not by the loader
        return self.updated_at is not None and self.updated_at > self.source_loaded_at


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps ``version``.

    An edit made on a stale copy fails instead of silently overwriting someone
    else's save (SQLAlchemy raises StaleDataError; services turn it into StaleEdit).
    """

    version: Mapped[int] = mapped_column(Integer, default=lambda: 1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class PublishableMixin(VersionedMixin, ContentSourceMixin):
    """A slugged, Markdown-bodied item with a draft/scheduled/published status."""

    slug: Mapped[str] = mapped_column(String(160), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default=str)
    body_md: Mapped[str] = mapped_column(Text, default=str)
    status: Mapped[PublicationStatus] = mapped_column(
        str_enum(PublicationStatus), default=lambda: PublicationStatus.DRAFT, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @classmethod
    def public_clause(cls, now: datetime | None = None):
        """SQL condition: published (or scheduled and due) and not in the future (``now``: when the
        statement runs)."""
        if now is None:
            now = now_param()
        return (
            or_(cls.status == PublicationStatus.PUBLISHED, cls.status == PublicationStatus.SCHEDULED)
            & cls.published_at.is_not(None)
            & (cls.published_at <= now)
        )

    def is_public(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.status in (PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= now
        )
