"""CLI tables line up in a terminal when their cells hold Chinese (two columns a character)."""

from __future__ import annotations

import re

from rightsgraph.text_columns import clip, ljust, width


def _separator_columns(line: str, sep: str = " | ") -> list[int]:
    """Terminal columns at which each separator starts in `line`."""
    return [width(line[:m.start()]) for m in re.finditer(re.escape(sep), line)]


def test_width_counts_a_chinese_character_as_two_columns():
    assert width("亚洲电子工程杂志") == 16 and width("Journal") == 7 and width("期刊 J") == 6
    assert ljust("期刊", 6) == "期刊  " and width(ljust("期刊", 6)) == 6
    assert clip("亚洲电子工程杂志", 5) == "亚洲" and clip("abc", 5) == "abc"


def test_query_results_table_lines_up_with_chinese_titles():
    from rightsgraph import query as q
    from rightsgraph.store.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.update('INSERT DATA { <https://example.org/a> <http://purl.org/dc/terms/title> "亚洲电子工程杂志"@zh . '
                 '<https://example.org/b> <http://purl.org/dc/terms/title> "Annual Review of Ecology"@en . '
                 '<https://example.org/c> <http://purl.org/dc/terms/title> "数字图书馆 Digital Libraries" }')
    text = q.table(q.run(store, "SELECT ?s ?t ?s2 WHERE { ?s <http://purl.org/dc/terms/title> ?t BIND(?s AS ?s2) } "
                                "ORDER BY ?s"))
    lines = [line for line in text.splitlines() if " | " in line]
    assert len(lines) == 4
    assert len({tuple(_separator_columns(line)) for line in lines}) == 1, text


def test_quantity_table_lines_up_in_chinese():
    from rightsgraph.usage.quantity import COLUMNS, format_quantity
    row = {c: 7 for c in COLUMNS}
    rep = {"total": dict(row),
           "by_asset_class": [dict(row, asset_class="a", label={"zh": "订购电子期刊", "en": "Subscribed"}),
                              dict(row, asset_class="b", label={"zh": "Open access 开放获取资源", "en": "Open"})],
           "by_rights_basis": []}
    text = format_quantity(rep, "zh")
    table = text.splitlines()[text.splitlines().index("按资产类别：") + 1:][:3]
    assert len({width(line) for line in table}) == 1, "\n" + "\n".join(table)
