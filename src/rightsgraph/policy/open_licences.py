"""Open licences and rights statements as ODRL policies: Creative Commons (every version 1.0
to 4.0, CC0, the Public Domain Mark) and the rightsstatements.org statements.

A resource (or a collection it is part of) says which applies with ``dct:license``,
``cc:license``, ``dct:rights`` or ``edm:rights``. The index reads such a link as membership:
the resource is part of the set of works under that licence (an odrl:AssetCollection whose
IRI is the licence's), and the shipped policy's rules target that collection. Licence IRIs
are written in many ways (https, no trailing slash, ``deed.zh``, ``legalcode``, a ported
version ``/3.0/cn/``), so :func:`canonical_licence_iri` brings them to one form first.

The policies are generated (``data/open-licences/build.py`` -> ``open-licences.ttl``):
Creative Commons from CC's own licence RDF (cc:permits / cc:requires / cc:prohibits and the
zh/en titles), rightsstatements.org from the table below, which follows the statements'
texts. docs/decisions.md, "Open licences", has the mapping and the choices.
"""

from __future__ import annotations

import re
from pathlib import Path

ODRL = "http://www.w3.org/ns/odrl/2/"
CC = "http://creativecommons.org/ns#"
RG = "https://w3id.org/rightsgraph/ns#"
TDM = "http://www.w3.org/ns/tdmrep#"
POLICY_BASE = "https://w3id.org/rightsgraph/open-licence/"
VERSION = "1.0"          # of this policy set; bump when a mapping changes

# the predicates that say which licence or rights statement applies to a resource
LICENCE_LINKS = (
    "http://purl.org/dc/terms/license",
    CC + "license",
    "http://purl.org/dc/terms/rights",
    "http://www.europeana.eu/schemas/edm/rights",
)

_CC_RE = re.compile(r"^https?://(?:www\.)?creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)"
                    r"(?:/[a-z]{2}(?:-[a-z]+)?)?/?(?:(?:deed|legalcode)[^/]*)?$", re.IGNORECASE)
_RS_RE = re.compile(r"^https?://(?:www\.)?rightsstatements\.org/(?:vocab|page)/([A-Za-z-]+)/(\d\.\d)/?(?:\?.*)?$")


def canonical_licence_iri(iri: str) -> str:
    """One spelling per licence: ``http://creativecommons.org/licenses/by/4.0/`` for any
    scheme, slash, deed or legal-code page and jurisdiction port (a port grants what its
    unported licence grants; CC's RDF lists the same permits/requires/prohibits), and
    ``http://rightsstatements.org/vocab/InC/1.0/`` for a statement or its page. Other IRIs
    are returned unchanged."""
    m = _CC_RE.match(iri)
    if m:
        kind, code, version = m.group(1).lower(), m.group(2).lower(), m.group(3)
        return f"http://creativecommons.org/{kind}/{code}/{version}/"
    m = _RS_RE.match(iri)
    if m:
        return f"http://rightsstatements.org/vocab/{m.group(1)}/{m.group(2)}/"
    return iri


# ---------------------------------------------------------------- Creative Commons -> ODRL
# Uses that need no licence grant (reading, showing, printing for oneself, indexing,
# keeping a preservation copy, mining): every CC licence allows them, without conditions.
CC_USE = (ODRL + "read", ODRL + "play", ODRL + "present", ODRL + "print", ODRL + "index", ODRL + "archive",
          TDM + "mine")
CC_ACTIONS = {
    CC + "Reproduction": (ODRL + "reproduce",),
    CC + "Distribution": (ODRL + "distribute",),
    CC + "DerivativeWorks": (ODRL + "derive", ODRL + "modify", ODRL + "translate"),
}
CC_DUTIES = {CC + "Attribution": ODRL + "attribute", CC + "Notice": CC + "Notice", CC + "ShareAlike": CC + "ShareAlike"}
CC_PROHIBITED = {CC + "CommercialUse": (ODRL + "commercialize",)}
CC_SKIPPED = {"devnations", "sampling"}   # retired licences whose terms ODRL cannot say


# ---------------------------------------------------------------- rightsstatements.org
_READ = (ODRL + "read", ODRL + "play", ODRL + "present")
_COPY = (ODRL + "print", ODRL + "reproduce", ODRL + "distribute", ODRL + "index", ODRL + "archive")
_ADAPT = (ODRL + "derive", ODRL + "modify", ODRL + "translate", TDM + "mine")
US = "http://www.wikidata.org/entity/Q30"

