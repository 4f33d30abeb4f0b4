"""The text domain: every string is in the .pot, and the German .mo is the compiled .po."""

import ast
import gettext
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "wordpress-plugin"
LANGUAGES = PLUGIN / "languages"
CALL = re.compile(
    r"\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'([a-z-]+)'\s*\)"
)


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po/.pot file, without the header."""
    entries = {}
    for block in path.read_text().split("\n\n"):
        fields = {}
        for key in ("msgid", "msgstr"):
            match = re.search(rf'^{key} ((?:".*"\n?)+)', block + "\n", re.M)
            if match:
                fields[key] = "".join(
                    ast.literal_eval(part)
                    for part in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1))
                )
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


def source_strings() -> list[tuple[str, str]]:
    found = []
    for path in PLUGIN.rglob("*.php"):
        for text, domain in CALL.findall(path.read_text()):
            found.append((text.replace("\\'", "'"), domain))
    return found


def test_every_string_uses_the_shopchat_text_domain() -> None:
    strings = source_strings()
    assert len(strings) > 40
    assert {domain for _, domain in strings} == {"shopchat"}


def test_every_string_is_in_the_pot() -> None:
    pot = po_entries(LANGUAGES / "shopchat.pot")
    missing = sorted({text for text, _ in source_strings()} - pot.keys())
    assert not missing, (
        f"regenerate languages/shopchat.pot (see docs/wordpress-plugin.md): {missing}"
    )


def test_german_po_translates_everything_in_the_pot() -> None:
    german = po_entries(LANGUAGES / "shopchat-de_DE.po")
    pot = po_entries(LANGUAGES / "shopchat.pot")
    assert pot.keys() == german.keys()
    assert all(german.values())


def test_german_mo_is_the_compiled_po() -> None:
    with (LANGUAGES / "shopchat-de_DE.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for msgid, msgstr in po_entries(LANGUAGES / "shopchat-de_DE.po").items():
        assert catalog.gettext(msgid) == msgstr
