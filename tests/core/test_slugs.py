"""Automatic web addresses: a few pinyin words from the title, short enough to read and share."""

from __future__ import annotations

import pytest

from charity_site.core.slugs import AUTO_SLUG_LENGTH, is_valid_slug, slugify


@pytest.mark.parametrize(("title", "slug"), [
    ("社区长者助餐点开张", "she-qu-zhang-zhe"),
    ("“筑梦未来”儿童特教 2024", "zhu-meng-wei-lai-2024"),
    ("番禺区慈善会2025年度工作报告", "pan-yu-qu-ci-2025"),
    ("Café 慈善", "cafe-ci-shan"),
    ("！！！", "item"),
])
def test_an_automatic_address_is_the_first_pinyin_words_and_the_year(title, slug):
    assert slugify(title) == slug


def test_a_long_title_gives_a_short_valid_address():
    title = "关于2024年第四季度慈善救助项目经费使用情况的公示（番禺区慈善会社区慈善基金）"
    slug = slugify(title)
    assert len(slug) <= AUTO_SLUG_LENGTH
    assert is_valid_slug(slug)
    assert slugify("Supercalifragilisticexpialidocious-extraordinarily-long") == "supercalifragilisticexpialidocio"
