"""A bilingual message built from bilingual parts.

`both(msgid, **fmt)` (translation.py) fills every language with the same values. When a
part is itself a message (a "where" clause, the name of a thing), each language needs its
own words: translate the sentence with `both(msgid)`, its placeholders still open, and fill
it here. The msgids stay literal in `both(...)` calls, so the extractor finds them:

    compose(both("%(what)s nested too deep%(where)s"), what=both("XML elements"), where=at)
"""

from __future__ import annotations


def compose(template: dict[str, str], **parts) -> dict[str, str]:
    """`template` ({lang: text with %(name)s placeholders}) filled in each language; a part
    that is a {lang: text} dict gives each language its own words, any other value is used as
    it is in all of them."""
    return {lang: text % {k: (v.get(lang, v.get("en", "")) if isinstance(v, dict) else v)
                          for k, v in parts.items()}
            for lang, text in template.items()}


def in_lang(texts: dict[str, str], lang: str) -> str:
    """The text of `lang` ("zh", "zh-CN" ... mean Chinese) from {lang: text}, else English."""
    return texts.get("zh" if str(lang).lower().startswith("zh") else "en") or texts.get("en", "")


# Typography, not words (docs/translating.md): how each language joins two parts.
COLON = {"en": ": ", "zh": "："}
SEMICOLON = {"en": "; ", "zh": "；"}


def joined(separator: dict[str, str], *parts) -> dict[str, str]:
    """The parts joined in each language with its own `separator` (COLON, SEMICOLON); a part
    that is a {lang: text} dict gives each language its own words."""
    return {lang: sep.join(str(p.get(lang, p.get("en", ""))) if isinstance(p, dict) else str(p) for p in parts)
            for lang, sep in separator.items()}


def clipped(text: str, limit: int = 200) -> str:
    """`text` as an error message quotes it, cut to `limit` characters and an ellipsis (no
    words: it goes into messages in every language): a 100,000-character parameter is
    named, not sent back whole."""
    return text if len(text) <= limit else text[:limit] + "…"


def echoed(value, limit: int = 200) -> str:
    """`value` quoted as Python writes it (repr), and clipped."""
    return clipped(repr(value), limit)
