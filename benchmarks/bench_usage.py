"""The usage figures of issue 13, side by side in one run:

1. import of a COUNTER R5.1 Title Report (TR) for --titles titles x 12 months, every TR
   metric type (journals: item investigations and requests, turnaways; books: the title
   metrics too), against a bare pyoxigraph bulk load of the same observations (the cube's
   N-Triples) into a fresh on-disk store;                 target: within 2x, under 30 s
   before (the SHACL gate sees the whole cube, as until now) and after (the gate sees the
   part usage/cube.py shows to be enough), each into a fresh store, each against the bare load
2. the cost-per-use report over at least --observations observations (the TR above, a
   smaller one for the year before, a catalogue of the titles in packages with licences
   and payments): the first report (derives the links and the resource uses), a cold one
   (nothing kept in the process: what a CLI run or a service's first request after a
   write pays) and a warm one (report_cache);            target: under 2 s (cold)
3. the usage-trend chart (SVG) of that store: the first render of the process (starts the
   JavaScript engine) and the next;                       target: under 0.5 s

    python benchmarks/bench_usage.py                     # 10,000 titles, 1,000,000 observations
    python benchmarks/bench_usage.py --titles 2000 --observations 200000
    python benchmarks/bench_usage.py --no-before      # skip the "before" import (halves the run)

Figures are wall-clock seconds on this machine; the ratio is what carries over.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HEAD = ["Report_Name\tTitle Report", "Report_ID\tTR", "Release\t5.1", "Institution_Name\tBench University",
        "Institution_ID\tISIL:XX-BENCH", "Metric_Types\t", "Report_Filters\t",
        "Report_Attributes\tAttributes_To_Show=Access_Type|Access_Method", "Exceptions\t"]
RG = "https://w3id.org/rightsgraph/ns#"
ODRL = "http://www.w3.org/ns/odrl/2/"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "https://bench.example.org/"
PACKAGES = 20


def issn(i: int) -> str:
    first7 = f"{1000000 + i:07d}"
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1)))
    c = (11 - total % 11) % 11
    return f"{first7[:4]}-{first7[4:]}{'X' if c == 10 else c}"


def isbn(i: int) -> str:
    body = f"979{i:09d}"
    total = sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def title_report(path: Path, titles: int, year: int, seed: int) -> int:
    """A TR of `titles` titles (even: journals, odd: books), every month non-zero; returns
    the number of observations (non-zero cells)."""
    rng = random.Random(seed)
    cols = ["Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN", "Print_ISSN",
            "Online_ISSN", "URI", "Data_Type", "Access_Type", "Access_Method", "Metric_Type",
            "Reporting_Period_Total"] + [f"{m}-{year}" for m in MONTHS]
    lines = HEAD + [f"Reporting_Period\tBegin_Date={year}-01-01; End_Date={year}-12-31",
                    f"Created\t{year + 1}-01-05T00:00:00Z", "Created_By\tBench Platform", "Registry_Record\t", "",
                    "\t".join(cols)]
    n = 0
    for i in range(titles):
        book = i % 2 == 1
        uir = [rng.randint(3, 40) for _ in range(12)]
        rows = {"Unique_Item_Requests": uir,
                "Total_Item_Requests": [u + rng.randint(0, 6) for u in uir],
                "Unique_Item_Investigations": [u + rng.randint(0, 6) for u in uir]}
        rows["Total_Item_Investigations"] = [max(t, u) + rng.randint(0, 3) for t, u in
                                             zip(rows["Total_Item_Requests"], rows["Unique_Item_Investigations"])]
        if book:
            rows["Unique_Title_Requests"] = [max(1, u // 2) for u in uir]
            rows["Unique_Title_Investigations"] = [max(1, u // 2) + 1 for u in uir]
        rows["No_License"] = [rng.randint(1, 4) for _ in range(12)]
        rows["Limit_Exceeded"] = [rng.randint(1, 3) for _ in range(12)]
        for metric, counts in rows.items():
            lines.append("\t".join([f"Bench Title {i}", "Bench Publisher", "", "Bench Platform", "", f"BP:{i}",
                                    isbn(i) if book else "", "", "" if book else issn(i), "",
                                    "Book" if book else "Journal", "Controlled", "Regular", metric,
                                    str(sum(counts)), *map(str, counts)]))
            n += 12
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def catalogue(path: Path, titles: int) -> None:
    """The titles as catalogue resources in PACKAGES packages, one licence each (cost, term)."""
    out = []
    t = out.append
    for p in range(PACKAGES):
        pkg, lic = f"<{EX}package/{p}>", f"<{EX}licence/{p}>"
        t(f"{pkg} a <{RG}Package> .")
        t(f"{lic} a <{RG}Licence> ; <{ODRL}target> {pkg} ; <{RG}cost> \"{50000 + 1000 * p}.00\"^^<{XSD}decimal> ;"
          f" <{RG}currency> \"CNY\" ; <{RG}termStart> \"2024-01-01\"^^<{XSD}date> ;"
          f" <{RG}termEnd> \"2025-12-31\"^^<{XSD}date> ; <{DCT}title> \"Bench licence {p}\"@en .")
    for i in range(titles):
        book = i % 2 == 1
        r = f"<{EX}resource/{i}>"
        t(f"{r} a <{RG}Resource> ; <{RG}resourceType> <{RG}{'EBook' if book else 'EJournal'}> ;"
          f" <{DCT}title> \"Bench Title {i}\"@en ; <{ODRL}partOf> <{EX}package/{i % PACKAGES}> ;"
          f" <{RG}{'isbn' if book else 'issn'}> \"{isbn(i) if book else issn(i)}\" .")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def payments(path: Path) -> None:
    rows = ["invoice,paid_for,amount,currency,fund,paid,covers_from,covers_until,order_date,activation_date"]
    for p in range(PACKAGES):
        rows.append(f"B-{p},{EX}licence/{p},{30000 + 500 * p}.00,CNY,BENCH,2025-01-10,2025-01-01,2025-12-31,"
                    f"2024-11-01,2025-01-02")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--titles", type=int, default=10_000)
    ap.add_argument("--observations", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="Keep the store and files in this folder.")
    ap.add_argument("--no-before", action="store_true", help="Skip the import with the gate over the whole cube.")
    ap.add_argument("--skip-usage-report", action="store_true",
                    help="Skip the monthly usage report (reads every observation: minutes) and chart.")
    args = ap.parse_args(argv)
    import pyoxigraph as ox

    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    from rightsgraph.usage import cube, report_cache
    from rightsgraph.reports.charts import chart
    from rightsgraph.usage.checks import check_report
    from rightsgraph.usage.importing import import_reports
    from rightsgraph.usage.indicators import cost_per_use_report, usage_report
    from rightsgraph.usage.payments import import_payments
    from rightsgraph.usage.reader import read_report

    tmp_ctx = tempfile.TemporaryDirectory() if args.keep is None else None
    work = Path(tmp_ctx.name) if tmp_ctx else args.keep
    work.mkdir(parents=True, exist_ok=True)
    tr = work / "tr-2025.tsv"
    n_obs = title_report(tr, args.titles, 2025, seed=1)
    print(f"TR: {args.titles:,} titles x 12 months, {n_obs:,} observations ({tr.stat().st_size / 1e6:.1f} MB TSV)")

    # 1. baseline: the same observations as N-Triples, bulk-loaded into a fresh on-disk store
    report = read_report(tr)
    check_report(report)
    c = cube.to_cube(report)
    nt = work / "tr-2025.nt"
    nt.write_text(c.ntriples, encoding="utf-8")
    del report, c
    bare = ox.Store(str(work / "bare"))
    t_bare, _ = timed(lambda: (bare.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES,
                                              to_graph=ox.NamedNode(EX + "g")), bare.flush()))
    n_triples = len(bare)
    del bare
    print(f"\n1. bare pyoxigraph bulk load       {t_bare:8.2f} s   ({n_triples:,} triples)")
    if not args.no_before:
        # before: the gate validates the whole cube (the staged part is the whole text)
        whole = EmbeddedStore(work / "store-before")
        ensure_system_graphs(whole)
        to_cube = cube.to_cube

        def whole_cube(report):
            c = to_cube(report)
            c.staged = c.ntriples
            return c
        cube.to_cube = whole_cube
        try:
            t_before, res = timed(lambda: import_reports(whole, [tr]))
        finally:
            cube.to_cube = to_cube
        whole.close()
        del whole
        phases = ", ".join(f"{k} {v:.1f}" for k, v in res.timings.items())
        print(f"   import, gate over the whole cube {t_before:7.2f} s   {t_before / t_bare:5.2f} x bare  ({phases})")
    store = EmbeddedStore(work / "store")
    ensure_system_graphs(store)
    t_import, res = timed(lambda: import_reports(store, [tr]))
    phases = ", ".join(f"{k} {v:.1f}" for k, v in res.timings.items())
    print(f"   import, gate over the part      {t_import:8.2f} s   {t_import / t_bare:5.2f} x bare  ({phases})")
    print("   (target: within 2 x of the bare load; under 30 s)", flush=True)

    # 2. cost per use over >= --observations observations
    rest = max(0, args.observations - n_obs)
    if rest:
        before = work / "tr-2024.tsv"
        extra = title_report(before, max(1, -(-rest // 84)), 2024, seed=2)
        import_reports(store, [before])
        n_obs += extra
    cat = work / "catalogue.ttl"
    catalogue(cat, args.titles)
    store.load_file(cat, ox.RdfFormat.TURTLE, ox.NamedNode(EX + "catalogue"))   # set-up: not timed
    pay = work / "payments-bench.csv"
    payments(pay)
    import_payments(store, pay)
    t_first, rep = timed(lambda: cost_per_use_report(store, year=2025))
    report_cache.forget()
    t_cold, rep = timed(lambda: cost_per_use_report(store, year=2025))
    t_warm, rep = timed(lambda: cost_per_use_report(store, year=2025))
    print(f"\n2. cost per use, {n_obs:,} observations, {len(rep['titles']):,} titles, "
          f"{len(rep['licences'])} licences")
    print(f"   first report (derives links, uses) {t_first:5.2f} s")
    print(f"   report, cold                    {t_cold:8.2f} s   (target: under 2 s)")
    print(f"   report, warm (kept)             {t_warm:8.2f} s", flush=True)
    if not args.skip_usage_report:
        usage_figures(store, usage_report, chart)
    if tmp_ctx:
        store.close()
        tmp_ctx.cleanup()
    return 0


#: the charts' font list before they had their own cut of Noto CJK (reports/chart_font.py): the baseline
BASELINE_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def usage_figures(store, usage_report, chart) -> None:
    """3. the usage report and its trend chart, beside the same chart measured with the font
    list the charts had before (the whole Noto CJK collection first), rounds alternating."""
    import statistics

    from rightsgraph.reports.charts import render_svg, spec_for
    t_usage, urep = timed(lambda: usage_report(store))
    t_chart1, _ = timed(lambda: chart("usage", urep))
    now = spec_for("usage", urep)
    before = {**now, "config": {**now["config"], "font": BASELINE_FONT}}
    times = {"before": [], "now": []}
    for _ in range(3):
        for name, spec in (("before", before), ("now", now)):
            times[name] += [timed(lambda: render_svg(spec))[0] for _ in range(3)]
    svg = render_svg(now)
    print(f"\n3. usage report (monthly, {len(urep['months'])} months) {t_usage:8.2f} s")
    print(f"   trend chart, first render       {t_chart1:8.2f} s   (starts vl-convert's JavaScript engine)")
    print(f"   trend chart, baseline font list {statistics.median(times['before']):8.2f} s   (median of 9; "
          f"{min(times['before']):.2f}-{max(times['before']):.2f})")
    print(f"   trend chart                     {statistics.median(times['now']):8.2f} s   (median of 9; "
          f"{min(times['now']):.2f}-{max(times['now']):.2f}; target: under 0.5 s; {len(svg):,} bytes SVG)")


if __name__ == "__main__":
    sys.exit(main())