# statement -> (titles, summary of the statement's text, permissions, prohibitions). A
# permission is (actions, constraint or None); a constraint is (leftOperand, operator, right).
# In Copyright, InC-RUU, CNE and UND grant nothing beyond what the law allows: no policy,
# so the closed default denies (a library's own rights statement or licence may permit).
RIGHTS_STATEMENTS = {
    "InC-EDU": ({"en": "In Copyright - Educational Use Permitted", "zh": "受版权保护 - 允许教育用途"},
                {"en": "In copyright; no permission is required from the rights-holder for educational uses.",
                 "zh": "受版权保护；教育用途无须权利人许可。"},
                [(_READ + _COPY, (ODRL + "purpose", ODRL + "eq", RG + "Education"))], []),
    "InC-NC": ({"en": "In Copyright - Non-Commercial Use Permitted", "zh": "受版权保护 - 允许非商业性使用"},
               {"en": "In copyright; no permission is required from the rights-holder for non-commercial uses.",
                "zh": "受版权保护；非商业性使用无须权利人许可。"},
               [(_READ + _COPY, None)], [ODRL + "commercialize"]),
    "InC-OW-EU": ({"en": "In Copyright - EU Orphan Work", "zh": "受版权保护 - 欧盟孤儿作品"},
                  {"en": "An orphan work under the EU directive: the holding institution may make it available, "
                         "digitise, index and preserve it.",
                   "zh": "依欧盟指令认定的孤儿作品：收藏机构可提供公众获取、数字化、编目与保存。"},
                  [(_READ + (ODRL + "index", ODRL + "archive", ODRL + "reproduce"), None)], []),
    "NoC-CR": ({"en": "No Copyright - Contractual Restrictions", "zh": "无版权 - 有合同限制"},
               {"en": "Not restricted by copyright, but the institution is contractually required to limit its use: "
                      "it may be viewed; ask the institution for other uses.",
                "zh": "不受版权限制，但收藏机构依合同须限制其使用：可浏览；其他用途须询问该机构。"},
               [(_READ, None)], []),
    "NoC-NC": ({"en": "No Copyright - Non-Commercial Use Only", "zh": "无版权 - 仅限非商业性使用"},
               {"en": "Not restricted by copyright; digitised in a partnership that allows only non-commercial use.",
                "zh": "不受版权限制；其数字化合作协议仅允许非商业性使用。"},
               [(_READ + _COPY + _ADAPT, None)], [ODRL + "commercialize"]),
    "NoC-OKLR": ({"en": "No Copyright - Other Known Legal Restrictions", "zh": "无版权 - 有其他已知法律限制"},
                 {"en": "Not restricted by copyright, but other laws restrict some uses: it may be viewed, printed, "
                        "indexed and preserved; check the other restrictions before further use.",
                  "zh": "不受版权限制，但其他法律限制部分用途：可浏览、打印、编目与保存；其他用途须先核查相关限制。"},
                 [(_READ + (ODRL + "print", ODRL + "index", ODRL + "archive"), None)], []),
    "NoC-US": ({"en": "No Copyright - United States", "zh": "无版权 - 美国"},
               {"en": "Not restricted by copyright in the United States; outside it, the law of the place of use decides.",
                "zh": "在美国不受版权限制；在美国以外，由使用地法律决定。"},
               [(_READ + _COPY + _ADAPT + (ODRL + "commercialize",), (ODRL + "spatial", ODRL + "isPartOf", US))], []),
    "NKC": ({"en": "No Known Copyright", "zh": "无已知版权"},
            {"en": "The institution reasonably believes it is not restricted by copyright; it may be viewed, copied, "
                   "shared and preserved (adaptation and commercial use are not assumed).",
             "zh": "收藏机构有理由相信其不受版权限制：可浏览、复制、传播与保存（改编与商业性使用不作推定）。"},
            [(_READ + _COPY + (TDM + "mine",), None)], []),
}
RS_WITHOUT_GRANT = ("InC", "InC-RUU", "CNE", "UND")


