"""COUNTER_SUSHI client (API 5 and 5.1): ask a platform's SUSHI server for reports and
import them through the same checks and gate as `usage import` (docs/usage.md, Harvesting).

    provider = SushiCredentials(path).get("aldgate")
    result = harvest(store, provider, ["TR_J1", "DR"], "2025-01", "2025-12")

Requests are `GET {url}/reports/{id}` (R5.1: `{url}/r51/reports/{id}`) with customer_id,
requestor_id, api_key, platform, begin_date and end_date (whole days: first and last of
the months; both forms are allowed by the spec, not every server takes `yyyy-mm`). Master
reports ask for the attributes the indicators need (access type and method, data type),
not YOP, which would multiply the rows by the years of publication.

What the server answers, by COUNTER_SUSHI exception (CoP Appendix F / R5.1 Appendix D;
R5 servers put exceptions in the body alone or in a list, R5.1 servers use HTTP statuses
202/400/401/403/429/503 and the report header):

    1000, 1010, 1020, HTTP 5xx/429,   asked again after a wait that doubles each time
    no answer                         (Retry-After is honoured), then `server`
    1011 queued                       asked again likewise, then `not_ready` (harvest later)
    3031 usage not ready              the months given are imported; none: `not_ready`
    3030 no usage, 3032 no longer     nothing to import for that report: `no_usage`
    1030, 2000, 2010, 2011, 2020,     `refused`: the request or the credentials must be
    3000, 3010, 3020, 3070, 3071      fixed; nothing of the run is imported
    other (3040, 3050, 3060 ...)      warnings; the report is imported

Secrets: requestor_id and api_key travel only in the query string of the request; every
text that is shown (server messages, connection errors, which name the URL) passes
through `redact` first, and the provenance record names the report as
`sushi:<provider>/<report>/<begin>..<end>`, not by its URL.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from dataclasses import dataclass, field

from . import counter_spec as spec
from .checks import check_report
from .reader import CounterError, CounterReport, read_report
from .sushi_credentials import SushiProvider
from ..bilingual import COLON, SEMICOLON, compose, in_lang, joined
from ..translation import LANGUAGES, both, gettext, pgettext

BUSY = {1000, 1010, 1020}
QUEUED = {1011}
NOT_READY = {3031}
NO_USAGE = {3030, 3032}
REFUSED = {1030, 2000, 2010, 2011, 2020, 3000, 3010, 3020, 3070, 3071}

# what the indicators need from a master report (docs/usage.md); R5.1 shows Data_Type always
MASTER_ATTRIBUTES = {
    "5": {"PR": "Data_Type|Access_Method", "DR": "Data_Type|Access_Method",
          "TR": "Data_Type|Section_Type|Access_Type|Access_Method", "IR": "Data_Type|Access_Type|Access_Method"},
    "5.1": {"PR": "Access_Method", "DR": "Access_Method", "TR": "Access_Type|Access_Method",
            "IR": "Access_Type|Access_Method"},
}

def _(message: str) -> str:  # marks a msgid for extraction; translated where shown (describe)
    return message


_ADVICE = {
    1011: _("the server is still preparing the report: harvest it again later"),
    1030: _("the server needs more in the request (customer_id, requestor_id or platform): check the provider's "
            "settings"),
    2000: _("the server does not know or accept the requestor_id: check it with the platform and store it again "
            "(rightsgraph usage sushi add)"),
    2010: _("the requestor is not authorised for this customer_id: ask the platform to authorise it, or check "
            "the customer_id"),
    2011: _("the server does not report usage of 'The World'"),
    2020: _("the server does not accept the api_key: check it with the platform and store it again "
            "(rightsgraph usage sushi add)"),
    3000: _("the server does not offer this report"),
    3010: _("the server does not offer this report in this COUNTER release: check the provider's --release"),
    3020: _("the server refused the dates: months as YYYY-MM, begin not after end, and not the current month or "
            "later"),
    3030: _("no usage for these months: nothing to import"),
    3031: _("the usage of these months is not ready yet: harvest them again later"),
    3032: _("the server no longer has the usage of these months: nothing to import"),
    3070: _("the server wants a report filter the request did not give"),
    3071: _("the server wants a report attribute the request did not give"),
}


class SushiError(Exception):
    """The harvest stopped; nothing of the run was imported. `kind`: "refused" (the request
    or the credentials must be fixed) or "server" (unreachable, busy or not a SUSHI answer
    after the retries). `texts`: the message in each language ({"en": ..., "zh": ...}),
    already redacted."""

    def __init__(self, kind: str, texts: dict[str, str], code: int | None = None):
        self.kind, self.texts, self.code = kind, texts, code
        super().__init__(texts["en"])

    def text(self, lang: str) -> str:
        return in_lang(self.texts, lang)


@dataclass
class Harvested:
    """One report's answer. outcome: "report" (to import), "no_usage" (3030, 3032: nothing
    to import), "not_ready" (3031 with no months, or still queued: ask again later)."""
    report_id: str
    source: str
    outcome: str
    data: bytes | None = None
    report: CounterReport | None = None
    exceptions: list = field(default_factory=list)     # [(code, message, data)], redacted
    attempts: int = 1


@dataclass
class HarvestResult:
    provider: str
    begin: str
    end: str
    reports: list = field(default_factory=list)        # Harvested
    imported: object = None                            # importing.ImportResult, or None


def redact(text: str, secrets) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def month_bounds(begin: str, end: str) -> tuple[str, str]:
    """'2025-01', '2025-12' -> ('2025-01-01', '2025-12-31'); ValueError naming the bad one."""
    for name, value in (("begin", begin), ("end", end)):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value or ""):
            raise ValueError(name, value)
    if begin > end:
        raise ValueError("order", f"{begin}..{end}")
    y, m = map(int, end.split("-"))
    return f"{begin}-01", f"{end}-{calendar.monthrange(y, m)[1]:02d}"


def report_url(provider: SushiProvider, report_id: str) -> str:
    base = provider.url.rstrip("/")
    if provider.release == "5.1" and not base.endswith("/r51"):
        base += "/r51"
    return f"{base}/reports/{report_id.lower()}"


def request_params(provider: SushiProvider, report_id: str, begin: str, end: str,
                   attributes: str | None = None) -> dict:
    first, last = month_bounds(begin, end)
    params = {"customer_id": provider.customer_id, "begin_date": first, "end_date": last}
    for key, value in (("requestor_id", provider.requestor_id), ("api_key", provider.api_key),
                       ("platform", provider.platform)):
        if value:
            params[key] = value
    if attributes is None and report_id in spec.REPORT_FAMILY:       # a master report
        attributes = MASTER_ATTRIBUTES[provider.release][report_id]
    if attributes:
        params["attributes_to_show"] = attributes
    return params


def describe(code: int, message: str, data: str, advice: bool = True) -> dict[str, str]:
    """'SUSHI 3030 No Usage Available for Requested Dates: <server data>; <what to do>' in
    each language ({"en": ..., "zh": ...}); the server's own words stay as they are."""
    name_en = spec.SUSHI_EXCEPTIONS.get(code, ("", ""))[0]
    extra = "; ".join(x for x in (message if message and message != name_en else "", data) if x)
    out = {}
    for lang in LANGUAGES:
        name = spec.exception_name(code, lang) or message or pgettext("SUSHI", "exception", lang)
        text = f"SUSHI {code} {name}"
        if extra:
            text = COLON[lang].join((text, extra))
        todo = _ADVICE.get(code) if advice else None
        if todo:
            text = SEMICOLON[lang].join((text, gettext(todo, lang)))
        out[lang] = text
    return out


