"""Phones and e-mail addresses: accepted as people type them, shown masked."""

from __future__ import annotations

import pytest

from charity_site.core.personal import last_digits_match, mask_email, mask_mobile, normalise_email, normalise_mobile


@pytest.mark.parametrize("typed, stored", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("12812345678", None),  # no such mobile prefix
    ("1381234567", None),
    ("020-84821234", None),  # a landline
    ("", None),
    ("１３８１２３４５６７８", None),  # full-width digits are not accepted silently
])
def test_mainland_mobile_numbers(typed, stored):
    assert normalise_mobile(typed) == stored


def test_email_addresses():
    assert normalise_email("  Zhang@Example.ORG ") == "zhang@example.org"
    assert normalise_email("zhang@example") is None
    assert normalise_email("a b@example.org") is None


def test_masks_show_enough_to_recognise_and_no_more():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_email("zhangsan@example.org") == "z***@example.org"
    assert mask_mobile(None) == "" and mask_email("") == ""


def test_last_four_digits_must_match_exactly():
    assert last_digits_match("13812345678", "5678")
    assert not last_digits_match("13812345678", "678")
    assert not last_digits_match("13812345678", "5679")
    assert not last_digits_match(None, "5678")
