"""No hand-kept message tables (issue 15): every message's Chinese comes from the gettext
catalogues (docs/translating.md), so no Python module under src/rightsgraph writes Chinese
text or a `{"en": ..., "zh": "..."}` pair itself. Only the modules below may, each for the
reason given."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import rightsgraph

PACKAGE = Path(rightsgraph.__file__).resolve().parent

# Han ideographs (CJK punctuation such as 、《》 is typography, which stays in code).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
LANGUAGE_TAGS = {"", "en", "zh"}

ALLOWED = {
    # the bilingual rdfs:labels of the ontology and the open licences: data written into
    # the graph, not messages
    "licences/vocabulary.py",
    "policy/open_licences.py",
    # the language machinery itself (language tags, the catalogue loader)
    "translation.py",
    "web/i18n.py",
    # demo content: the OCR text of a Chinese journal issue, not a message
    "preservation/demo_content.py",
}


def _has_text(node: ast.AST) -> bool:
    """Whether an expression holds words written in the code: a string literal with a
    letter in it, other than a language tag or a key that reads data (d["k"], d.get("k"))."""
    keys = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript):
            keys.add(id(n.slice))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args:
            keys.add(id(n.args[0]))
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value not in LANGUAGE_TAGS:
            if id(n) not in keys and any(c.isalpha() for c in n.value):
                return True
    return False


def hand_kept_chinese(source: str) -> list[str]:
    """Where a module writes Chinese itself: a Han character anywhere (code, string or
    comment), or a "zh" dict key / zh= keyword whose value is text written in the code."""
    found = [f"line {i}: Chinese text" for i, line in enumerate(source.splitlines(), 1) if HAN.search(line)]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "zh" and _has_text(value):
                    found.append(f'line {key.lineno}: a "zh": text in the code')
        elif isinstance(node, ast.keyword) and node.arg == "zh" and _has_text(node.value):
            found.append(f"line {node.lineno}: a zh= text in the code")
    return found


def test_the_detector_finds_each_kind_of_hand_kept_message():
    assert hand_kept_chinese('MESSAGES = {"empty": ("is empty", "为空")}\n')
    assert hand_kept_chinese('# 中文注释\nx = 1\n')
    assert hand_kept_chinese('t = {"en": "backup failed", "zh": "backup failed"}\n')
    assert hand_kept_chinese('t = {"en": f"{x} failed", "zh": f"{x} bad"}\n')
    assert hand_kept_chinese('raise Refused(en="too deep", zh="too deep")\n')
    # not messages: typography, language tags, texts from the catalogues or from data
    assert not hand_kept_chinese('SEP = {"en": ", ", "zh": "、"}\n')
    assert not hand_kept_chinese('t = {"en": d.get("en"), "zh": d.get("zh") or d.get("en")}\n')
    assert not hand_kept_chinese('t = both("backup failed")\nu = {"en": t["en"], "zh": t["zh"]}\n')
    assert not hand_kept_chinese('c = {"zh": row.get("comment_zh", ""), "en": row["comment_en"]}\n')


def test_no_module_keeps_its_own_chinese_messages():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name in ALLOWED:
            continue
        found = hand_kept_chinese(path.read_text(encoding="utf-8"))
        if found:
            offenders[name] = found[:3] + ([f"... {len(found) - 3} more"] if len(found) > 3 else [])
    assert not offenders, ("messages belong in the gettext catalogues (docs/translating.md): "
                           f"{offenders}")


def test_the_allow_list_names_modules_that_exist():
    assert not [name for name in ALLOWED if not (PACKAGE / name).exists()]