def _exceptions(body) -> tuple[dict | None, list[tuple[int, str, str]]]:
    """The report (if any) and the exceptions of an answer, in each of the shapes servers
    use: a report with Report_Header.Exceptions; an exception object alone (R5.1, and R5
    servers, some wrapped as {"Exception": {...}}); a list of exceptions (R5 servers)."""
    found, report = [], None
    if isinstance(body, dict):
        if "Report_Header" in body:
            report = body
            header = body.get("Report_Header") or {}
            found = list(header.get("Exceptions") or []) + list(body.get("Exceptions") or [])
        elif "Code" in body:
            found = [body]
        elif isinstance(body.get("Exception"), dict):
            found = [body["Exception"]]
        elif isinstance(body.get("Exceptions"), list):
            found = body["Exceptions"]
    elif isinstance(body, list):
        for x in body:
            if isinstance(x, dict) and "Report_Header" in x and report is None:
                report, found = x, found + list((x.get("Report_Header") or {}).get("Exceptions") or [])
            elif isinstance(x, dict):
                found.append(x.get("Exception") if isinstance(x.get("Exception"), dict) else x)
    out = []
    for e in found:
        if not isinstance(e, dict):
            continue
        try:
            code = int(e.get("Code"))
        except (TypeError, ValueError):
            continue
        out.append((code, str(e.get("Message") or ""), str(e.get("Data") or "")))
    return report, out


