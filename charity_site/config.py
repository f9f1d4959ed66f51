"""Configuration classes, read from the environment.

Pick one with CONFIG=development|production|testing (FLASK_ENV=production is
honoured too). Everything a deployment changes comes from environment
variables; nothing secret lives in the repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    SITE_TIMEZONE = "Asia/Shanghai"

    CONTENT_DIR = str(PROJECT_ROOT / "content")
    UPLOAD_DIR: str | None = None
    # Spreadsheets waiting between the import preview and its confirmation (default instance/imports).
    LEDGER_IMPORT_DIR: str | None = None
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    # A request may be a little larger than the file it carries (multipart overhead, other fields).
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 1024 * 1024
    IMAGE_MAX_SIDE = 1600
    IMAGE_MAX_PIXELS = 64_000_000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Cookies the site sets itself (the font size) follow SESSION_COOKIE_SECURE.
    STRICT_TRANSPORT_SECURITY: str | None = None  # the HSTS header, when the site is served over HTTPS only
    PREFERRED_URL_SCHEME = "http"
    SITE_URL: str | None = None
    REDIS_URL: str | None = None
    # The page cache of anonymous public pages (web/page_cache.py): in this process by default, in Redis
    # when REDIS_URL is set. Any public write invalidates it at once; TTL is the safety net (seconds).
    PAGE_CACHE = True
    PAGE_CACHE_TTL = 300
    PAGE_CACHE_MAX_ENTRIES = 10000  # pages and, beside each address, the note of the query parameters it reads
    PAGE_CACHE_MAX_BYTES = 64 * 1024 * 1024  # per process: its stored pages, or with Redis its copies of them
    PAGE_CACHE_GENERATION_FILE: str | None = None  # default instance/page_generation
    PAGE_CACHE_REDIS_PREFIX = "charity:cache:"

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a staff member may take an hour over an article

    # Rate limits: in memory by default; shared in Redis when REDIS_URL is set.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"

    PASSWORD_MIN_LENGTH = 10
    # Production refuses SQLite unless this is set: fine for a small site on one server.
    ALLOW_SQLITE_IN_PRODUCTION = False

    # Messages to donors and volunteers: SMTP when SMTP_HOST is set, else .eml files in MAIL_OUTBOX_DIR.
    MAIL_FROM: str | None = None
    MAIL_FROM_NAME: str | None = None
    MAIL_OUTBOX_DIR: str | None = None  # default instance/outbox
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True
    SMTP_SSL = False
    # Loading demo content on an empty database is the newcomer's default.
    LOAD_DEMO_CONTENT = True
    # Fernet key that encrypts volunteers' ID numbers; generated under instance/ outside production,
    # required in production before anyone can sign up for an opportunity that asks for an ID.
    VOLUNTEER_ID_KEY: str | None = None
    VOLUNTEER_SIGNUP_LIMIT = "60 per hour"  # a community centre signs its members up from one address
    VOLUNTEER_LOOKUP_LIMIT = "10 per 15 minutes"
    VOLUNTEER_PERSON_IN_CHARGE = "志愿服务负责人"  # named on service certificates (志愿服务记录证明)

    @classmethod
    def from_environment(cls) -> dict:
        """Values that come from the environment at start-up."""
        values: dict = {}
        for key in ("SECRET_KEY", "SITE_URL", "REDIS_URL", "UPLOAD_DIR", "LEDGER_IMPORT_DIR", "CONTENT_DIR",
                    "MAIL_FROM", "MAIL_FROM_NAME", "MAIL_OUTBOX_DIR", "SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD",
                    "VOLUNTEER_ID_KEY", "VOLUNTEER_SIGNUP_LIMIT", "VOLUNTEER_LOOKUP_LIMIT", "VOLUNTEER_PERSON_IN_CHARGE"):
            if os.environ.get(key):
                values[key] = os.environ[key]
        if os.environ.get("REDIS_URL"):
            values["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
        if os.environ.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
        if os.environ.get("MAX_UPLOAD_MB"):
            values["MAX_UPLOAD_BYTES"] = int(os.environ["MAX_UPLOAD_MB"]) * 1024 * 1024
            values["MAX_CONTENT_LENGTH"] = values["MAX_UPLOAD_BYTES"] + 1024 * 1024
        if os.environ.get("PAGE_CACHE") is not None:
            values["PAGE_CACHE"] = _env_bool("PAGE_CACHE", True)
        if os.environ.get("PAGE_CACHE_TTL"):
            values["PAGE_CACHE_TTL"] = int(os.environ["PAGE_CACHE_TTL"])
        if os.environ.get("SMTP_PORT"):
            values["SMTP_PORT"] = int(os.environ["SMTP_PORT"])
        for key in ("SMTP_STARTTLS", "SMTP_SSL"):
            if os.environ.get(key) is not None:
                values[key] = _env_bool(key, False)
        if os.environ.get("LOAD_DEMO_CONTENT") is not None:
            values["LOAD_DEMO_CONTENT"] = _env_bool("LOAD_DEMO_CONTENT", True)
        if os.environ.get("ALLOW_SQLITE_IN_PRODUCTION") is not None:
            values["ALLOW_SQLITE_IN_PRODUCTION"] = _env_bool("ALLOW_SQLITE_IN_PRODUCTION", False)
        return values


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    LOAD_DEMO_CONTENT = False


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    LOAD_DEMO_CONTENT = False


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_name_from_environment() -> str:
    name = os.environ.get("CONFIG") or os.environ.get("FLASK_ENV") or "development"
    name = name.strip().lower()
    if name not in CONFIGS:
        raise ConfigurationError(
            f"Unknown CONFIG '{name}'. Use one of: {', '.join(sorted(CONFIGS))}."
        )
    return name


MIN_SECRET_KEY_LENGTH = 32
NEW_KEY_HINT = "e.g. python -c 'import secrets; print(secrets.token_hex(32))'"


def check_production(config) -> None:
    """Refuse a production configuration that would be unsafe, with a message saying what to set."""
    key = config.get("SECRET_KEY") or ""
    if not key:
        raise ConfigurationError(
            "SECRET_KEY is not set. In production set the SECRET_KEY environment variable "
            f"to a long random value, {NEW_KEY_HINT}."
        )
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"SECRET_KEY is too short ({len(key)} characters). In production it must be at least "
            f"{MIN_SECRET_KEY_LENGTH} characters of random text, {NEW_KEY_HINT}."
        )
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not database:
        raise ConfigurationError("DATABASE_URL is not set. Production needs a PostgreSQL DATABASE_URL.")
    if database.startswith("sqlite") and not config.get("ALLOW_SQLITE_IN_PRODUCTION"):
        raise ConfigurationError(
            "DATABASE_URL points at SQLite. Production needs a PostgreSQL DATABASE_URL, which several "
            "servers can share. A small site on one server may keep SQLite: set ALLOW_SQLITE_IN_PRODUCTION=1."
        )


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// URLs hosting providers hand out and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def development_secret_key(instance_path: Path) -> str:
    """Generate a secret key once and keep it under instance/ for later starts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key
