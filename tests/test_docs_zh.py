"""The Chinese documents stay in step with their English originals.

A translation carries the English page's code blocks verbatim (same count, text and order), so
the commands a Chinese reader copies are the ones tests/test_docs.py runs from the English page;
its headings follow the English ones level for level, so a reader can switch between them; it is
mostly Chinese; its relative links resolve; and the two versions link to each other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO

# A CommonMark fenced block: an opening fence (``` or ~~~, indented up to three spaces, or two
# more inside a list item) with its info string, the content, and a closing fence of the same
# characters at the same indentation.
FENCE = re.compile(r"^(?P<indent> {0,5})(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
                   re.S | re.M)
HEADING = re.compile(r"^(#{1,6})\s")
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)\)")
AUTOLINK = re.compile(r"<[a-z]+://[^>\s]+>")
URL = re.compile(r"[a-z]+://\S+")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")

# The English document each translation renders; discovered so that a new docs/zh/ page is
# checked without editing this file.
REQUIRED = {"README.zh.md", "docs/zh/web.md", "docs/zh/licences.md", "docs/zh/preservation.md",
            "docs/zh/exchange.md", "docs/zh/usage.md", "docs/zh/loading.md", "docs/zh/backup.md"}


def _english_of(translation: Path) -> Path:
    if translation.name == "README.zh.md":
        return translation.with_name("README.md")
    return translation.parent.parent / translation.name          # docs/zh/x.md -> docs/x.md


def _translations() -> list[str]:
    found = [REPO / "README.zh.md", *sorted((REPO / "docs" / "zh").glob("*.md"))]
    return [str(p.relative_to(REPO)) for p in found if p.exists()]


TRANSLATIONS = _translations()


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Each fenced block as (info string, content), in order."""
    return [(m["info"].strip(), m["body"]) for m in FENCE.finditer(text)]


def headings(text: str) -> list[int]:
    """The level of each heading outside code blocks, in order."""
    return [len(m.group(1)) for line in FENCE.sub("", text).splitlines() if (m := HEADING.match(line))]


def prose(text: str) -> str:
    """The words a reader reads: no code blocks, code spans, link targets or URLs."""
    text = FENCE.sub("", text)
    text = LINK.sub(lambda m: m["text"], text)
    for pattern in (AUTOLINK, URL, INLINE_CODE):
        text = pattern.sub("", text)
    return text


def cjk_share(text: str) -> float:
    """CJK characters among the prose's letters (CJK characters and Latin letters)."""
    words = prose(text)
    cjk, latin = len(CJK.findall(words)), len(LATIN.findall(words))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def relative_links(text: str) -> list[str]:
    targets = [m["target"] for m in LINK.finditer(FENCE.sub("", text))]
    return [t for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def _read(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def test_the_translations_exist():
    missing = REQUIRED - set(TRANSLATIONS)
    assert not missing, f"missing Chinese documents: {sorted(missing)}"


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_code_blocks_are_the_english_ones(translation):
    english = _english_of(REPO / translation)
    ours, theirs = code_blocks(_read(translation)), code_blocks(english.read_text(encoding="utf-8"))
    for index, (zh, en) in enumerate(zip(ours, theirs), start=1):
        assert zh == en, (f"{translation}: code block {index} differs from {english.relative_to(REPO)}'s\n"
                          f"--- zh ({zh[0]})\n{zh[1]}--- en ({en[0]})\n{en[1]}")
    assert len(ours) == len(theirs), (f"{translation} has {len(ours)} code blocks, "
                                      f"{english.relative_to(REPO)} has {len(theirs)}")


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_headings_follow_the_english_ones(translation):
    english = _english_of(REPO / translation)
    assert headings(_read(translation)) == headings(english.read_text(encoding="utf-8")), \
        f"{translation}: headings (levels, in order) differ from {english.relative_to(REPO)}'s"


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_mostly_chinese(translation):
    share = cjk_share(_read(translation))
    assert share >= 1 / 3, f"{translation}: only {share:.0%} of the prose's letters are Chinese"


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_relative_links_resolve(translation):
    here = (REPO / translation).parent
    broken = [t for t in relative_links(_read(translation)) if not (here / t.split("#")[0]).exists()]
    assert not broken, f"{translation}: links to missing files: {broken}"


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_each_version_links_to_the_other(translation):
    path = REPO / translation
    english = _english_of(path)
    first_zh = _read(translation).splitlines()[0]
    first_en = english.read_text(encoding="utf-8").splitlines()[0]
    assert any((path.parent / t).resolve() == english.resolve() for t in relative_links(first_zh)), \
        f"{translation}: the first line does not link to {english.relative_to(REPO)}"
    if translation == "README.zh.md":            # the docs pages' English headings are bilingual
        assert any((english.parent / t).resolve() == path.resolve() for t in relative_links(first_en)), \
            "README.md: the first line does not link to README.zh.md"


# The checks themselves, on small texts: they must see what they claim to see.

def test_a_block_changed_in_one_language_is_seen():
    en = "Intro\n\n```sh\nrightsgraph info\n```\n\n- item\n\n  ```yaml\n  a: 1\n  ```\n"
    zh = "介绍\n\n```sh\nrightsgraph info --json\n```\n\n- 条目\n\n  ```yaml\n  a: 1\n  ```\n"
    assert len(code_blocks(en)) == 2 and code_blocks(en)[1] == ("yaml", "  a: 1\n")
    assert code_blocks(en) != code_blocks(zh)
    assert code_blocks(en) == code_blocks(zh.replace(" --json", ""))


def test_english_prose_is_not_taken_for_chinese():
    assert cjk_share(_read("README.md")) < 0.05
    assert cjk_share("中文说明，`rightsgraph --data-dir var/mystore info` 与 [网页指南](docs/web.md)") == 1.0


def test_relative_links_leave_out_urls_anchors_and_code():
    text = "[a](docs/x.md) [b](https://example.org/) [c](#top) <http://127.0.0.1:8000/>\n```\n[d](no.md)\n```\n"
    assert relative_links(text) == ["docs/x.md"]
