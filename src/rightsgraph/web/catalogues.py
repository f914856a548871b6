"""The web pages' gettext catalogues: extract, update, compile (`python dev.py catalogues`).

The .po files (src/rightsgraph/locale/{zh,en}/LC_MESSAGES/messages.po) are the source of the
translations and are edited by hand; the compiled .mo files are committed beside them, so a
git clone and a wheel both work without a build step. tests/test_web_i18n.py checks that
every message has both languages and that each .mo is what its .po compiles to.
"""

from __future__ import annotations

import copy
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import CATALOGUES, LANGUAGES

REPO = Path(__file__).resolve().parents[3]
DOMAIN = "messages"
KEYWORDS = {"_": None, "_w": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "both": None, "pgettext": ((1, "c"), 2)}  # translation.py: the command line's messages


def po_path(lang: str) -> Path:
    return CATALOGUES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every message of the web package (babel.cfg at the repository's top)."""
    with open(REPO / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="rightsgraph", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            REPO, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def compiled(po: Path) -> bytes:
    with open(po, "rb") as f:
        catalog = read_po(f)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> list[str]:
    """Bring each .po up to the code's messages and compile it; returns the messages that
    still need a translation ("lang: msgid")."""
    template = extract()
    missing = []
    for lang in LANGUAGES:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with open(path, "rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="rightsgraph", charset="utf-8")
        # a copy each: Catalog.update adopts the template's new Message objects themselves
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.fuzzy = False                        # the header: translations are reviewed by hand
        for m in catalog:
            if not m.id:
                continue
            if lang == "en" and not any(m.string if isinstance(m.string, tuple) else [m.string]):
                m.string = m.id                      # English is the source language
            if not all(m.string if isinstance(m.string, tuple) else [m.string]):
                missing.append(f"{lang}: {m.id}")
        with open(path, "wb") as f:
            write_po(f, catalog, width=100, omit_header=False, no_location=True, sort_output=True,
                     ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(path))
    return missing


if __name__ == "__main__":
    todo = update()
    for line in todo:
        print("untranslated:", line, file=sys.stderr)
    sys.exit(1 if todo else 0)
