"""Chinese is the default language, so every user-visible string must have a Chinese text."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]")


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.venv tests bench migrations node_modules",
         "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with (ROOT / "translations/zh_Hans/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(msgid) for msgid in wanted if msgid not in translated)
    assert not missing, "untranslated (run `make messages` and translate):\n" + "\n".join(missing)


def test_chinese_translations_keep_every_placeholder():
    with (ROOT / "translations/zh_Hans/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and message.string and isinstance(message.id, str):
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


@pytest.mark.parametrize("language, required, choice", [
    ("en", "This field is required.", "Not a valid choice."),
    ("zh_Hans", "该字段是必填字段。", "不是有效的选择。"),
])
def test_wtforms_built_in_messages_follow_the_page_language(client, language, required, choice):
    from tests.accounts.helpers import post

    client.set_cookie("lang", "zh_Hans" if language == "en" else "en")
    client.get("/account/register")  # a page in the other language first, as on a busy server
    client.set_cookie("lang", language)
    page = post(client, "/account/register", {"phone": "", "platform": "not-a-platform"}) \
        .get_data(as_text=True)
    assert required in page and choice in page
    assert ("该字段" in page) == (language == "zh_Hans")


CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# A half-width , ; : ! ? ( ) touching Chinese text on either side (an optional space between).
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"{CJK}\s?[,;:!?()]|[,;:!?()]\s?{CJK}")
# Placeholders, URLs and clock times keep their ASCII punctuation.
NOT_PROSE = re.compile(r"%\(\w+\)[sdr]|\{\w+\}|https?://\S+|\d:\d")


def _chinese_translations():
    with open(ROOT / "translations/zh_Hans/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            yield message.id, text


def test_chinese_text_uses_full_width_punctuation():
    offenders = [text for msgid, text in _chinese_translations()
                 # bbox=minlon,minlat,... describes the API's ASCII syntax
                 if "bbox" not in str(msgid)
                 and HALF_WIDTH_NEXT_TO_CHINESE.search(NOT_PROSE.sub("", text))]
    assert offenders == []


def test_the_union_addresses_people_as_nin():
    assert [text for _msgid, text in _chinese_translations() if "你" in text] == []
