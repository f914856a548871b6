"""A COUNTER_SUSHI server for the tests, serving the official COUNTER sample reports
(tests/conformance/suites/counter/) and each SUSHI exception, as real servers send them.

    python tests/sushi_server.py --port 8080

    GET /r51/reports/<id>   R5.1: the sample <ID>_sample_r51.json; exceptions with the HTTP
                            statuses of the R5.1 API (202, 400, 401, 403, 429, 503) and in
                            the report header (3030, 3031, 3040 ...)
    GET /r5/reports/<id>    R5: the sample Sample-<ID>.json; exceptions the way R5 servers
                            commonly send them: HTTP 200 with one exception object, or a list
    GET /r51/status, /r5/status
    GET /_requests          what was asked so far: [{path, customer_id, begin_date, ...}]

The library's credentials are CUSTOMER, REQUESTOR and API_KEY. Other customer_ids pick an
answer (SCENARIOS). The samples cover fixed months (R5: 2016-01..2016-03, R5.1: 2022-01..
2022-12); other months get 3030. Only for the tests: the credentials are constants.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import threading
from datetime import date
from pathlib import Path

from flask import Flask, Response, request

SUITE = Path(__file__).resolve().parent / "conformance" / "suites" / "counter"
CUSTOMER, REQUESTOR, API_KEY = "cust-0001", "req-7f3a91", "k3y-s3cr3t-5e9b2d"
REPORT_IDS = ("PR", "PR_P1", "DR", "DR_D1", "DR_D2", "TR", "TR_B1", "TR_B2", "TR_B3", "TR_J1", "TR_J2", "TR_J3",
              "TR_J4", "IR", "IR_A1", "IR_M1")
SCENARIOS = {
    "no-usage": "3030 No Usage Available for Requested Dates",
    "not-ready": "3031 Usage Not Ready for Requested Dates, no months",
    "half-ready": "3031 with the first half of the months (R5.1), End_Date moved back",
    "gone": "3032 Usage No Longer Available for Requested Dates",
    "queued": "1011 Report Queued for Processing, every time",
    "queued-twice": "1011 twice, then the report",
    "busy-once": "1010 Service Busy once, then the report",
    "down": "1000 Service Not Available, every time",
    "too-many": "1020 Client has made too many requests once (Retry-After: 1), then the report",
    "warn": "the report, with 3040 Partial Data Returned in its header",
    "echo-key": "2020 APIKey Invalid whose Data repeats the api_key",
    "not-json": "HTTP 200 with an HTML page",
    "wrong-report": "a DR whatever was asked for",
    "bad-report": "the sample with one Unique_Item_Requests above its Total_Item_Requests",
    "needs-platform": "1030 Insufficient Information without a platform, else the report",
}
NAMES = {1000: "Service Not Available", 1010: "Service Busy", 1011: "Report Queued for Processing",
         1020: "Client has made too many requests", 1030: "Insufficient Information to Process Request",
         2000: "Requestor Not Authorized to Access Service",
         2010: "Requestor is Not Authorized to Access Usage for Institution", 2020: "APIKey Invalid",
         3000: "Report Not Supported", 3020: "Invalid Date Arguments",
         3030: "No Usage Available for Requested Dates", 3031: "Usage Not Ready for Requested Dates",
         3032: "Usage No Longer Available for Requested Dates", 3040: "Partial Data Returned"}
# R5.1 API: the HTTP status of each exception sent without a report
STATUS_51 = {1000: 503, 1010: 503, 1011: 202, 1020: 429, 1030: 400, 2000: 401, 2010: 403, 2020: 401, 3020: 400}
PERIOD = {"r5": ("2016-01", "2016-03"), "r51": ("2022-01", "2022-12")}


def sample(release: str, report_id: str) -> dict:
    name = (f"Sample-{report_id}.json" if release == "r5" else f"{report_id.replace('_', '')}_sample_r51.json")
    return json.loads((SUITE / release / name).read_text(encoding="utf-8-sig"))


def create_app() -> Flask:
    app = Flask(__name__)
    hits: dict = {}
    log: list = []
    lock = threading.Lock()

    def exception(release, code, data="", status=None, as_list=False):
        exc = {"Code": code, "Message": NAMES.get(code, "Exception"), "Data": data}
        if release == "r5":
            exc["Severity"] = "Error" if code >= 2000 else "Fatal"
            body, status = ([exc] if as_list else exc), status or 200
        else:
            body, status = exc, status or STATUS_51.get(code, 400)
        resp = Response(json.dumps(body), status=status, content_type="application/json")
        if code == 1020:
            resp.headers["Retry-After"] = "1"
        return resp

    def report(doc, status=200):
        return Response(json.dumps(doc), status=status, content_type="application/json")

    def with_exception(release, doc, code, data, items=None):
        doc = copy.deepcopy(doc)
        exc = {"Code": code, "Message": NAMES[code], "Data": data}
        if release == "r5":
            exc["Severity"] = "Warning"
        doc["Report_Header"]["Exceptions"] = [exc]
        if items is not None:
            doc["Report_Items"] = items
        return doc

    @app.get("/<release>/status")
    def status(release):
        if release not in PERIOD:
            return Response("not found", status=404)
        return report([{"Description": "test SUSHI server", "Service_Active": True}])

    @app.get("/_requests")
    def requests_seen():
        return report(log)

    @app.get("/<release>/reports/<rid>")
    def reports(release, rid):
        a = request.args
        with lock:
            log.append({"path": request.path, **{k: a.get(k) for k in ("customer_id", "begin_date", "end_date",
                                                                          "platform", "attributes_to_show")}})
        if release not in PERIOD:
            return Response("not found", status=404)
        rid = rid.upper()
        if not a.get("customer_id") or not a.get("begin_date") or not a.get("end_date"):
            missing = [k for k in ("customer_id", "begin_date", "end_date") if not a.get(k)]
            return exception(release, 1030, f"missing: {', '.join(missing)}")
        if a.get("requestor_id") != REQUESTOR:
            return exception(release, 2000, "requestor_id not recognised")
        customer = a["customer_id"]
        if customer == "echo-key":
            return exception(release, 2020, f"api_key {a.get('api_key')} is not valid for this customer")
        if a.get("api_key") != API_KEY:
            return exception(release, 2020)
        if customer == "needs-platform" and not a.get("platform"):
            return exception(release, 1030, "platform is required: this server serves several platforms")
        if customer != CUSTOMER and customer not in SCENARIOS:
            return exception(release, 2010, f"customer_id {customer}")
        if rid not in REPORT_IDS:
            return exception(release, 3000, rid, status=404 if release == "r51" else None)
        begin, end = (_month(a["begin_date"]), _month(a["end_date"]))
        if not begin or not end or begin > end:
            return exception(release, 3020, f"begin_date {a['begin_date']}, end_date {a['end_date']}")
        if begin >= date.today().strftime("%Y-%m"):
            return exception(release, 3020, f"begin_date {a['begin_date']} is the current month or later")
        first, last = PERIOD[release]
        with lock:
            n = hits[(customer, release, rid)] = hits.get((customer, release, rid), 0) + 1
        doc = sample(release, rid)
        if (begin, end) != (first, last) and customer == CUSTOMER:
            doc = with_exception(release, doc, 3030, f"usage is available for {first} to {last}", items=[])
            return report(doc) if release == "r51" else exception(release, 3030, doc["Report_Header"]
                                                                  ["Exceptions"][0]["Data"], as_list=True)
        if customer == "no-usage":
            if release == "r5":
                return exception(release, 3030, f"no usage for {begin} to {end}", as_list=True)
            return report(with_exception(release, doc, 3030, f"no usage for {begin} to {end}", items=[]))
        if customer == "not-ready":
            return report(with_exception(release, doc, 3031, f"{begin} to {end} not yet processed", items=[]))
        if customer == "half-ready":
            return report(_half(release, doc))
        if customer == "gone":
            return exception(release, 3032, f"usage before {last} has been removed", as_list=True) \
                if release == "r5" else report(with_exception(release, doc, 3032, "kept 24 months", items=[]))
        if customer == "queued" or (customer == "queued-twice" and n <= 2):
            return exception(release, 1011, "report is being prepared")
        if customer == "busy-once" and n == 1:
            return exception(release, 1010, "try again in a minute")
        if customer == "down":
            return exception(release, 1000, "database maintenance")
        if customer == "too-many" and n == 1:
            return exception(release, 1020, "at most 1 request per second")
        if customer == "warn":
            return report(with_exception(release, doc, 3040, "logging failed on one day"))
        if customer == "not-json":
            return Response("<html><body>Welcome to our portal</body></html>", content_type="text/html")
        if customer == "wrong-report":
            return report(sample(release, "DR"))
        if customer == "bad-report":
            return report(_unique_above_total(doc))
        return report(doc)

    return app


def _month(value: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?", value or "")
    return f"{m.group(1)}-{m.group(2)}" if m else None


def _half(release: str, doc: dict) -> dict:
    """R5.1: the months up to June, End_Date moved to June, 3031 for the rest."""
    doc = copy.deepcopy(doc)
    filters = doc["Report_Header"]["Report_Filters"]
    year = filters["Begin_Date"][:4]
    filters["End_Date"] = f"{year}-06-30"
    doc["Report_Header"]["Exceptions"] = [{"Code": 3031, "Message": NAMES[3031],
                                           "Data": f"{year}-07 to {year}-12 not yet processed"}]
    for it in doc["Report_Items"]:
        for child in it.get("Items", [it]):
            for ap in child.get("Attribute_Performance", []):
                for metric, months in ap["Performance"].items():
                    ap["Performance"][metric] = {m: c for m, c in months.items() if m <= f"{year}-06"}
    return doc


def _unique_above_total(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for it in doc["Report_Items"]:
        for ap in it.get("Attribute_Performance", []):
            perf = ap["Performance"]
            if "Unique_Item_Requests" in perf and "Total_Item_Requests" in perf:
                month = next(iter(perf["Total_Item_Requests"]))
                perf["Unique_Item_Requests"][month] = perf["Total_Item_Requests"][month] + 1
                return doc
    raise ValueError("no Unique_Item_Requests beside Total_Item_Requests in this sample")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    create_app().run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