def _retry_after(resp) -> float | None:
    value = resp.headers.get("Retry-After") if resp is not None else None
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def fetch_report(provider: SushiProvider, report_id: str, begin: str, end: str, *, attributes: str | None = None,
                 retries: int = 5, wait: float = 5.0, max_wait: float = 300.0, timeout: float = 600.0,
                 session=None, sleep=time.sleep, progress=None) -> Harvested:
    """Ask for one report, retrying what the spec says to retry; raise SushiError when the
    request is refused or the server stays unavailable."""
    import requests

    from .. import __version__
    secrets = provider.secrets()
    session = session or requests.Session()
    url = report_url(provider, report_id)
    params = request_params(provider, report_id, begin, end, attributes)
    source = f"sushi:{provider.name}/{report_id}/{begin}..{end}"
    headers = {"Accept": "application/json", "User-Agent": f"rightsgraph/{__version__} (COUNTER_SUSHI client)"}
    where = both("%(report)s from %(provider)s (%(url)s)", report=report_id, provider=provider.name, url=url)
    last: dict[str, str] = {}
    queued = False
    for attempt in range(1, retries + 2):
        resp, body = None, None
        try:
            resp = session.get(url, params=params, headers=headers, timeout=(30, timeout))
        except requests.RequestException as exc:
            reason = redact(str(exc.__context__ or exc) if not isinstance(exc, requests.Timeout) else "timed out",
                            secrets)
            last = compose(both("%(where)s: no answer (%(error)s: %(reason)s)"), where=where,
                           error=type(exc).__name__, reason=_short(reason))
        else:
            try:
                body = json.loads(resp.content.decode("utf-8-sig")) if resp.content.strip() else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = None
            report, excs = _exceptions(body)
            excs = [(c, redact(m, secrets), redact(d, secrets)) for c, m, d in excs]
            codes = {c for c, _, _ in excs}
            if resp.status_code == 202 or codes & QUEUED:
                queued = True
                last = _first(excs, QUEUED) or compose(both("%(where)s: HTTP 202, the report is queued"), where=where)
            elif resp.status_code in (429, 500, 502, 503, 504) or (codes & BUSY and report is None):
                queued = False
                last = _first(excs, BUSY) or joined(COLON, where, f"HTTP {resp.status_code}")
            else:
                return _answer(provider, report_id, source, where, resp, body, report, excs, attempt)
        if attempt > retries:
            break
        delay = min(_retry_after(resp) or wait * 2 ** (attempt - 1), max_wait)
        if progress:
            progress(compose(both("%(report)s: %(what)s; asking again in %(delay)s s (attempt %(attempt)s of %(n)s)"),
                             report=report_id, what=last, delay=f"{delay:g}", attempt=attempt + 1, n=retries + 1))
        sleep(delay)
    if queued:
        return Harvested(report_id, source, "not_ready", attempts=retries + 1, exceptions=[
            (1011, "Report Queued for Processing", f"still queued after {retries + 1} attempts")])
    n = retries + 1
    raise SushiError("server", compose(both("%(what)s (after %(n)s attempts; harvest again later)"), what=last, n=n))


