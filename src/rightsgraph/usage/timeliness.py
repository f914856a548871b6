"""Timeliness (art. 10.1): how long the library takes to make what it acquires available.

    timeliness_report(store, year=2026)

order to activation, per licence: days from the order to the day access was switched on.
    From the payment that records both (`order_date`, `activation_date` of the payments
    file); for a licence without one, from the licence's own dates: signing
    (rg:signingDate) to the start of its term (rg:termStart), marked `basis: licence`.
    A negative figure is a licence signed after its term began (backdated access).
publication to availability, per licence: for each e-book it covers with a date of
    publication (dct:issued), the time from publication to the day the library could
    offer it: the later of publication and the licence's activation (the payment's
    activation date, else the term start). A book published after the activation counts
    0 (front file, available on publication). Only monographs: a journal's dct:issued is
    the year it began, not that of the issues read. Catalogues often give the year of
    publication only (xsd:gYear); the figure is then in whole years, and days only where
    both dates are days. The acquisition records of the preservation issue will give
    exact dates.
Only licences activated by `at` (default today), none in negotiation; `year`: only those
activated in that year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import mean, median

from ..namespaces import RG
from ..translation import gettext, pgettext

RGNS = str(RG)
ODRL = "http://www.w3.org/ns/odrl/2/"
DCT = "http://purl.org/dc/terms/"


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value and len(value) >= 10 else None
    except ValueError:
        return None


def _summary(values: list) -> dict:
    if not values:
        return {"count": 0, "median": None, "mean": None, "min": None, "max": None}
    return {"count": len(values), "median": median(values), "mean": round(mean(values), 1),
            "min": min(values), "max": max(values)}


def _licences(store) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in store.query(f"""SELECT ?l ?title ?signed ?start WHERE {{ ?l a <{RGNS}Licence> .
            FILTER NOT EXISTS {{ ?l <{RGNS}licenceStatus> <{RGNS}InNegotiation> }}
            OPTIONAL {{ ?l <{DCT}title> ?title FILTER(LANG(?title) = "en" || LANG(?title) = "") }}
            OPTIONAL {{ ?l <{RGNS}signingDate> ?signed }} OPTIONAL {{ ?l <{RGNS}termStart> ?start }} }}"""):
        out.setdefault(r["l"].value, {"title": r["title"].value if r["title"] else None,
                                      "signed": _date(r["signed"].value if r["signed"] else None),
                                      "start": _date(r["start"].value if r["start"] else None)})
    return out


def _orders(store) -> dict[str, list[dict]]:
    """licence (or other target) -> payments with an order and an activation date."""
    out: dict = defaultdict(list)
    for r in store.query(f"""SELECT ?p ?for ?inv ?ordered ?active WHERE {{ ?p a <{RGNS}Payment> ; <{RGNS}paidFor> ?for ;
            <{RGNS}orderDate> ?ordered ; <{RGNS}activationDate> ?active .
            OPTIONAL {{ ?p <{RGNS}invoiceNumber> ?inv }} }}"""):
        out[r["for"].value].append({"payment": r["p"].value, "invoice": r["inv"].value if r["inv"] else None,
                                    "ordered": _date(r["ordered"].value), "activated": _date(r["active"].value)})
    for rows in out.values():
        rows.sort(key=lambda x: (x["activated"], x["payment"]))
    return out


def _titles(store) -> dict[str, list[tuple[str, str]]]:
    """licence -> [(e-book, dct:issued lexical form)]."""
    out: dict = defaultdict(list)
    for r in store.query(f"""SELECT DISTINCT ?l ?r ?issued WHERE {{ ?l a <{RGNS}Licence> ; <{ODRL}target> ?t .
            ?r <{ODRL}partOf>* ?t . ?r a <{RGNS}Resource> ; <{RGNS}resourceType> <{RGNS}EBook> ;
            <{DCT}issued> ?issued }}"""):
        out[r["l"].value].append((r["r"].value, r["issued"].value))
    return out


def _lag(issued: str, available: date) -> tuple[str, int] | None:
    """('days', n) when the publication date is a day, ('years', n) when only its year is known."""
    day = _date(issued)
    if day is not None:
        return "days", max(0, (available - day).days)
    if len(issued) >= 4 and issued[:4].isdigit():
        return "years", max(0, available.year - int(issued[:4]))
    return None


def timeliness_report(store, *, year: int | None = None, at: date | None = None) -> dict:
    at = at or date.today()
    lics = _licences(store)
    orders = _orders(store)
    titles = _titles(store)
    rows = []
    pooled: dict = defaultdict(list)
    for lic in sorted(lics):
        info = lics[lic]
        paid = orders.get(lic, [])
        if paid:
            first = paid[0]
            ordered, activated, basis, payment = first["ordered"], first["activated"], "payment", first["invoice"]
        else:
            ordered, activated, basis, payment = info["signed"], info["start"], "licence", None
        if activated is None or activated > at:
            continue
        if year is not None and activated.year != year:
            continue
        row = {"licence": lic, "title": info["title"], "basis": basis, "invoice": payment,
               "ordered": ordered.isoformat() if ordered else None, "activated": activated.isoformat(),
               "order_to_activation_days": (activated - ordered).days if ordered else None}
        lags: dict = defaultdict(list)
        for _, issued in titles.get(lic, ()):
            lag = _lag(issued, activated)
            if lag:
                lags[lag[0]].append(lag[1])
                pooled[lag[0]].append(lag[1])
        row["publication_to_availability"] = {unit: {**_summary(v), "same_period_share":
                                                     round(sum(1 for x in v if x == 0) / len(v), 3)}
                                              for unit, v in sorted(lags.items())}
        rows.append(row)
    days = [r["order_to_activation_days"] for r in rows if r["order_to_activation_days"] is not None]
    return {"year": year, "at": at.isoformat(),
            "summary": {"order_to_activation_days": _summary(days),
                        "publication_to_availability": {u: _summary(v) for u, v in sorted(pooled.items())}},
            "licences": rows}


TIMELINESS_COLUMNS = ["licence", "title", "basis", "invoice", "ordered", "activated", "order_to_activation_days",
                      "titles_dated", "publication_to_availability_median", "unit", "available_on_publication_share"]


def timeliness_csv_rows(rep: dict) -> list[dict]:
    out = []
    for r in rep["licences"]:
        base = {k: r[k] for k in TIMELINESS_COLUMNS[:7]}
        lags = r["publication_to_availability"] or {"": {"count": 0, "median": None, "same_period_share": None}}
        for unit, s in lags.items():
            out.append({**base, "titles_dated": s["count"], "publication_to_availability_median": s["median"],
                        "unit": unit, "available_on_publication_share": s["same_period_share"]})
    return out


_SEPARATOR = {"en": "; ", "zh": "；"}   # typography: the clauses of a licence's line


def format_timeliness(rep: dict, lang: str = "en") -> str:
    s = rep["summary"]["order_to_activation_days"]
    lang = "zh" if lang == "zh" else "en"
    lines = [gettext("order to activation (days): %(count)s licences, median %(median)s, mean %(mean)s, "
                     "min %(min)s, max %(max)s", lang, count=s["count"], median=s["median"], mean=s["mean"],
                     min=s["min"], max=s["max"])]
    units = {"days": pgettext("duration", "days", lang), "years": pgettext("duration", "years", lang)}
    for unit, p in rep["summary"]["publication_to_availability"].items():
        lines.append(gettext("publication to availability (%(unit)s): %(count)s titles, median %(median)s, "
                             "mean %(mean)s", lang, unit=units.get(unit, unit), count=p["count"],
                             median=p["median"], mean=p["mean"]))
    lines.append("")
    for r in rep["licences"]:
        days = r["order_to_activation_days"]
        when = (f"{r['ordered']} → {r['activated']}: {days} {units['days']}" if days is not None
                else f"→ {r['activated']}")
        basis = "" if r["basis"] == "payment" else gettext(" (licence dates)", lang)
        lags = _SEPARATOR[lang].join(
            gettext("%(median)s %(unit)s median, %(share)s%% at once", lang, median=p["median"],
                    unit=units.get(unit, unit), share=round(p["same_period_share"] * 100))
            for unit, p in r["publication_to_availability"].items())
        lines.append(f"  {r['title'] or r['licence']}: {when}{basis}" + (_SEPARATOR[lang] + lags if lags else ""))
    return "\n".join(lines)
