"""SVG charts of the reports, rendered on the server with Vega-Lite (vl-convert), so they
work without a browser and in exported reports. Labels are in Chinese and English.

    svg = chart("assets", asset_report(store))
    svg = chart("risks", risk_report(store, days=90))
    svg = chart("usage", usage_report(store, year=2025))
    svg = chart("cost-per-use", cost_per_use_report(store, year=2025), top=10)
    svg = chart("demand", demand_report(store, year=2025), top=15)
    svg = chart("preservation", preservation_report(store))

The first chart a process renders starts vl-convert's JavaScript engine (a second or more);
later ones take a fraction of that (benchmarks/bench_usage.py).
"""

from __future__ import annotations

from decimal import Decimal

from ..bilingual import in_lang
from ..translation import both, gettext
from . import chart_font

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
CHARTS = ("assets", "risks", "usage", "cost-per-use", "demand", "preservation")
# the charts' own cut of Noto Sans CJK SC first (fast text measurement: chart_font.py), then
# what a browser viewing the SVG may have
FONT = f"{chart_font.FAMILY}, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _(msgid: str) -> str:
    """Marks a word for the catalogue (extracted as `_`); translated where it is shown."""
    return msgid


#: COUNTER metric types the charts and report pages name in Chinese (the msgid is COUNTER's name)
METRICS = (_("Unique_Item_Requests"), _("Unique_Title_Requests"), _("Total_Item_Requests"),
           _("No_License"), _("Limit_Exceeded"), _("Searches_Regular"))


def metric_name(metric: str, lang: str) -> str:
    """A COUNTER metric type as a page in `lang` names it (English: COUNTER's own name)."""
    return gettext(metric, lang) if metric in METRICS else metric


def _w(msgid: str) -> str:
    """A chart word in both languages, Chinese first (charts are read in either language and
    exported as they are). Every `_w` literal is a msgid, and the chart font's characters."""
    return f"{gettext(msgid, 'zh')} {msgid}"


class ChartError(ValueError):
    """Nothing to draw, or no such chart; the reason in both languages."""

    def __init__(self, msgid: str, **fmt):
        self.messages = both(msgid, **fmt)
        super().__init__(self.messages["en"])

    def text(self, lang: str) -> str:
        return in_lang(self.messages, lang)


def _metric(m: str) -> str:
    return _w(m) if m in METRICS else m


def _base(title: str, subtitle: str = "") -> dict:
    return {"$schema": SCHEMA, "title": {"text": title, "subtitle": subtitle or None,
                                         "anchor": "start"},
            "config": {"font": FONT, "view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 12},
                       "legend": {"labelFontSize": 11, "titleFontSize": 12}}}


def usage_trend_spec(rep: dict) -> dict:
    values = [{"month": r["month"], "metric": _metric(m), "count": r[m]} for r in rep["months"] for m in rep["metrics"]]
    if not values:
        raise ChartError(_("no usage to draw for these filters"))
    sub = f"{rep['year']}" if rep.get("year") else ""
    return {**_base(_w("Usage trend"), sub), "width": 640, "height": 300,
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "month", "type": "ordinal", "title": _w("Month"), "axis": {"labelAngle": -45}},
                "y": {"field": "count", "type": "quantitative", "title": _w("Count")},
                "color": {"field": "metric", "type": "nominal", "title": _w("Metric")},
                "tooltip": [{"field": "month"}, {"field": "metric"}, {"field": "count", "type": "quantitative"}]}}


def cost_per_use_spec(rep: dict, top: int = 10, lang: str = "en") -> dict:
    """The titles with the highest and the lowest cost per use (each currency its own bar),
    named by their Chinese title in a Chinese chart when they have one."""
    rows = []
    for t in rep["titles"]:
        name = (lang == "zh" and t.get("title_zh")) or t["title"] or t.get("title_zh") or t["iri"]
        for cur, v in t["cost_per_use"].items():
            if v is not None:
                rows.append({"title": name, "currency": cur, "value": float(Decimal(v)),
                             "year": t["year"], "uses": t["uses"], "denominator": t["denominator"]})
    if not rows:
        raise ChartError(_("no title has both a cost and uses for these filters"))
    top = max(1, top)
    highest, lowest = _w("highest"), _w("lowest")
    picked = []
    for cur in sorted({r["currency"] for r in rows}):     # currencies are never converted
        mine = sorted((r for r in rows if r["currency"] == cur), key=lambda r: (-r["value"], r["title"]))
        picked += [dict(r, group=highest) for r in mine[:top]]
        picked += [dict(r, group=lowest) for r in mine[top:][-top:]]
    return {**_base(_w("Cost per use"), f"{rep.get('year') or ''} top/bottom {top}".strip()),
            "width": 520, "data": {"values": picked},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "title", "type": "nominal", "sort": "-x", "title": None,
                      "axis": {"labelLimit": 260}},
                "x": {"field": "value", "type": "quantitative", "title": _w("Cost per use")},
                "color": {"field": "group", "type": "nominal", "title": "", "sort": [highest, lowest]},
                "row": {"field": "currency", "type": "nominal", "title": _w("Currency")},
                "tooltip": [{"field": "title"}, {"field": "value", "type": "quantitative", "format": ",.2f"},
                            {"field": "currency"}, {"field": "uses"}, {"field": "denominator"}]},
            "resolve": {"scale": {"y": "independent"}}}