def _short(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "..."


def _first(excs, codes) -> dict[str, str] | None:
    for c, m, d in excs:
        if c in codes:
            return describe(c, m, d, advice=False)
    return None


def _answer(provider, report_id, source, where, resp, body, report, excs, attempt) -> Harvested:
    """A final answer (nothing to retry): a report, an exception that ends the run, or
    garbage."""
    codes = {c for c, _, _ in excs}
    refused = [(c, m, d) for c, m, d in excs if c in REFUSED or (c > 999 and c not in spec.SUSHI_EXCEPTIONS
                                                                 and report is None)]
    if refused:
        c, m, d = refused[0]
        raise SushiError("refused", joined(COLON, where, describe(c, m, d)),
                         code=c)
    items = report.get("Report_Items") if report is not None else None
    if report is not None and not items and codes & NO_USAGE:
        return Harvested(report_id, source, "no_usage", exceptions=excs, attempts=attempt)
    if report is not None and not items and codes & NOT_READY:
        return Harvested(report_id, source, "not_ready", exceptions=excs, attempts=attempt)
    if report is None and codes & (NO_USAGE | NOT_READY):
        return Harvested(report_id, source, "no_usage" if codes & NO_USAGE else "not_ready",
                         exceptions=excs, attempts=attempt)
    if report is None:
        ctype = resp.headers.get("Content-Type", "?").split(";")[0]
        if excs:
            raise SushiError("refused", joined(COLON, where, describe(*excs[0])),
                             code=excs[0][0])
        if 400 <= resp.status_code < 500:
            raise SushiError("refused", compose(both("%(where)s: HTTP %(status)s (%(type)s), no SUSHI exception: is "
                                                     "the URL right and does the server offer this report?"),
                                                where=where, status=resp.status_code, type=ctype))
        raise SushiError("server", compose(both("%(where)s: HTTP %(status)s (%(type)s) is not a COUNTER report"),
                                           where=where, status=resp.status_code, type=ctype))
    got = str((report.get("Report_Header") or {}).get("Report_ID", ""))
    if got.upper() != report_id.upper():
        raise SushiError("server", compose(both("%(where)s: asked for %(report)s, the server sent %(got)s"),
                                           where=where, report=report_id, got=got or both("no Report_ID")))
    data = resp.content if isinstance(body, dict) else json.dumps(report, ensure_ascii=False).encode("utf-8")
    return Harvested(report_id, source, "report", data=data, exceptions=excs, attempts=attempt)


def harvest(store, provider: SushiProvider, report_ids, begin: str, end: str, *, attributes: str | None = None,
            retries: int = 5, wait: float = 5.0, max_wait: float = 300.0, agent: str | None = None,
            progress=None, on_fetched=None, session=None, sleep=time.sleep) -> HarvestResult:
    """Fetch each report, then import those with usage as one unit (all or nothing, like
    `usage import`). SushiError stops the run before anything is imported; the import
    raises importing.UsageImportError / UsageRejected when a report breaks COUNTER's rules.
    `on_fetched(Harvested)` sees each answer before the import (e.g. to keep a copy)."""
    from .importing import UsageImportError, import_reports
    month_bounds(begin, end)
    result = HarvestResult(provider.name, begin, end)
    for rid in report_ids:
        h = fetch_report(provider, rid, begin, end, attributes=attributes, retries=retries, wait=wait,
                         max_wait=max_wait, session=session, sleep=sleep, progress=progress)
        result.reports.append(h)
        if on_fetched:
            on_fetched(h)
    errors, loaded = [], []
    for h in result.reports:
        if h.outcome != "report":
            continue
        try:
            h.report = read_report(h.source, h.data, name=h.source)
            check_report(h.report)
        except CounterError as exc:
            errors.append(exc)
            continue
        loaded.append((h.source, h.data, h.report))
    if errors:
        raise UsageImportError(errors)
    if loaded:
        result.imported = import_reports(store, [], agent=agent, via="sushi", reports=loaded)
    return result
