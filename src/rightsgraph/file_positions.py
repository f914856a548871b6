"""Where in a file a problem is, in the reader's language.

The readers of tabular files (COUNTER reports, payments, term sheets) name a place as
"row 17, column L (Jan-2022)", "line 1, column 3" or "byte 12": one fixed grammar, built in
English where the file is read and shown later in either language. A JSON path
("Report_Items[3].Attribute_Performance[0]") and anything else not in that grammar is shown
as it is (it names the file's own keys).
"""

from __future__ import annotations

import re

from .translation import gettext

_PART = re.compile(r"^(row|line|column|byte) (\S+)$")
_NAMED = re.compile(r"^(?P<place>.*?) \((?P<name>[^()]*)\)$")


def _(msgid: str) -> str:
    """Marks a word for the catalogue (extracted as `_`); translated in `in_language`."""
    return msgid


PARTS = {"row": _("row %(n)s"), "line": _("line %(n)s"), "byte": _("byte %(n)s"),
         "column": _("column %(n)s")}          # a spreadsheet's column letter: "column L"
NUMBERED_COLUMN = _("column number %(n)s")     # a text file's: "column 3"
SEPARATOR = {"en": ", ", "zh": "，"}


def in_language(where: str, lang: str) -> str:
    """`where` in `lang`: each part of "row 17, column L (Jan-2022)" from the catalogue, joined
    and bracketed as the language writes them."""
    lang = "zh" if lang == "zh" else "en"
    if lang == "en" or not where:
        return where
    named = _NAMED.match(where)
    place, name = (named["place"], named["name"]) if named else (where, None)
    parts = []
    for part in place.split(", "):
        m = _PART.match(part)
        if m is None:
            return where                   # not the grammar: the file's own words
        msgid = NUMBERED_COLUMN if m[1] == "column" and m[2].isdigit() else PARTS[m[1]]
        parts.append(gettext(msgid, lang, n=m[2]))
    text = SEPARATOR[lang].join(parts)
    return f"{text}（{name}）" if name is not None else text
