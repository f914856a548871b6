"""The home page: what the service holds and where its endpoints are."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request

from ..decision_service import CONFIDENTIAL, DecisionParamError
from ..namespaces import RG

from ..info import store_summary
from .auth import hidden_graphs

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    store = current_app.extensions["rightsgraph.store"]
    return render_template("home.html", summary=store_summary(store, hidden_graphs()))


REASONS = {
    "permitted": "许可 permitted",
    "prohibited": "明确禁止 prohibited",
    "no-applicable-permission": "无适用的许可 no applicable permission",
    "constraint-unsatisfied": "约束不满足 constraint unsatisfied",
    "duty-unfulfilled": "义务未履行 duty unfulfilled",
    "policy-void-by-conflict": "策略冲突而无效 policy void by conflict",
    "target-not-held": "存储库中没有该资源 the store does not hold the target",
}
CONFIDENTIAL_LABEL = "保密条款（不向读者显示） confidential terms, not shown to readers"
CHANNELS = [(RG.iri("SecureElectronicTransmission"), "安全电子传递 Secure electronic transmission"),
            (RG.iri("Email"), "电子邮件 Email"), (RG.iri("Print"), "纸本 Print"), (RG.iri("Post"), "邮寄 Post")]


@bp.route("/decide")
def decide_page():
    """The web page door: the same parameters and answer as GET /api/v1/decision."""
    from .api import answer, service
    form = {k: v for k, v in request.args.items()}
    result, error = None, None
    if form.get("target"):
        svc = service()
        try:
            result = answer(svc, {k: v for k, v in form.items() if v}, hidden_graphs())
        except DecisionParamError as exc:
            error = str(exc)
    return render_template("decide.html", form=form, result=result, error=error, reasons=REASONS,
                           channels=CHANNELS, query=urlencode({k: v for k, v in form.items() if v}),
                           confidential=CONFIDENTIAL, confidential_label=CONFIDENTIAL_LABEL)


@bp.route("/healthz")
def health():
    return {"status": "ok"}
