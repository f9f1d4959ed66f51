"""Staff roles: what each may do."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    ADMIN = "admin"  # everything, including users and settings
    EDITOR = "editor"  # pages, news, projects and their updates
    FINANCE = "finance"  # funds, ledger, disclosures, pledges
    COORDINATOR = "coordinator"  # volunteers, opportunities, shifts
