"""Segmenting text and queries for site search, and highlighting: pure functions, no database."""

from __future__ import annotations

import pytest

from charity_site.search.snippets import highlight, make_snippet
from charity_site.search.tokens import (
    MAX_QUERY_CHARS,
    Term,
    fts5_expression,
    parse_query,
    segment,
    tokenize,
    tsquery_expression,
)


def test_a_cjk_run_becomes_its_bigrams_and_a_closing_sentinel():
    assert tokenize("慈善救助") == "慈善 善救 救助 助x"
    assert tokenize("助") == "助x"


def test_ascii_runs_are_lower_case_words_and_everything_else_separates():
    assert tokenize("COVID-19 防控, iPhone15！") == "covid 19 防控 控x iphone15"
    assert tokenize("2024年救助") == "2024 年救 救助 助x"


def test_full_width_letters_and_digits_fold_to_ascii():
    assert tokenize("２０２４年ＡＢＣ") == "2024 年x abc"


def test_extension_a_and_compatibility_ideographs_count_as_cjk():
    assert tokenize("㐀㐁") == "㐀㐁 㐁x"
    assert tokenize("\uf900\uf901") == "\uf900\uf901 \uf901x"


def test_empty_and_symbol_only_text_gives_no_tokens():
    assert tokenize("") == ""
    assert tokenize(None) == ""
    assert tokenize("——，。！？《》😀 ") == ""


def test_runs_separated_by_punctuation_or_space_do_not_form_bigrams_across_the_gap():
    tokens = tokenize("慈善 救助，助学").split()
    assert "善救" not in tokens
    assert "助助" not in tokens


def test_a_two_character_word_is_one_token_phrase():
    assert parse_query("救助").terms == (Term("救助", ("救助",)),)
    assert parse_query("助学").terms == (Term("助学", ("助学",)),)


def test_a_single_character_is_a_prefix_term():
    assert parse_query("助").terms == (Term("助", ("助",), prefix=True),)


def test_a_longer_word_is_the_phrase_of_its_bigrams():
    assert parse_query("助学金").terms == (Term("助学金", ("助学", "学金")),)


def test_a_space_less_query_is_split_into_words_by_jieba():
    assert parse_query("番禺救助").words == ("番禺", "救助")
    assert parse_query("慈善 救助").words == ("慈善", "救助")


def test_a_compound_covered_by_dictionary_words_is_split_for_recall():
    assert segment("贫困学生") == ["贫困", "学生"]
    assert segment("助学金") == ["助学金"]


def test_single_characters_jieba_could_not_place_are_joined_again():
    assert segment("得很好") == ["得很好"]


def test_ascii_words_in_a_query_are_folded():
    assert parse_query("COVID 2024").words == ("covid", "2024")


def test_operators_quotes_and_punctuation_never_reach_the_query_syntax():
    for hostile in ('"', "*", "NEAR(", "'; DROP TABLE", "!!!", "（）", "^:-{}", "😀", ""):
        parsed = parse_query(hostile)
        for term in parsed.terms:
            for token in term.tokens:
                assert token.isalnum(), (hostile, token)
    assert parse_query('"').terms == ()
    assert parse_query("*").terms == ()
    assert parse_query("😀").terms == ()
    assert parse_query('救助" OR 1=1 --').words == ("救助", "or", "1")


def test_the_query_is_stripped_and_capped():
    parsed = parse_query("  救助 " + "助" * 300)
    assert parsed.text.startswith("救助 ")
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert parse_query(None).terms == ()


def test_duplicate_words_are_searched_once():
    assert parse_query("救助 救助").words == ("救助",)


def test_fts5_expression_quotes_every_phrase_and_ands_them():
    parsed = parse_query("慈善救助金 助")
    expression = fts5_expression(parsed)
    assert expression.count(" AND ") == len(parsed.terms) - 1
    assert '"助"*' in expression
    assert fts5_expression(parse_query("救助"), "title_tokens") == 'title_tokens : ("救助")'


def test_tsquery_expression_uses_phrases_prefixes_and_weights():
    assert tsquery_expression(parse_query("助学金")) == "('助学' <-> '学金')"
    assert tsquery_expression(parse_query("助")) == "'助':*"
    assert tsquery_expression(parse_query("救助 abc"), "A") == "'救助':A & 'abc':A"
    assert tsquery_expression(parse_query("助"), "A") == "'助':*A"


def test_highlight_marks_every_occurrence_and_escapes_the_rest():
    html = str(highlight("<b>救助</b> & 医疗救助", ("救助",)))
    assert html == "&lt;b&gt;<mark>救助</mark>&lt;/b&gt; &amp; 医疗<mark>救助</mark>"


def test_highlight_marks_ascii_words_whole_and_case_insensitively():
    html = str(highlight("Covid covid19 COVID", ("covid",)))
    assert html == "<mark>Covid</mark> covid19 <mark>COVID</mark>"


def test_highlight_joins_touching_words_and_leaves_text_without_words_alone():
    assert str(highlight("慈善救助", ("慈善", "救助"))) == "<mark>慈善救助</mark>"
    assert str(highlight("a < b", ())) == "a &lt; b"


def test_a_highlighted_query_word_cannot_inject_markup():
    assert "<script>" not in str(highlight("<script>", ("script",)))


def test_snippet_shows_the_text_around_the_first_match_with_ellipses():
    text = "甲" * 100 + "救助" + "乙" * 100
    snippet = str(make_snippet(text, ("救助",)))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>救助</mark>" in snippet
    assert 55 <= len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 66


def test_snippet_of_short_text_is_the_whole_text():
    assert str(make_snippet("医疗救助", ("救助",))) == "医疗<mark>救助</mark>"


def test_snippet_without_a_match_is_the_start_of_the_text():
    snippet = str(make_snippet("甲" * 100, ("救助",)))
    assert snippet == "甲" * 60 + "…"


def test_snippet_does_not_cut_inside_an_ascii_word_or_an_emoji_sequence():
    emoji = str(make_snippet("救助a" + "👍🏽" * 40, ("救助",)))
    assert emoji.endswith("👍🏽…")
    words = str(make_snippet("救助" + "x" * 55 + " charity " + "y" * 50, ("救助",)))
    assert words.endswith(" charity…")


@pytest.mark.parametrize("text", ["", None])
def test_snippet_of_nothing_is_empty(text):
    assert str(make_snippet(text, ("救助",))) == ""


def test_snippet_starts_after_a_nearby_punctuation_mark():
    text = "甲" * 100 + "统，汇聚走访慰问数据、慈善救助8412人次" + "乙" * 60
    snippet = str(make_snippet(text, ("救助",)))
    assert snippet.startswith("…汇聚走访慰问数据、慈善<mark>救助</mark>")