def cc_licences(cc_dir: Path) -> list[dict]:
    """The licences of CC's RDF files (unported versions): iri, code, version, titles and
    the permits/requires/prohibits sets."""
    import rdflib
    out = []
    ns = rdflib.Namespace(CC)
    dc_title = rdflib.URIRef("http://purl.org/dc/elements/1.1/title")
    for path in sorted(Path(cc_dir).glob("*.rdf")):
        g = rdflib.Graph().parse(path, format="xml")
        for lic in g.subjects(rdflib.RDF.type, ns.License):
            iri = str(lic)
            if canonical_licence_iri(iri) != iri or list(g.objects(lic, ns.jurisdiction)):
                continue   # a port: its unported licence stands for it
            kind, code, version = iri.rstrip("/").split("/")[-3:]
            if code in CC_SKIPPED:
                continue
            titles = {}
            for t in g.objects(lic, dc_title):
                lang = (t.language or "").lower()
                if lang in ("en", "zh") and lang not in titles:
                    titles[lang] = str(t)
            out.append({"iri": iri, "kind": kind, "code": code, "version": version, "titles": titles,
                        "permits": sorted(str(o) for o in g.objects(lic, ns.permits)),
                        "requires": sorted(str(o) for o in g.objects(lic, ns.requires)),
                        "prohibits": sorted(str(o) for o in g.objects(lic, ns.prohibits))})
    return out


def policy_iri(licence_iri: str) -> str:
    """The shipped policy for a (canonical) licence or statement IRI."""
    m = _CC_RE.match(licence_iri)
    if m:
        return f"{POLICY_BASE}cc/{m.group(2).lower()}/{m.group(3)}"
    m = _RS_RE.match(licence_iri)
    if m:
        return f"{POLICY_BASE}rs/{m.group(1)}/{m.group(2)}"
    raise ValueError(f"not an open licence or rights statement IRI: {licence_iri}")


_ZH_PUBLIC = {"zero": "CC0 1.0 通用（公有领域贡献）", "mark": "公有领域标识 1.0"}