def turnaways_spec(rep: dict, top: int = 15) -> dict:
    rows = []
    held_word, not_held_word = _w("held"), _w("not held")
    for t in rep["turnaways"][:max(1, top)]:
        held = held_word if t["held"] else not_held_word
        for m in ("No_License", "Limit_Exceeded"):
            if t[m]:
                rows.append({"title": t["title"], "metric": _metric(m), "count": t[m], "held": held,
                             "total": t["turnaways"]})
    if not rows:
        raise ChartError(_("no turnaways for these filters"))
    return {**_base(_w("Turnaways"), f"{rep.get('year') or ''} top {top}".strip()),
            "width": 520, "data": {"values": rows},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "title", "type": "nominal", "title": None,
                      "sort": {"field": "total", "order": "descending"}, "axis": {"labelLimit": 260}},
                "x": {"field": "count", "type": "quantitative", "stack": "zero", "title": _w("Count")},
                "color": {"field": "metric", "type": "nominal", "title": _w("Reason")},
                "opacity": {"field": "held", "type": "nominal", "title": "",
                            "scale": {"domain": [held_word, not_held_word], "range": [0.55, 1.0]}},
                "tooltip": [{"field": "title"}, {"field": "metric"}, {"field": "count"}, {"field": "held"}]}}


def _bars_with_counts(rows: list, label: str, *, color, sort, label_limit: int) -> dict:
    """Horizontal bars with their count written at the end: small counts (3 licences beside
    500 resources) stay readable."""
    y = {"field": label, "type": "nominal", "title": None, "sort": sort, "axis": {"labelLimit": label_limit}}
    x = {"field": "count", "type": "quantitative", "title": _w("Number")}
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
        raise ChartError(_("no resource has an asset class yet (rightsgraph report assets --derive)"))
    return {**_base(_w("Resources by asset class"), f"{rep['resources']} " + _w("resources")),
            **_bars_with_counts(rows, "class", color={"value": "#2f6db3"}, sort="-x", label_limit=320)}


#: the risk report's summary counts, as the chart names them
RISK_LABELS = {
    "unlicensed_resources": _("Resources no licence in force covers"),
    "expiring_licences": _("Licences expiring"),
    "key_uses_unsettled": _("Key uses unsettled"),
    "resources_without_preservation": _("Resources without a preservation right"),
    "conflicts": _("Conflicting licence terms"),
    "preserved_without_right": _("Preserved copies without a right"),
    "rights_without_preserved_copy": _("Preservation rights without a copy"),
    "cancellation_notices_due": _("Cancellation notices due"),
}


def risks_spec(rep: dict) -> dict:
    """The open risks, one bar per kind (counts of resources, licences or terms as named)."""
    rows = [{"risk": _w(RISK_LABELS[k]) if k in RISK_LABELS else k, "count": v} for k, v in rep["summary"].items() if isinstance(v, int)]
    color = {"condition": {"test": "datum.count > 0", "value": "#b3412f"}, "value": "#6b7a8a"}
    return {**_base(_w("Licence risks"), f"{rep['at']}, {rep['days']} " + _w("days")),
            **_bars_with_counts(rows, "risk", color=color, sort=None, label_limit=360)}


#: a preservation copy's state at its latest fixity check, and its colour
COPY_STATES = {"intact": (_("intact"), "#3a7d44"), "damaged": (_("damaged"), "#b3412f"),
               "missing": (_("missing"), "#6b7a8a")}


def preservation_spec(rep: dict) -> dict:
    """The preservation copies at each storage location, by their state at the latest check."""
    rows = [{"location": where, "state": _w(COPY_STATES[s][0]) if s in COPY_STATES else s, "count": n}
            for where, counts in sorted(rep["copies_by_location"].items()) for s, n in counts.items() if n]
    if not rows:
        raise ChartError(_("no preservation copies to draw yet (rightsgraph preserve)"))
    states = [_w(word) for word, _colour in COPY_STATES.values()]
    return {**_base(_w("Preservation copies"), f"{rep['copies']} " + _w("copies")),
            "width": 520, "data": {"values": rows},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "location", "type": "nominal", "title": None, "axis": {"labelLimit": 260}},
                "x": {"field": "count", "type": "quantitative", "stack": "zero", "title": _w("Number")},
                "color": {"field": "state", "type": "nominal", "title": _w("State"),
                          "scale": {"domain": states, "range": [colour for _word, colour in COPY_STATES.values()]}}}}


def spec_for(name: str, rep: dict, *, top: int = 10, lang: str = "en") -> dict:
    """The Vega-Lite chart of report `name`; `lang` picks which title names a resource (the
    chart's own words are in both languages)."""
    if name == "assets":
        return assets_spec(rep)
    if name == "risks":
        return risks_spec(rep)
    if name == "usage":
        return usage_trend_spec(rep)
    if name == "cost-per-use":
        return cost_per_use_spec(rep, top, lang)
    if name == "demand":
        return turnaways_spec(rep, top)
    if name == "preservation":
        return preservation_spec(rep)
    raise ChartError(_("no chart for %(name)r (charts: %(charts)s)"), name=name, charts=", ".join(CHARTS))


def render_svg(spec: dict) -> str:
    import vl_convert as vlc
    chart_font.register()
    return vlc.vegalite_to_svg(spec)


def chart(name: str, rep: dict, *, top: int = 10, lang: str = "en") -> str:
    return render_svg(spec_for(name, rep, top=top, lang=lang))
