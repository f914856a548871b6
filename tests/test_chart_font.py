"""The charts' own font (reports/chart_font.py): it holds every character of the charts' words,
it measures text exactly as the Noto Sans CJK SC it was cut from, and it is named and licensed
as the SIL Open Font License asks."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from rightsgraph.reports import chart_font, charts

TREND = {"year": 2025, "metrics": ["Unique_Item_Requests", "Total_Item_Requests", "Unique_Title_Requests"],
         "months": [{"month": f"2025-{m:02d}", "Unique_Item_Requests": 10 * m, "Total_Item_Requests": 12 * m,
                     "Unique_Title_Requests": 5 * m} for m in range(1, 13)]}


def _cmap() -> set[str]:
    from fontTools.ttLib import TTFont
    return {chr(c) for c in TTFont(str(chart_font.FILE)).getBestCmap()}


def test_the_font_holds_every_character_of_the_chart_words():
    missing = sorted(chart_font.characters() - _cmap())
    assert not missing, (f"the charts' font lacks {''.join(missing)!r}: a chart word changed; rebuild it with "
                         "`python -m rightsgraph.reports.chart_font` and commit reports/fonts/rg-chart.otf")


def test_the_chart_words_include_the_catalogues_chinese():
    words = chart_font.chart_words()
    for zh in ("使用趋势", "单次使用成本", "拒访", "唯一条目请求", "各资产类别的资源", "许可风险"):
        assert zh in words
    assert "订阅" in words or "购买" in words or "开放获取" in words     # an asset class's Chinese name


def test_the_font_carries_its_own_name_and_the_licence():
    from fontTools.ttLib import TTFont
    names = TTFont(str(chart_font.FILE))["name"]
    assert names.getDebugName(1) == chart_font.FAMILY and "Source" not in names.getDebugName(4)
    assert "SIL Open Font License" in names.getDebugName(13)
    assert "SIL OPEN FONT LICENSE Version 1.1" in (chart_font.FOLDER / "OFL.txt").read_text("utf-8")


def test_charts_measure_with_the_cut_and_name_the_fonts_a_browser_has():
    svg = charts.chart("usage", TREND)
    assert "使用趋势 Usage trend" in svg and "唯一条目请求 Unique_Item_Requests" in svg
    families = set(re.findall(r'font-family="([^"]+)"', svg))
    assert families and all(f.startswith("RG Chart, Noto Sans CJK SC") for f in families)


@pytest.mark.skipif(not (shutil.which("fc-list") and "Noto Sans CJK SC" in subprocess.run(
    ["fc-list"], capture_output=True, text=True).stdout), reason="needs Debian's fonts-noto-cjk")
def test_the_cut_lays_text_out_exactly_as_noto_sans_cjk_sc():
    """Same glyph advances: a chart measured with the cut is laid out as a browser drawing it
    with Noto Sans CJK SC lays it out (labels neither overlap nor get cut)."""
    spec = charts.spec_for("usage", TREND)
    with_cut = charts.render_svg(spec)
    spec["config"]["font"] = "Noto Sans CJK SC"
    with_noto = charts.render_svg(spec)
    strip = re.compile(r'font-family="[^"]+"')
    assert strip.sub("", with_cut) == strip.sub("", with_noto)
