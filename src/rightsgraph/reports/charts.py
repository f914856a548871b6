"""SVG charts of the reports, rendered on the server with Vega-Lite (vl-convert), so they
work without a browser and in exported reports. Labels are in Chinese and English.

    svg = chart("assets", asset_report(store))
    svg = chart("risks", risk_report(store, days=90))
    svg = chart("usage", usage_report(store, year=2025))
    svg = chart("cost-per-use", cost_per_use_report(store, year=2025), top=10)
    svg = chart("demand", demand_report(store, year=2025), top=15)

The first chart a process renders starts vl-convert's JavaScript engine (a second or more);
later ones take a fraction of that (benchmarks/bench_usage.py).
"""

from __future__ import annotations

from decimal import Decimal

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
METRIC_ZH = {"Unique_Item_Requests": "唯一条目请求", "Unique_Title_Requests": "唯一题名请求",
             "Total_Item_Requests": "条目请求总数", "No_License": "无许可拒访", "Limit_Exceeded": "超并发拒访",
             "Searches_Regular": "常规检索"}
CHARTS = ("assets", "risks", "usage", "cost-per-use", "demand")
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


class ChartError(ValueError):
    """Nothing to draw, or no such chart: (English, Chinese)."""

    def __init__(self, en: str, zh: str):
        self.en, self.zh = en, zh
        super().__init__(en)

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _metric(m: str) -> str:
    return f"{METRIC_ZH.get(m, m)} {m}"


def _base(title_zh: str, title_en: str, subtitle: str = "") -> dict:
    return {"$schema": SCHEMA, "title": {"text": f"{title_zh} {title_en}", "subtitle": subtitle or None,
                                         "anchor": "start"},
            "config": {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 12},
                       "legend": {"labelFontSize": 11, "titleFontSize": 12}}}


def usage_trend_spec(rep: dict) -> dict:
    values = [{"month": r["month"], "metric": _metric(m), "count": r[m]} for r in rep["months"] for m in rep["metrics"]]
    if not values:
        raise ChartError("no usage to draw for these filters", "所选条件下没有可绘制的使用数据")
    sub = f"{rep['year']}" if rep.get("year") else ""
    return {**_base("使用趋势", "Usage trend", sub), "width": 640, "height": 300,
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "month", "type": "ordinal", "title": "月份 Month", "axis": {"labelAngle": -45}},
                "y": {"field": "count", "type": "quantitative", "title": "次数 Count"},
                "color": {"field": "metric", "type": "nominal", "title": "指标 Metric"},
                "tooltip": [{"field": "month"}, {"field": "metric"}, {"field": "count", "type": "quantitative"}]}}


def cost_per_use_spec(rep: dict, top: int = 10) -> dict:
    """The titles with the highest and the lowest cost per use (each currency its own bar)."""
    rows = []
    for t in rep["titles"]:
        for cur, v in t["cost_per_use"].items():
            if v is not None:
                rows.append({"title": t["title"] or t["iri"], "currency": cur, "value": float(Decimal(v)),
                             "year": t["year"], "uses": t["uses"], "denominator": t["denominator"]})
    if not rows:
        raise ChartError("no title has both a cost and uses for these filters",
                         "所选条件下没有同时有费用和使用量的题名")
    top = max(1, top)
    picked = []
    for cur in sorted({r["currency"] for r in rows}):     # currencies are never converted
        mine = sorted((r for r in rows if r["currency"] == cur), key=lambda r: (-r["value"], r["title"]))
        picked += [dict(r, group="最高 highest") for r in mine[:top]]
        picked += [dict(r, group="最低 lowest") for r in mine[top:][-top:]]
    return {**_base("单次使用成本", "Cost per use", f"{rep.get('year') or ''} top/bottom {top}".strip()),
            "width": 520, "data": {"values": picked},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "title", "type": "nominal", "sort": "-x", "title": None,
                      "axis": {"labelLimit": 260}},
                "x": {"field": "value", "type": "quantitative", "title": "单次使用成本 Cost per use"},
                "color": {"field": "group", "type": "nominal", "title": "", "sort": ["最高 highest", "最低 lowest"]},
                "row": {"field": "currency", "type": "nominal", "title": "币种 Currency"},
                "tooltip": [{"field": "title"}, {"field": "value", "type": "quantitative", "format": ",.2f"},
                            {"field": "currency"}, {"field": "uses"}, {"field": "denominator"}]},
            "resolve": {"scale": {"y": "independent"}}}


