"""Upload a licence term sheet (YAML or CSV) from the browser: /licences/upload (cataloguers).

The first POST only checks: the sheet is read and compiled by the same code as `rightsgraph
licence import` (licences/termsheet.py), and the compiled licence goes through the same SHACL
gate against what the store holds, without committing. The page shows the validation report
and, when nothing is violated, a form that sends the same sheet back with confirm=1; only that
second POST stores it (licences/registry.import_sheet, which validates again: the store may have
changed in between). Nothing is kept on the server between the two requests.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from .auth import current_agent, require
from .visible import PageError, install_error_page

bp = Blueprint("termsheet_upload", __name__)
install_error_page(bp)
SUFFIXES = (".yaml", ".yml", ".csv")


def _guard() -> None:
    denied = require("cataloguer")
    if denied is not None:
        raise PageError(denied.status_code, _("Uploading a term sheet needs the cataloguer role."))


def _received() -> tuple[str, str]:
    """(file name, text) of the sheet: the uploaded file, or the text sent back to confirm."""
    upload = request.files.get("sheet")
    if upload is not None and upload.filename:
        name, data = upload.filename, upload.read()
    else:   # sent back to confirm: base64, so the stored bytes are the uploaded ones (a form's
        # text fields would turn line ends into CRLF)
        import base64
        import binascii
        try:
            name, data = request.form.get("name", ""), base64.b64decode(request.form.get("sheet64", ""), validate=True)
        except binascii.Error:
            raise PageError(400, _("Parameter sheet64 is not base64.")) from None
    name = re.sub(r"[^\w.\-]+", "_", Path(name.replace("\\", "/")).name).lstrip(".")
    if not name or not data.strip():
        raise PageError(400, _("Choose a term sheet file (YAML or CSV) to upload."))
    if Path(name).suffix.lower() not in SUFFIXES:
        raise PageError(400, _("%(name)s: a term sheet is a .yaml, .yml or .csv file.", name=name))
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(400, _("%(name)s: not UTF-8 text (byte %(at)s).", name=name, at=exc.start)) from None


def _validate(store, sheet: dict, name: str):
    """The gate's report for the compiled sheet as it would be stored (commit_staged's check,
    without the commit), and the number of triples it compiles to."""
    import hashlib

    import pyoxigraph as ox
    from pyoxigraph import RdfFormat

    from ..licences.registry import graph_for_licence
    from ..licences.termsheet import compile_sheet, to_turtle
    from ..parsing import SourceFile, parse_into
    from ..system_graphs import default_gate, ontology_store
    data = to_turtle(compile_sheet(sheet)).encode("utf-8")
    graph = graph_for_licence(sheet["licence"])
    staging = ox.Store()
    parse_into(staging, SourceFile(Path(name), data, hashlib.sha256(data).hexdigest(), RdfFormat.TURTLE,
                                   display=name), graph, graph.value)
    report = default_gate().validate(staging, context=store, ontology=ontology_store(),
                                     context_exclude_graphs=[graph])
    return report, len(staging), graph.value


@bp.route("/licences/upload", methods=["GET", "POST"])
def upload():
    _guard()
    if request.method == "GET":
        return render_template("upload.html", stage="choose")
    from ..licences.registry import import_sheet
    from ..licences.termsheet import TermSheetError, read_sheet
    from ..loading import LoadRejected
    from .i18n import lang
    name, text = _received()
    store = current_app.extensions["rightsgraph.store"]
    with tempfile.TemporaryDirectory(prefix="rg-termsheet-") as tmp:
        path = Path(tmp) / name      # read_sheet and the provenance record go by the file's name
        path.write_text(text, encoding="utf-8")
        try:
            sheet = read_sheet(path)
        except TermSheetError as exc:
            return render_template("upload.html", stage="rejected", name=name, error=exc.text(lang())), 422
        if request.form.get("confirm") == "1":
            try:
                _, graph, result = import_sheet(store, path, agent=current_agent(), sheet=sheet)
            except LoadRejected as exc:
                return render_template("upload.html", stage="rejected", name=name,
                                       report=exc.report.format_text(lang=lang(), limit=50)), 422
            return render_template("upload.html", stage="stored", name=name, sheet=sheet, graph=graph.value,
                                   triples=result.triples)
        try:
            report, triples, graph = _validate(store, sheet, name)
        except TermSheetError as exc:
            return render_template("upload.html", stage="rejected", name=name, error=exc.text(lang())), 422
    stage = "rejected" if report.has_violations else "valid"
    import base64
    sheet64 = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return render_template("upload.html", stage=stage, name=name, sheet64=sheet64, sheet=sheet, graph=graph,
                           triples=triples, rules=sum(1 for t in sheet["terms"] if t.get("rule")),
                           report=report.format_text(lang=lang(), limit=50)), (422 if stage == "rejected" else 200)
