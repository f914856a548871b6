"""Payments and invoices (what was paid, for which licence, package or resource, from
which fund, in which currency, for which period), imported from a CSV file into a graph
of their own that is confidential from the start (readers never see it, as prices).

    import_payments(store, Path("payments-2025.csv"))

Columns (header row, any order): invoice, paid_for (IRI), amount, currency, fund, paid
(date), covers_from, covers_until, order_date, activation_date. paid_for and amount and
currency are required. docs/usage.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from .. import loading, provenance
from ..confidentiality import confidential_graphs, set_confidential
from ..namespaces import GRAPH_BASE
from .cube import RG, XSD, lit
from .reader import CounterError
from ..translation import both

PAYMENTS_GRAPH_BASE = GRAPH_BASE + "payments/"
COLUMNS = ("invoice", "paid_for", "amount", "currency", "fund", "paid", "covers_from", "covers_until",
           "order_date", "activation_date")
DATES = {"paid": "paymentDate", "covers_from": "coversFrom", "covers_until": "coversUntil",
         "order_date": "orderDate", "activation_date": "activationDate"}


@dataclass
class PaymentsResult:
    graph: str
    payments: int


def payments_graph(path: Path) -> str:
    return PAYMENTS_GRAPH_BASE + re.sub(r"[^A-Za-z0-9._-]", "_", path.name.split(".")[0])


def read_payments(path: Path, data: bytes) -> tuple[str, int]:
    """The N-Triples of the payments in the file; CounterError naming line and column."""
    source = path.name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CounterError(source, [(f"byte {exc.start}", both("not UTF-8 text"))]) from None
    dialect = "\t" if "\t" in text.split("\n", 1)[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect))
    if not rows:
        raise CounterError(source, [("", both("empty file"))])
    header = [h.strip().lower() for h in rows[0]]
    problems = []
    for j, h in enumerate(header):
        if h not in COLUMNS:
            problems.append((f"line 1, column {j + 1}", both("unknown column %(h)s (expected: %(columns)s)",
                                                             h=repr(h), columns=', '.join(COLUMNS))))
    for required in ("paid_for", "amount", "currency"):
        if required not in header:
            problems.append(("line 1", both("missing column %(required)s", required=required)))
    if problems:
        raise CounterError(source, problems)
    graph = payments_graph(path)
    out = []
    n = 0
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = {h: (row[j].strip() if j < len(row) else "") for j, h in enumerate(header)}

        def where(col, i=i):
            return f"line {i}, column {header.index(col) + 1} ({col})"
        n += 1
        p = f"<{graph}/p{n}>"
        target = cell["paid_for"]
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", target):
            problems.append((where("paid_for"), both("paid_for %(target)s is not an http(s) IRI",
                                                     target=repr(target))))
        try:
            amount = Decimal(cell["amount"].replace(",", ""))
            if amount < 0 or not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append((where("amount"), both("amount %(amount)s is not a non-negative number",
                                                   amount=repr(cell['amount']))))
            amount = Decimal(0)
        currency = cell["currency"].upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append((where("currency"), both("currency %(currency)s is not an ISO 4217 code such as CNY",
                                                     currency=repr(cell['currency']))))
        out += [f"{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{RG}Payment> .",
                f"{p} <{RG}paidFor> <{target}> .",
                f"{p} <{RG}paidAmount> {lit(f'{amount:f}', XSD + 'decimal')} .",
                f"{p} <{RG}paidCurrency> {lit(currency)} ."]
        for col, prop in (("fund", "fundCode"), ("invoice", "invoiceNumber")):
            if cell.get(col):
                out.append(f"{p} <{RG}{prop}> {lit(cell[col])} .")
        for col, prop in DATES.items():
            if cell.get(col):
                try:
                    d = date.fromisoformat(cell[col])
                except ValueError:
                    problems.append((where(col), both("%(col)s %(cell_col)s is not a date (YYYY-MM-DD)",
                                                      col=col, cell_col=repr(cell[col]))))
                    continue
                out.append(f"{p} <{RG}{prop}> {lit(d.isoformat(), XSD + 'date')} .")
    if problems:
        raise CounterError(source, problems)
    return "\n".join(out) + "\n", n


def import_payments(store, path: Path, *, agent: str | None = None, via: str = "cli") -> PaymentsResult:
    """Replace the file's payments graph, confidential before any payment is in it."""
    path = Path(path)
    data = path.read_bytes()
    text, n = read_payments(path, data)
    graph = payments_graph(path)
    staging = ox.Store()
    staging.load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    was_confidential = graph in confidential_graphs(store)
    set_confidential(store, graph)
    try:
        loading.commit_staged(store, staging, sources=[provenance.SourceRecord(
            path.name, hashlib.sha256(data).hexdigest(), len(data))], names=[path.name], replace=True,
            agent=agent, gate=None, started=provenance.now(), via=via)
    except Exception:
        if not was_confidential:
            set_confidential(store, graph, False)
        raise
    return PaymentsResult(graph, n)