def turnaways_spec(rep: dict, top: int = 15) -> dict:
    rows = []
    for t in rep["turnaways"][:max(1, top)]:
        held = "馆藏 held" if t["held"] else "未入藏 not held"
        for m in ("No_License", "Limit_Exceeded"):
            if t[m]:
                rows.append({"title": t["title"], "metric": _metric(m), "count": t[m], "held": held,
                             "total": t["turnaways"]})
    if not rows:
        raise ChartError("no turnaways for these filters", "所选条件下没有拒访记录")
    return {**_base("拒访", "Turnaways", f"{rep.get('year') or ''} top {top}".strip()),
            "width": 520, "data": {"values": rows},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "title", "type": "nominal", "title": None,
                      "sort": {"field": "total", "order": "descending"}, "axis": {"labelLimit": 260}},
                "x": {"field": "count", "type": "quantitative", "stack": "zero", "title": "次数 Count"},
                "color": {"field": "metric", "type": "nominal", "title": "拒访原因 Reason"},
                "opacity": {"field": "held", "type": "nominal", "title": "",
                            "scale": {"domain": ["馆藏 held", "未入藏 not held"], "range": [0.55, 1.0]}},
                "tooltip": [{"field": "title"}, {"field": "metric"}, {"field": "count"}, {"field": "held"}]}}


def _bars_with_counts(rows: list, label: str, *, color, sort, label_limit: int) -> dict:
    """Horizontal bars with their count written at the end: small counts (3 licences beside
    500 resources) stay readable."""
    y = {"field": label, "type": "nominal", "title": None, "sort": sort, "axis": {"labelLimit": label_limit}}
    x = {"field": "count", "type": "quantitative", "title": "数量 Count"}
    return {"data": {"values": rows}, "encoding": {"y": y, "x": x},
            "layer": [{"mark": {"type": "bar", "tooltip": True}, "encoding": {"color": color}},
                      {"mark": {"type": "text", "align": "left", "dx": 3}, "encoding": {"text": {"field": "count"}}}]}


def assets_spec(rep: dict) -> dict:
    """Resources per asset class (the classes named as the ontology labels them)."""
    from ..namespaces import RG
    from ..policy.explain import _shipped_labels
    labels = _shipped_labels()
    rows = []
    for c in rep["by_class"]:
        iri = RG.iri(c["class"][3:]) if c["class"].startswith("rg:") else c["class"]
        named = labels.get(iri, {})
        name = " ".join(dict.fromkeys(x for x in (named.get("zh"), named.get("en")) if x)) or c["class"]
        rows.append({"class": name, "count": c["resources"], "licences": c["licences"]})
    if not rows:
        raise ChartError("no resource has an asset class yet (rightsgraph report assets --derive)",
                         "还没有资源被划分资产类别（rightsgraph report assets --derive）")
    return {**_base("各资产类别的资源", "Resources by asset class", f"{rep['resources']} resources 资源"),
            **_bars_with_counts(rows, "class", color={"value": "#2f6db3"}, sort="-x", label_limit=320)}


#: the risk report's summary counts, as the chart names them
RISK_LABELS = {
    "unlicensed_resources": "无有效许可的资源 Resources no licence in force covers",
    "expiring_licences": "即将到期的许可 Licences expiring",
    "key_uses_unsettled": "未约定或未审核的关键使用 Key uses unsettled",
    "resources_without_preservation": "无保存权的资源 Resources without a preservation right",
    "conflicts": "许可条款冲突 Conflicting licence terms",
    "preserved_without_right": "无保存权的保存副本 Preserved copies without a right",
    "rights_without_preserved_copy": "有保存权但无副本 Preservation rights without a copy",
    "cancellation_notices_due": "即将截止的取消通知 Cancellation notices due",
}


def risks_spec(rep: dict) -> dict:
    """The open risks, one bar per kind (counts of resources, licences or terms as named)."""
    rows = [{"risk": RISK_LABELS.get(k, k), "count": v} for k, v in rep["summary"].items() if isinstance(v, int)]
    color = {"condition": {"test": "datum.count > 0", "value": "#b3412f"}, "value": "#6b7a8a"}
    return {**_base("许可风险", "Licence risks", f"{rep['at']}, {rep['days']} days 天"),
            **_bars_with_counts(rows, "risk", color=color, sort=None, label_limit=360)}


def spec_for(name: str, rep: dict, *, top: int = 10) -> dict:
    if name == "assets":
        return assets_spec(rep)
    if name == "risks":
        return risks_spec(rep)
    if name == "usage":
        return usage_trend_spec(rep)
    if name == "cost-per-use":
        return cost_per_use_spec(rep, top)
    if name == "demand":
        return turnaways_spec(rep, top)
    raise ChartError(f"no chart for {name!r} (charts: {', '.join(CHARTS)})",
                     f"{name!r} 没有图表（可用：{'、'.join(CHARTS)}）")


def render_svg(spec: dict) -> str:
    import vl_convert as vlc
    return vlc.vegalite_to_svg(spec)


def chart(name: str, rep: dict, *, top: int = 10) -> str:
    return render_svg(spec_for(name, rep, top=top))
