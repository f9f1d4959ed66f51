"""Shared test helpers that are not fixtures."""

from __future__ import annotations

import os

import pytest

REQUIRE_FULL_SUITE = os.environ.get("REQUIRE_FULL_SUITE") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where everything must run."""
    if REQUIRE_FULL_SUITE:
        pytest.fail(f"{reason} (REQUIRE_FULL_SUITE=1: CI must run this test)", pytrace=False)
    pytest.skip(reason)
