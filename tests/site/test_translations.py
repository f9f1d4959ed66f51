"""The Simplified Chinese catalogue is complete and its compiled form is current."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from charity_site.config import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "charity_site" / "translations" / "zh_Hans" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extracted_message_ids() -> set[str]:
    with open(PROJECT_ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def singular(message_id) -> str:
    """Plural entries have (singular, plural) ids; they are looked up by the singular."""
    return message_id if isinstance(message_id, str) else message_id[0]


def translation(message_string) -> tuple[str, ...]:
    """Every form of a translation, so plural and singular entries compare alike."""
    return (message_string,) if isinstance(message_string, str) else tuple(message_string)


def test_every_ui_message_has_a_chinese_translation():
    with open(CATALOGUE / "messages.po", "rb") as po_file:
        catalogue = read_po(po_file)
    translated = {
        singular(message.id): all(translation(message.string)) for message in catalogue if message.id
    }
    missing = sorted(message for message in extracted_message_ids() if not translated.get(message))
    assert missing == [], f"untranslated UI text (run pybabel update, translate, compile): {missing}"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as po_file:
        source = {singular(message.id): translation(message.string) for message in read_po(po_file) if message.id}
    with open(CATALOGUE / "messages.mo", "rb") as mo_file:
        compiled = {singular(message.id): translation(message.string) for message in read_mo(mo_file) if message.id}
    assert compiled == source, "messages.mo is stale: run pybabel compile -d charity_site/translations"


def test_pages_are_served_in_simplified_chinese(client):
    body = client.get("/").get_data(as_text=True)
    for label in ("首页", "慈善项目", "新闻动态", "信息公开", "我要捐赠", "志愿服务", "关于我们"):
        assert label in body
    assert 'lang="zh-Hans"' in body