def _lit(text: str, lang: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _rule(iri: str, kind: str, target: str, actions, comment: dict, duties=(), constraint=None) -> str:
    lines = [f"<{iri}> a odrl:{kind} ;", f"    odrl:target <{target}> ;",
             "    odrl:action " + " , ".join(f"<{a}>" for a in actions) + " ;"]
    if constraint:
        lo, op, ro = constraint
        lines.append(f"    odrl:constraint [ odrl:leftOperand <{lo}> ; odrl:operator <{op}> ; odrl:rightOperand <{ro}> ] ;")
    for d in duties:
        lines.append(f"    odrl:duty [ a odrl:Duty ; odrl:action <{d}> ] ;")
    lines.append(f"    rdfs:comment {_lit(comment['zh'], 'zh')} , {_lit(comment['en'], 'en')} .")
    return "\n".join(lines) + "\n"


def _cc_policy(lic: dict) -> str:
    p, target = policy_iri(lic["iri"]), lic["iri"]
    public = lic["kind"] == "publicdomain"
    permits, requires, prohibits = set(lic["permits"]), set(lic["requires"]), set(lic["prohibits"])
    duties = [CC_DUTIES[r] for r in sorted(requires) if r in CC_DUTIES]
    share_duties = [d for d in duties if d != CC + "ShareAlike"]
    name = lic["titles"].get("en") or f"{lic['code']} {lic['version']}"
    en = name if public else f"Creative Commons {name}"
    zh = _ZH_PUBLIC.get(lic["code"]) if public else f"知识共享 {lic['titles'].get('zh') or name}"
    short = "CC0" if lic["code"] == "zero" else ("PDM" if lic["code"] == "mark" else f"CC {lic['code'].upper()} {lic['version']}")
    rules, perms, prohs = [], [], []
    rules.append(_rule(p + "#use", "Permission", target, CC_USE, {
        "en": f"{short}: the work may be read, shown, printed, indexed, mined and preserved without conditions.",
        "zh": f"{short}：可无条件阅读、展示、打印、编目、挖掘与保存。"}))
    perms.append(p + "#use")
    share = [a for c in ("Reproduction", "Distribution") if CC + c in permits for a in CC_ACTIONS[CC + c]]
    if public:
        share.append(ODRL + "commercialize")
    if share:
        cond = {"en": " — credit the author and keep the licence notice" if share_duties else "",
                "zh": "——须署名并保留许可声明" if share_duties else ""}
        rules.append(_rule(p + "#share", "Permission", target, share, {
            "en": f"{short}: copies may be made and shared in any medium{cond['en']}.",
            "zh": f"{short}：可以任何媒介复制与传播{cond['zh']}。"}, share_duties))
        perms.append(p + "#share")
    if CC + "DerivativeWorks" in permits:
        sa = CC + "ShareAlike" in requires
        rules.append(_rule(p + "#adapt", "Permission", target, CC_ACTIONS[CC + "DerivativeWorks"], {
            "en": f"{short}: the work may be adapted (modified, translated, built upon)"
                  + (" — credit the author" if CC + "Attribution" in requires else "")
                  + (" and share adaptations under the same licence" if sa else "") + ".",
            "zh": f"{short}：可改编（修改、翻译、再创作）" + ("，须署名" if CC + "Attribution" in requires else "")
                  + ("，且演绎作品须以相同许可发布" if sa else "") + "。"}, duties))
        perms.append(p + "#adapt")
    else:
        rules.append(_rule(p + "#no-derivatives", "Prohibition", target, CC_ACTIONS[CC + "DerivativeWorks"], {
            "en": f"{short}: NoDerivatives — the work may not be modified, nor adaptations shared.",
            "zh": f"{short}：禁止演绎——不得修改作品，也不得传播演绎作品。"}))
        prohs.append(p + "#no-derivatives")
    if CC + "CommercialUse" in prohibits:
        rules.append(_rule(p + "#non-commercial", "Prohibition", target, CC_PROHIBITED[CC + "CommercialUse"], {
            "en": f"{short}: NonCommercial — no use primarily intended for commercial advantage.",
            "zh": f"{short}：非商业性使用——不得用于主要以商业利益为目的的用途。"}))
        prohs.append(p + "#non-commercial")
    return _policy(p, zh, en, target, perms, prohs, rules)


def _rs_policy(ident: str) -> str:
    target = f"http://rightsstatements.org/vocab/{ident}/1.0/"
    p = policy_iri(target)
    titles, summary, permissions, prohibitions = RIGHTS_STATEMENTS[ident]
    rules, perms, prohs = [], [], []
    for n, (actions, constraint) in enumerate(permissions, start=1):
        rules.append(_rule(f"{p}#permission-{n}", "Permission", target, actions, summary, constraint=constraint))
        perms.append(f"{p}#permission-{n}")
    for n, action in enumerate(prohibitions, start=1):
        rules.append(_rule(f"{p}#prohibition-{n}", "Prohibition", target, [action], summary))
        prohs.append(f"{p}#prohibition-{n}")
    return _policy(p, "RightsStatements.org " + titles["zh"], "RightsStatements.org: " + titles["en"], target,
                   perms, prohs, rules)


def _policy(p: str, zh: str, en: str, target: str, perms: list, prohs: list, rules: list) -> str:
    """One shipped policy in Turtle: its head (titles, source, version, rule list), then its rules."""
    head = [f"<{p}> a odrl:Set ;", f"    odrl:uid <{p}> ;",
            f"    dct:title {_lit(zh, 'zh')} , {_lit(en, 'en')} ;",
            f"    dct:source <{target}> ;", f'    owl:versionInfo "{VERSION}" ;',
            "    odrl:conflict odrl:prohibit ;",
            "    odrl:permission " + " , ".join(f"<{x}>" for x in perms) + (" ;" if prohs else " .")]
    if prohs:
        head.append("    odrl:prohibition " + " , ".join(f"<{x}>" for x in prohs) + " .")
    return "\n".join(head) + "\n\n" + "\n".join(rules)


def turtle(cc_dir: Path) -> str:
    """data/open-licences/open-licences.ttl, generated from CC's RDF and the table above."""
    parts = ["""# Open licences and rights statements as ODRL 2.2 policies (开放许可与权利声明)
#
# Generated by data/open-licences/build.py from Creative Commons' licence RDF and the
# rightsstatements.org table in src/rightsgraph/policy/open_licences.py: do not edit.
# Each policy's rules target the licence (or statement) IRI as an asset collection; a
# resource is in it when it, or a collection it is part of, names the licence with
# dct:license, cc:license, dct:rights or edm:rights (docs/decisions.md, "Open licences").
# In Copyright, InC-RUU, CNE and UND grant nothing beyond the law: no policy.

@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
"""]
    for lic in cc_licences(cc_dir):
        parts.append(_cc_policy(lic))
    for ident in RIGHTS_STATEMENTS:
        parts.append(_rs_policy(ident))
    return "\n".join(parts)
