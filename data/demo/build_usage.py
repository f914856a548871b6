"""Demo usage and payments (called by build.py): two years (2025, 2026) of COUNTER R5.1
reports from the four platforms of the demo world, and the payments of those years.

    usage/<platform>-tr-<year>.tsv   Title Reports (master TR: Data_Type, Access_Type,
                                     Access_Method shown) for the e-journals and e-books
    usage/<platform>-dr-<year>.tsv   Database Reports for the databases
    usage/payments-<year>.csv        what was paid that year (invoice, fund, currency,
                                     subscription period, order and activation dates)

The figures follow the licences (data/demo/README.md): a title is read while a licence
gives access and turned away (No_License) outside it, so the demand report finds the
Northstar journals before L04 (2025), the Aldgate e-books after L05 expired (2026), the
medicine bundle before L07 starts (2027) and the textbooks before L10 (March 2026); the
walk-in limits of L04 and L09 show as Limit_Exceeded. A few titles on the platforms are
not in the catalogue at all: the not-held list. Popularity is long-tailed (log-normal),
months follow the academic year (the Spring Festival in February, the summer break), and
2026 grows on 2025. Seeded, standard library only: the files are the same on every run.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

SEED = 20261130
YEARS = (2025, 2026)
SEASON = (0.9, 0.5, 1.1, 1.15, 1.15, 1.05, 0.6, 0.55, 1.05, 1.05, 1.15, 1.1)
GROWTH = {2025: 1.0, 2026: 1.08}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
INSTITUTION = ("Donghai Academic Library Consortium (DALC)", "DALC:0001")

# platform (COUNTER Created_By / Platform), file stem, publisher name
PLATFORMS = {
    "aldgate": ("Aldgate Navigator", "Aldgate Scientific Publishing Ltd"),
    "pasas": ("PASAS Online", "Pan-Asian Society for Applied Sciences"),
    "northstar": ("Northstar Digital Library", "Northstar Digital Resources Co., Ltd."),
    "jhup": ("Jinghai UP E-books", "Jinghai University Press"),
}
# package -> (platform, access: (first month, last month) of licensed access or None = open,
#             walk-in limit turnaways per month (Limit_Exceeded) while licensed)
PACKAGES = {
    "pkg:aldgate-stm-journals": ("aldgate", ("2025-01", "2027-12"), 0.0),       # L01
    "pkg:aldgate-ebooks-2022": ("aldgate", ("2023-01", "2025-12"), 0.0),        # L05, expired
    "pkg:aldgate-medicine": ("aldgate", ("2027-01", "2029-12"), 0.0),           # L07, from 2027
    "pkg:pasas-journals": ("pasas", ("2024-01", "2026-12"), 0.0),               # L03
    "coll:pasas-oa-monographs": ("pasas", None, 0.0),                            # open access
    "pkg:northstar-caj": ("northstar", ("2026-01", "2026-12"), 0.06),           # L04, 3 walk-in users
    "pkg:northstar-reference": ("northstar", ("2026-01", "2028-12"), 0.04),     # L09, 10 users
    "pkg:jhup-academic-ebooks": ("jhup", ("2025-01", "9999-12"), 0.0),          # L02, perpetual
    "pkg:jhup-textbooks": ("jhup", ("2026-03", "2027-02"), 0.0),                # L10
    "pkg:jhup-public-reading": ("jhup", ("2025-07", "2027-06"), 0.0),           # L08
}
# titles on the platforms that the catalogue does not hold: (platform, title, ISSN or ISBN, popularity)
NOT_HELD = [
    ("aldgate", "Journal of Things Not Held", "2049-3630", 6.0),
    ("aldgate", "Annals of Computational Oncology", "2311-4075", 4.5),
    ("aldgate", "Reviews in Quantum Materials", "2450-1182", 3.0),
    ("aldgate", "Clinical Imaging Letters", "2178-9365", 2.2),
    ("pasas", "PASAS Transactions on Smart Agriculture", "2093-2867", 2.8),
    ("pasas", "Journal of Coastal Engineering Asia", "2157-4463", 1.6),
    ("aldgate", "Handbook of Precision Medicine", "9781394210855", 1.4),
    ("jhup", "Digital Humanities in China: A Reader", "9787530449718", 1.1),
]
DATABASES_DATA_TYPE = "Database_Full"


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def month(y: int, m: int) -> str:
    return f"{y}-{m:02d}"


def licensed(window, y: int, m: int) -> bool:
    return window is None or window[0] <= month(y, m) <= window[1]


def title_rows(rng, kind: str, lam: float, window, limit: float, y: int, tdm: float = 0.0):
    """{(access_type, access_method, metric): [12 counts]} for one title and year."""
    rows: dict = {}

    def put(key, i, n):
        rows.setdefault(key, [0] * 12)[i] += n

    access_type = "Open" if window is None else "Controlled"
    for i in range(12):
        m = i + 1
        base = lam * SEASON[i] * GROWTH[y]
        if not licensed(window, y, m):
            put(("Controlled", "Regular", "No_License"), i, poisson(rng, base * 0.35))
            continue
        uir = poisson(rng, base)
        tir = uir + poisson(rng, uir * 0.35)
        uii = uir + poisson(rng, uir * 0.6 + 0.2 * lam)
        tii = max(tir, uii) + poisson(rng, uii * 0.3)
        for metric, n in (("Total_Item_Investigations", tii), ("Unique_Item_Investigations", uii),
                          ("Total_Item_Requests", tir), ("Unique_Item_Requests", uir)):
            put((access_type, "Regular", metric), i, n)
        if kind == "Book":
            utr = min(uir, (uir + 1) // 2 + poisson(rng, uir * 0.1)) if uir else 0
            uti = min(uii, utr + poisson(rng, (uii - utr) * 0.5)) if uii else 0
            put((access_type, "Regular", "Unique_Title_Requests"), i, utr)
            put((access_type, "Regular", "Unique_Title_Investigations"), i, max(uti, utr))
        if limit:
            put(("Controlled", "Regular", "Limit_Exceeded"), i, poisson(rng, base * limit))
        if tdm and m in (3, 10):           # a research group's text mining, twice a year
            n = poisson(rng, tdm)
            for metric in ("Total_Item_Investigations", "Total_Item_Requests"):
                put((access_type, "TDM", metric), i, n)
            for metric in ("Unique_Item_Investigations", "Unique_Item_Requests"):
                put((access_type, "TDM", metric), i, n // 2)
    return rows


def header(report_id: str, name: str, created_by: str, y: int, attributes: str) -> list[list[str]]:
    return [["Report_Name", name], ["Report_ID", report_id], ["Release", "5.1"],
            ["Institution_Name", INSTITUTION[0]], ["Institution_ID", INSTITUTION[1]], ["Metric_Types", ""],
            ["Report_Filters", ""], ["Report_Attributes", f"Attributes_To_Show={attributes}"], ["Exceptions", ""],
            ["Reporting_Period", f"Begin_Date={y}-01-01; End_Date={y}-12-31"],
            ["Created", f"{y + 1}-01-{8 + len(created_by) % 7:02d}T02:00:00Z"], ["Created_By", created_by],
            ["Registry_Record", ""], []]


def write_tsv(path: Path, rows: list[list[str]]) -> None:
    path.write_bytes(("\n".join("\t".join(r) for r in rows) + "\n").encode("utf-8"))


def build_usage(records: list[dict], out_dir: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    # popularity per title, drawn once so both years describe the same titles
    titles = {p: [] for p in PLATFORMS}
    databases = {p: [] for p in PLATFORMS}
    for r in records:
        pkg = r["parts"][0]
        if pkg not in PACKAGES:
            continue
        platform, window, limit = PACKAGES[pkg]
        if r["kind"] == "rg:Database":
            databases[platform].append((r, window, limit, rng.lognormvariate(3.2, 0.6)))
        elif r["kind"] == "rg:EJournal":
            lam = rng.lognormvariate(1.9 if platform == "northstar" else 1.5, 1.0)
            tdm = 400.0 if platform == "aldgate" and rng.random() < 0.03 else 0.0
            titles[platform].append((r, "Journal", window, limit, lam, tdm))
        elif r["kind"] == "rg:EBook":
            lam = rng.lognormvariate(0.3 if pkg == "pkg:jhup-textbooks" else -0.4, 0.9)
            titles[platform].append((r, "Book", window, limit, lam, 0.0))
    for platform, title, ident, lam in NOT_HELD:
        kind = "Book" if len(ident) == 13 else "Journal"
        rec = {"en": title, "isbn" if kind == "Book" else "issn": ident, "id": ""}
        # not held: no licence ever, but hybrid open-access articles are read (Access_Type Open)
        titles[platform].append((rec, kind, ("0000-01", "0000-01"), 0.0, lam, 0.0))
    written = {}
    for y in YEARS:
        for platform, (created_by, publisher) in PLATFORMS.items():
            cols = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN",
                    "Online_ISSN", "URI", "Data_Type", "Access_Type", "Access_Method", "Metric_Type",
                    "Reporting_Period_Total"] + [f"{m}-{y}" for m in MONTHS]
            rows = header("TR", "Title Report", created_by, y, "Access_Type|Access_Method") + [cols]
            for rec, kind, window, limit, lam, tdm in titles[platform]:
                counts = title_rows(rng, kind, lam, window, limit, y, tdm)
                if not rec["id"] and kind == "Journal":     # not held: a little open-access reading
                    for i in range(12):
                        n = poisson(rng, lam * 0.15)
                        for metric in ("Total_Item_Investigations", "Unique_Item_Investigations",
                                       "Total_Item_Requests", "Unique_Item_Requests"):
                            counts.setdefault(("Open", "Regular", metric), [0] * 12)[i] += n
                prop = f"{platform.upper()}:{rec['id'] or rec.get('issn') or rec.get('isbn')}"
                for (access_type, method, metric), months in sorted(counts.items()):
                    if not any(months):
                        continue
                    rows.append([rec["en"], publisher, "", created_by, "", prop, rec.get("isbn", ""), "",
                                 rec.get("issn", ""), "", kind, access_type, method, metric, str(sum(months)),
                                 *map(str, months)])
            path = out_dir / f"{platform}-tr-{y}.tsv"
            write_tsv(path, rows)
            written[path.name] = path
            if not databases[platform]:
                continue
            cols = ["Database", "Publisher", "Publisher_ID", "Platform", "Proprietary_ID", "Data_Type",
                    "Access_Method", "Metric_Type", "Reporting_Period_Total"] + [f"{m}-{y}" for m in MONTHS]
            rows = header("DR", "Database Report", created_by, y, "Access_Method") + [cols]
            for rec, window, limit, lam in databases[platform]:
                counts: dict = {}
                for i in range(12):
                    base = lam * SEASON[i] * GROWTH[y]
                    if not licensed(window, y, i + 1):
                        counts.setdefault("No_License", [0] * 12)[i] = poisson(rng, base * 0.2)
                        continue
                    searches = poisson(rng, base * 3)
                    uir = poisson(rng, base * 0.8)
                    tir = uir + poisson(rng, uir * 0.3)
                    uii = uir + poisson(rng, uir * 0.5 + 1)
                    tii = max(tir, uii) + poisson(rng, uii * 0.2)
                    for metric, n in (("Searches_Regular", searches), ("Searches_Automated", poisson(rng, 2)),
                                      ("Total_Item_Investigations", tii), ("Unique_Item_Investigations", uii),
                                      ("Total_Item_Requests", tir), ("Unique_Item_Requests", uir)):
                        counts.setdefault(metric, [0] * 12)[i] = n
                    if limit:
                        counts.setdefault("Limit_Exceeded", [0] * 12)[i] = poisson(rng, base * limit)
                for metric, months in sorted(counts.items()):
                    if any(months):
                        rows.append([rec["en"], publisher, "", created_by, f"{platform.upper()}:{rec['id']}",
                                     DATABASES_DATA_TYPE, "Regular", metric, str(sum(months)), *map(str, months)])
            path = out_dir / f"{platform}-dr-{y}.tsv"
            write_tsv(path, rows)
            written[path.name] = path
    for y, lines in PAYMENTS.items():
        path = out_dir / f"payments-{y}.csv"
        path.write_bytes(("invoice,paid_for,amount,currency,fund,paid,covers_from,covers_until,order_date,"
                          "activation_date\n" + "".join(",".join(line) + "\n" for line in lines)).encode("utf-8"))
        written[path.name] = path
    return written


L = "https://demo.rightsgraph.org/licence/"
# invoice, paid for, amount, currency, fund, paid, covers from, covers until, ordered, activated
PAYMENTS = {
    2025: [
        ("ALD-2025-0117", L + "L01", "415000.00", "USD", "DALC-CONS-2025", "2025-01-20", "2025-01-01", "2025-12-31",
         "2024-10-08", "2025-01-01"),
        ("JHUP-2024-1123", L + "L02", "860000.00", "CNY", "DALC-EBOOK-CAP", "2025-01-15", "2025-01-01", "",
         "2024-11-05", "2025-01-06"),
        ("PASAS-2025-031", L + "L03", "12833.33", "USD", "JHDX-SER-2025", "2025-02-10", "2025-01-01", "2025-12-31",
         "2024-12-02", "2025-01-01"),
        ("ALD-2025-0342", L + "L05", "14000.00", "USD", "NYSF-EBK-2025", "2025-03-05", "2025-01-01", "2025-12-31",
         "2024-12-10", "2025-01-02"),
        ("JHUP-2025-0611", L + "L08", "7000.00", "CNY", "BHST-READ-2025", "2025-07-10", "2025-07-01", "2025-12-31",
         "2025-05-20", "2025-07-03"),
    ],
    2026: [
        ("ALD-2026-0102", L + "L01", "415000.00", "USD", "DALC-CONS-2026", "2026-01-18", "2026-01-01", "2026-12-31",
         "", ""),
        ("PASAS-2026-044", L + "L03", "12833.34", "USD", "JHDX-SER-2026", "2026-02-06", "2026-01-01", "2026-12-31",
         "", ""),
        ("NS-2026-0007", L + "L04", "156000.00", "CNY", "DCLG-DB-2026", "2026-01-12", "2026-01-01", "2026-12-31",
         "2025-11-20", "2026-01-05"),
        ("JHUP-2026-0098", L + "L08", "14000.00", "CNY", "BHST-READ-2026", "2026-01-25", "2026-01-01", "2026-12-31",
         "", ""),
        ("NS-2026-0015", L + "L09", "140000.00", "CNY", "DALC-CONS-2026", "2026-02-20", "2026-01-01", "2026-12-31",
         "2025-12-01", "2026-01-02"),
        ("JHUP-2026-0203", L + "L10", "45800.00", "CNY", "NYSF-TEXT-2026", "2026-03-10", "2026-03-01", "2027-02-28",
         "2026-01-15", "2026-03-04"),
    ],
}
