"""The licence-term vocabulary: ~40 standard terms as ERM systems (FOLIO, Alma, LAS:eR,
CORAL, ONIX-PL) record them, and how each usage term maps to ODRL 2.2.

This table is the source of `ontology/licence-terms.ttl` (`python -m
rightsgraph.licences.vocabulary > ontology/licence-terms.ttl`; a test keeps them equal).

Mapping (checked against ODRL 2.2 and /work/shared/design/licence_terms_to_odrl.csv):
- usage terms compile to one ODRL rule each: the action, fixed constraints (delivery
  channel, purpose, virtual location), the party the row applies to (assignee), the
  dates, and the row's parameters (usage limit -> odrl:count, user limit ->
  rg:concurrentUsers, coverage years -> rg:publicationYear). A permitted status gives an
  odrl:Permission, a prohibited status an odrl:Prohibition; silent, not applicable and not
  reviewed give no rule (silence is never permission).
- general, supply and payment terms (law, confidentiality, indemnity, statistics, notice
  periods ...) are licence properties: a rg:LicenceTerm with a status and a value, no ODRL
  rule, recorded as not machine-enforced (rg:machineEnforced false).
- provisions about other terms (kind "provision"): surviving_provisions (the licence's
  permissions survive for the content of the paid years) makes a surviving copy of the
  permissions it covers; the walk_in term (usage) with `covers` makes walk-in users, on the
  premises, have the uses of authorised users (docs/licences.md).
- delivery channels are matched with odrl:isPartOf along the channel hierarchy of
  rg:DeliveryChannelScheme (skos:broader): "paper" covers a printed copy and one sent by post.
- rules for walk-in users carry odrl:virtualLocation eq rg:OnPremises (LIBLICENSE: walk-ins
  "physically present"); the compiler adds it to every rule of the walk_in role.
"""

from __future__ import annotations

from dataclasses import dataclass

TERMS_NS = "https://w3id.org/rightsgraph/licence-terms#"
RG = "https://w3id.org/rightsgraph/ns#"
ODRL = "http://www.w3.org/ns/odrl/2/"
TDM = "http://www.w3.org/ns/tdmrep#"

DELIVERY = ODRL + "deliveryChannel"
ON_PREMISES = RG + "OnPremises"
PURPOSE = ODRL + "purpose"
VLOC = ODRL + "virtualLocation"

# status key (term sheet) -> concept IRI; permitted / prohibited / neither
STATUSES = {
    "permitted_explicit": RG + "PermittedExplicit",
    "permitted_interpreted": RG + "PermittedInterpreted",
    "prohibited_explicit": RG + "ProhibitedExplicit",
    "prohibited_interpreted": RG + "ProhibitedInterpreted",
    "silent": RG + "Silent",
    "not_applicable": RG + "NotApplicable",
    "not_reviewed": RG + "NotReviewed",
}
STATUS_KEYS = {v: k for k, v in STATUSES.items()}
PERMITTED = {"permitted_explicit", "permitted_interpreted"}
PROHIBITED = {"prohibited_explicit", "prohibited_interpreted"}

# Licence statuses (term sheet key -> rg: concept; the scheme is in ontology/rightsgraph.ttl)
LICENCE_STATUSES = {
    "in_negotiation": RG + "InNegotiation", "not_yet_active": RG + "NotYetActive",
    "active": RG + "Active", "expired": RG + "Expired", "terminated": RG + "Terminated",
    "rejected": RG + "Rejected",
}
LICENCE_STATUS_KEYS = {v: k for k, v in LICENCE_STATUSES.items()}


@dataclass(frozen=True)
class Term:
    key: str
    kind: str                 # usage | general | provision
    en: str
    zh: str
    en_def: str
    zh_def: str
    action: str | None = None            # ODRL action IRI (usage terms)
    fixed: tuple = ()                    # ((leftOperand, operator, rightOperand IRI), ...)
    party: str = "users"                 # default role: users | walk_in | library
    survives: bool = False               # no end date by default (perpetual, archiving)
    key_use: bool = False                # a key use the risk report checks (art. 8.3)
    systems: str = ""                    # where ERM systems have it


def _u(key, en, zh, en_def, zh_def, action, fixed=(), party="users", survives=False, key_use=False, systems=""):
    return Term(key, "usage", en, zh, en_def, zh_def, action, tuple(fixed), party, survives, key_use, systems)


def _g(key, en, zh, en_def, zh_def, systems=""):
    return Term(key, "general", en, zh, en_def, zh_def, systems=systems)


def _p(key, en, zh, en_def, zh_def, systems=""):
    return Term(key, "provision", en, zh, en_def, zh_def, systems=systems)


_READ, _DIST, _PRINT, _REPRO = ODRL + "read", ODRL + "distribute", ODRL + "print", ODRL + "reproduce"
_EQ, _NEQ, _PART = ODRL + "eq", ODRL + "neq", ODRL + "isPartOf"

TERM_LIST = [
    # -- who may use it, and how -----------------------------------------------------
    _u("authorized_users", "Authorised users", "授权用户",
       "Who the licensee's authorised users are and that they may access the content.",
       "被许可方授权用户的范围，以及其可访问许可内容。", _READ, systems="FOLIO authorisedUsers; LAS:eR; CORAL; ONIX-PL AuthorizedUser"),
    _u("concurrent_users", "Concurrent users", "并发用户数",
       "The number of users who may use the content at the same time (rg:concurrentUsers; odrl:count counts executions, not seats).",
       "可同时使用内容的用户数（rg:concurrentUsers；odrl:count 计的是次数而非席位）。", _READ, systems="FOLIO concurrentAccess; LAS:eR; ONIX-PL NumberOfConcurrentUsers"),
    _u("walk_in", "Walk-in users", "到馆用户",
       "Members of the public physically present on the library's premises may use the content there (every walk-in rule carries odrl:virtualLocation rg:OnPremises); `covers: all` makes them authorised users, on the premises, for every use authorised users have.",
       "亲自在图书馆场所内的社会公众可在馆内使用内容（到馆用户的每条规则都带 odrl:virtualLocation rg:OnPremises）；`covers: all` 表示到馆用户在馆内即为授权用户，享有授权用户的全部用途。", _READ, party="walk_in", systems="FOLIO walkInAccess; LAS:eR; ONIX-PL WalkInUser"),
    _u("remote_access", "Remote access", "远程访问",
       "Authorised users may use the content from outside the premises (odrl:virtualLocation rg:RemoteAccess).",
       "授权用户可在馆外访问内容（odrl:virtualLocation 为 rg:RemoteAccess）。", _READ, [(VLOC, _EQ, RG + "RemoteAccess")],
       systems="FOLIO remoteAccess; LAS:eR; ONIX-PL RemoteLocation"),
    _u("distance_education", "Distance education", "远程教育",
       "Use for distance-learning students (odrl:purpose rg:DistanceEducation).",
       "面向远程教育学生的使用（odrl:purpose 为 rg:DistanceEducation）。", _READ, [(PURPOSE, _EQ, RG + "DistanceEducation")],
       systems="FOLIO (test data); LAS:eR; ONIX-PL LicenseeDistanceLearningStudent"),
    _u("alumni_access", "Alumni access", "校友访问",
       "Alumni of the licensee may use the content (the row names the alumni user category).",
       "被许可方的校友可使用内容（条款行指明校友用户类别）。", _READ, systems="LAS:eR; ONIX-PL LicenseeAlumnus"),
    _u("partner_multisite", "Partners / multi-site access", "合作方与多校区访问",
       "Partner institutions or further sites of the licensee may use the content (the row names them).",
       "合作机构或被许可方的其他校区可使用内容（条款行指明对象）。", _READ, systems="LAS:eR; ONIX-PL LicenseeInstitutionAndPartners"),
    # -- copies ------------------------------------------------------------------------
    _u("print_copy", "Print copy", "打印",
       "Users may print parts of the content (usage limit -> odrl:count).",
       "用户可打印部分内容（次数上限编译为 odrl:count）。", _PRINT, systems="FOLIO copyPrint; LAS:eR; ONIX-PL PrintCopy"),
    _u("digital_copy", "Digital copy", "电子复制（下载）",
       "Users may save or download a digital copy of a reasonable portion (odrl:reproduce).",
       "用户可保存或下载合理部分的电子副本（odrl:reproduce）。", _REPRO, systems="FOLIO copyDigital; LAS:eR; ONIX-PL MakeDigitalCopy"),
    _u("systematic_download", "Systematic download", "系统性下载",
       "Bulk or robotic downloading (odrl:reproduce with odrl:purpose rg:SystematicDownload); usually prohibited.",
       "批量或程序化下载（odrl:reproduce，odrl:purpose 为 rg:SystematicDownload）；通常被禁止。", _REPRO,
       [(PURPOSE, _EQ, RG + "SystematicDownload")], systems="FOLIO otherRestrictions; ONIX-PL AccessByRobot"),
    # -- interlibrary loan ---------------------------------------------------------------
    _u("ill_print_fax", "ILL: print or fax", "馆际互借：打印件或传真",
       "The library may supply copies to other libraries on paper: printed, sent by post or by fax (odrl:distribute, odrl:deliveryChannel isPartOf rg:PaperDelivery).",
       "图书馆可以纸本形式（打印件、邮寄或传真）向其他图书馆提供复制件（odrl:distribute，odrl:deliveryChannel isPartOf rg:PaperDelivery）。", _DIST,
       [(DELIVERY, _PART, RG + "PaperDelivery")], party="library", key_use=True, systems="FOLIO illPrint; LAS:eR; CORAL Interlibrary Loan; ONIX-PL SupplyCopy"),
    _u("ill_electronic", "ILL: electronic (email)", "馆际互借：普通电子传递（电子邮件）",
       "The library may supply copies electronically by ordinary means such as email (odrl:deliveryChannel isPartOf rg:Email).",
       "图书馆可通过电子邮件等普通电子方式提供复制件（odrl:deliveryChannel isPartOf rg:Email）。", _DIST,
       [(DELIVERY, _PART, RG + "Email")], party="library", key_use=True, systems="FOLIO illElectronic; LAS:eR; ONIX-PL ElectronicTransmission"),
    _u("ill_secure_electronic", "ILL: secure electronic transmission", "馆际互借：安全电子传递",
       "The library may supply copies by a secure electronic system such as Ariel (odrl:deliveryChannel isPartOf rg:SecureElectronicTransmission).",
       "图书馆可通过安全电子系统（如 Ariel）提供复制件（odrl:deliveryChannel isPartOf rg:SecureElectronicTransmission）。", _DIST,
       [(DELIVERY, _PART, RG + "SecureElectronicTransmission")], party="library", key_use=True,
       systems="FOLIO illSecureElectronic; LAS:eR; ONIX-PL SecureElectronicTransmission"),
    _u("interlibrary_loan", "Interlibrary loan (by the means the licence names)", "馆际互借（许可所列方式）",
       "The library may supply copies to other libraries; the row's `channel` lists the means (e.g. electronic, paper, intermediated), matched along the channel hierarchy; no channel: any means.",
       "图书馆可向其他图书馆提供复制件；条款行的 `channel` 列出传递方式（如电子、纸本、经中介），按传递渠道层级匹配；未列方式即不限方式。", _DIST,
       party="library", systems="FOLIO illGeneral; LIBLICENSE 3.2.x; ONIX-PL SupplyCopy"),
    _g("ill_record_keeping", "ILL record keeping", "馆际互借记录保存",
       "Whether the library must keep records of interlibrary-loan supply (a general term; its value says what).",
       "图书馆是否须保存馆际互借记录（一般条款，取值说明要求）。", "LAS:eR; ONIX-PL RecordKeepingRequired"),
    # -- teaching -------------------------------------------------------------------------
    _u("reserves_print", "Course reserves (print)", "课程参考资料（纸本）",
       "Printed copies for course reserves (odrl:print, odrl:purpose rg:CourseReserve).",
       "为课程参考资料制作打印件（odrl:print，odrl:purpose 为 rg:CourseReserve）。", _PRINT,
       [(PURPOSE, _EQ, RG + "CourseReserve")], party="library", systems="FOLIO (test data); LAS:eR; CORAL eReserves"),
    _u("reserves_electronic", "Course reserves (electronic)", "课程参考资料（电子）",
       "Electronic copies on a secure network for course reserves (odrl:reproduce, odrl:purpose rg:CourseReserve).",
       "在安全网络上提供课程参考资料电子副本（odrl:reproduce，odrl:purpose 为 rg:CourseReserve）。", _REPRO,
       [(PURPOSE, _EQ, RG + "CourseReserve")], party="library", systems="FOLIO reservesElectronic; LAS:eR; CORAL eReserves"),
    _u("coursepack_print", "Course packs (print)", "课程资料包（纸本）",
       "Including parts in printed course packs (odrl:aggregate, odrl:deliveryChannel isPartOf rg:PaperDelivery).",
       "将部分内容编入纸本课程资料包（odrl:aggregate，odrl:deliveryChannel isPartOf rg:PaperDelivery）。", ODRL + "aggregate",
       [(DELIVERY, _PART, RG + "PaperDelivery")], systems="FOLIO coursePackPrint; LAS:eR; CORAL Coursepacks"),
    _u("coursepack_electronic", "Course packs (electronic)", "课程资料包（电子）",
       "Including parts in electronic course packs (odrl:aggregate; any channel but print).",
       "将部分内容编入电子课程资料包（odrl:aggregate；打印以外的渠道）。", ODRL + "aggregate",
       [(DELIVERY, _NEQ, RG + "Print")], systems="FOLIO coursePackElectronic; LAS:eR; CORAL Coursepacks"),
    _u("scholarly_sharing", "Scholarly sharing", "学术交流共享",
       "Authorised users may give single items to outside colleagues (odrl:distribute, odrl:purpose rg:ScholarlySharing).",
       "授权用户可向外部同行提供单篇内容（odrl:distribute，odrl:purpose 为 rg:ScholarlySharing）。", _DIST,
       [(PURPOSE, _EQ, RG + "ScholarlySharing")], systems="FOLIO scholarlySharing; LAS:eR; ONIX-PL MakeAvailable"),
    # -- mining and AI ----------------------------------------------------------------------
    _u("tdm", "Text and data mining", "文本与数据挖掘",
       "Mining the content (tdm:mine, W3C TDMRep ODRL profile).",
       "对内容进行文本与数据挖掘（tdm:mine，W3C TDMRep ODRL 配置）。", TDM + "mine", key_use=True,
       systems="FOLIO textAndDataMining; LAS:eR; ONIX-PL UseForDataMining"),
    _u("ai_use", "Artificial-intelligence use", "人工智能使用",
       "Using the content to train AI models (tdm:mine, odrl:purpose rg:AITraining).",
       "将内容用于训练人工智能模型（tdm:mine，odrl:purpose 为 rg:AITraining）。", TDM + "mine",
       [(PURPOSE, _EQ, RG + "AITraining")], systems="LAS:eR Artificial intelligence"),
    # -- continuing access and preservation -------------------------------------------------
    _u("post_cancellation_access", "Post-cancellation access", "停订后访问",
       "Access to the paid years continues after the licence ends (odrl:read with no end date; coverage years -> rg:publicationYear).",
       "许可结束后仍可访问付费年度内容（无终止日的 odrl:read；覆盖年编译为 rg:publicationYear）。", _READ, survives=True,
       key_use=True, systems="FOLIO postCancellationAccess; LAS:eR; CORAL; ONIX-PL PostCancellationOnlineAccess"),
    _u("perpetual_access", "Perpetual access", "永久访问",
       "Perpetual rights to the content bought (odrl:read with no end date; coverage years -> rg:publicationYear).",
       "对所购内容的永久权利（无终止日的 odrl:read；覆盖年编译为 rg:publicationYear）。", _READ, survives=True,
       key_use=True, systems="FOLIO (test data); LAS:eR Perpetual coverage; ONIX-PL ContinuingAccess"),
    _u("archiving_rights", "Archiving rights", "长期保存（存档）权",
       "The library (or its archive: Portico, LOCKSS, CLOCKSS) may keep a preservation copy (odrl:archive, no end date).",
       "图书馆（或其存档机构：Portico、LOCKSS、CLOCKSS）可保存长期保存副本（odrl:archive，无终止日）。", ODRL + "archive",
       party="library", survives=True, key_use=True, systems="FOLIO (test data); LAS:eR; CORAL Third Party Archiving; ONIX-PL ArchiveCopy"),
    _u("hosting_rights", "Hosting rights", "本地托管权",
       "The library may load the content on its own platform and serve it (odrl:reproduce, odrl:purpose rg:LocalHosting).",
       "图书馆可将内容装载到自有平台并提供服务（odrl:reproduce，odrl:purpose 为 rg:LocalHosting）。", _REPRO,
       [(PURPOSE, _EQ, RG + "LocalHosting")], party="library", survives=True, systems="LAS:eR Hosting; ONIX-PL DepositInPerpetuity"),
    _u("backup_copy", "Backup copy", "备份副本",
       "The library may keep a backup copy (odrl:reproduce, odrl:purpose rg:Backup); a row's `duty` (e.g. delete within P30D) says what must follow.",
       "图书馆可保存备份副本（odrl:reproduce，odrl:purpose 为 rg:Backup）；条款行的 `duty`（如 P30D 内删除）说明随后须履行的义务。", _REPRO,
       [(PURPOSE, _EQ, RG + "Backup")], party="library", systems="LIBLICENSE; ONIX-PL MakeBackupCopy"),
    _p("surviving_provisions", "Survival of provisions", "条款存续",
       "After the term the licence's permissions (those the row `covers`, default all) survive, under the same conditions, for the content of the paid years (`coverage`): a surviving copy of each rule, from the day after its end, with rg:publicationYear in the coverage.",
       "许可期满后，许可中的权利（条款行 `covers` 所列，缺省为全部）对付费年度（`coverage`）的内容在相同条件下继续有效：每条规则自其截止日次日起生成存续副本，限定 rg:publicationYear 在覆盖年内。",
       "LIBLICENSE 8.1; FOLIO postCancellationAccess; ONIX-PL ContinuingAccess"),
    # -- content integrity and commerce -----------------------------------------------------
    _u("modification", "Modification", "修改",
       "Altering the content or making derived works (odrl:modify); usually prohibited.",
       "修改内容或制作演绎作品（odrl:modify）；通常被禁止。", ODRL + "modify", party="library",
       systems="LAS:eR Change to licensed material; ONIX-PL Modify"),
    _u("commercial_use", "Commercial use", "商业性使用",
       "Commercial use such as fee-based document delivery (odrl:commercialize, exactMatch cc:CommercialUse); usually prohibited.",
       "商业性使用，如收费文献传递（odrl:commercialize，即 cc:CommercialUse）；通常被禁止。", ODRL + "commercialize",
       party="library", systems="LAS:eR Document delivery service (commercial); ONIX-PL CommercialUse"),
    _u("cost_recovery_fee", "Cost-recovery fee", "成本回收收费",
       "The library may charge a fee that only recovers its costs (odrl:commercialize, odrl:purpose rg:CostRecovery); a commercial-use prohibition in the same sheet then exempts cost recovery.",
       "图书馆可收取仅回收成本的费用（odrl:commercialize，odrl:purpose 为 rg:CostRecovery）；同一条款表中的商业性使用禁止随之不涵盖成本回收。", ODRL + "commercialize",
       [(PURPOSE, _EQ, RG + "CostRecovery")], party="library", systems="LIBLICENSE 1.x Commercial Use; ONIX-PL ChargeForCostRecovery"),
    # -- general terms (licence properties) -----------------------------------------------
    _g("electronic_link", "Electronic link", "电子链接",
       "Whether the library may link to the licensed content (ODRL has no link action: a general term).",
       "图书馆是否可链接到许可内容（ODRL 无链接动作，记为一般条款）。", "LAS:eR"),
    _g("metadata_usage", "Metadata usage", "元数据使用",
       "What the library may do with the licensor's metadata (a general term).", "图书馆可如何使用许可方提供的元数据（一般条款）。",
       "FOLIO metadataUsage; LAS:eR"),
    _g("citation_requirement", "Citation requirement", "引用要求",
       "How the content must be credited; a row's attribution flag compiles it to an odrl:attribute duty.",
       "注明出处的要求；条款行的注明出处标记编译为 odrl:attribute 义务。", "LAS:eR; ONIX-PL Attribution"),
    _g("fair_use_clause", "Fair use / statutory rights", "合理使用条款",
       "The licence affirms the users' statutory rights (fair use, copyright exceptions).", "许可确认用户依法享有的权利（合理使用、著作权例外）。",
       "FOLIO (test data); LAS:eR; ONIX-PL StatutoryRightsAffirmation"),
    _g("governing_law", "Governing law", "适用法律", "The law that governs the licence.", "许可协议适用的法律。",
       "FOLIO (test data); LAS:eR; ONIX-PL GoverningLaw"),
    _g("jurisdiction", "Jurisdiction", "管辖", "The courts or forum for disputes.", "争议的管辖法院或仲裁机构。",
       "FOLIO (test data); LAS:eR; CORAL; ONIX-PL Jurisdiction"),
    _g("confidentiality_agreement", "Confidentiality of the agreement", "协议保密",
       "Which parts of the agreement are confidential (all, all but user terms, financial only, none).",
       "协议哪些部分须保密（全部、除使用条款外、仅财务条款、无）。", "FOLIO (test data); LAS:eR; CORAL"),
    _g("user_data_confidentiality", "User-data confidentiality", "用户信息保密",
       "The licensor's duty to protect users' personal data.", "许可方保护用户个人信息的义务。", "FOLIO (test data); LAS:eR"),
    _g("indemnification", "Indemnification", "赔偿责任", "Which party indemnifies the other, and for what.", "哪一方对另一方承担赔偿责任及其范围。",
       "FOLIO (test data); LAS:eR; ONIX-PL LicenseeIndemnity/LicensorIndemnity"),
    _g("termination", "Termination", "解约", "Termination rights, conditions and notice periods.", "解约权、解约条件与通知期限。",
       "FOLIO licenseEndAdvanceNoticeRequired; LAS:eR; ONIX-PL TerminationByBreach"),
    _g("cancellation_notice", "Cancellation notice period", "解约通知期",
       "How long before cancelling the licensee must give notice (the row's `notice`, an ISO 8601 duration such as P60D).",
       "被许可方解约须提前通知的期限（条款行的 `notice`，ISO 8601 时长，如 P60D）。", "FOLIO licenseEndAdvanceNoticeRequired; LAS:eR; ONIX-PL NoticePeriodForTermination"),
    _g("automatic_renewal", "Automatic renewal", "自动续订",
       "Whether the licence renews itself, and the notice (`notice`) needed to stop it.",
       "协议是否自动续订，以及停止续订须提前通知的期限（`notice`）。", "FOLIO autoRenewal; LAS:eR; ONIX-PL AutomaticRenewal"),
    _g("annual_opt_out", "Annual opt-out", "年度退出", "Whether a multi-year licence may be left each year.", "多年期协议是否可逐年退出。",
       "FOLIO annualOptOut; LAS:eR; CORAL Multi-year Term"),
    _g("usage_statistics", "Usage statistics", "使用统计", "The licensor supplies usage statistics (COUNTER release).", "许可方提供使用统计（COUNTER 版本）。",
       "LAS:eR; ONIX-PL UsageStatistics"),
    _g("accessibility", "Accessibility", "无障碍", "The licensor's commitment to accessibility standards.", "许可方对无障碍标准的承诺。",
       "LAS:eR; ONIX-PL ComplianceWithAccessibilityStandards"),
    _g("oa_apc_offsetting", "Open access / APC offsetting", "开放获取与出版费抵扣",
       "Open-access publishing terms: APC discounts, offsetting, publish-and-read.", "开放获取出版条款：文章处理费折扣、抵扣、读与发表。",
       "FOLIO APCAndOffsetting; LAS:eR; ONIX-PL OpenAccessOffset"),
    _g("auth_methods", "Authentication methods", "认证方式", "How users are authenticated (IP, proxy, SAML/Shibboleth, password).",
       "用户认证方式（IP、代理、SAML/Shibboleth、口令）。", "FOLIO authIP/authProxy/authSAML; LAS:eR; ONIX-PL UsageMethod"),
]
TERMS = {t.key: t for t in TERM_LIST}
KEY_USES = [t.key for t in TERM_LIST if t.key_use]


def term_iri(key: str) -> str:
    return TERMS_NS + key


def term_key(iri: str) -> str | None:
    return iri[len(TERMS_NS):] if iri.startswith(TERMS_NS) else None


# ------------------------------------------------------------------ Turtle


def _lit(s: str, lang: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _curie(iri: str) -> str:
    for p, ns in (("odrl", ODRL), ("rg", RG), ("tdm", TDM)):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"


def turtle() -> str:
    """ontology/licence-terms.ttl, generated from TERM_LIST."""
    out = ["""# rightsgraph licence-term vocabulary (许可条款词表)
#
# The standard licence terms electronic-resource management systems record (FOLIO
# licenses, Alma, LAS:eR, CORAL, ONIX-PL), as SKOS concepts with Chinese and English
# labels and definitions. Usage terms say which ODRL 2.2 action they compile to
# (in skos:scopeNote); general terms are licence properties.
# Term statuses are rg:TermStatusScheme in rightsgraph.ttl. Generated from
# src/rightsgraph/licences/vocabulary.py: edit the table there, then run
#   python -m rightsgraph.licences.vocabulary > ontology/licence-terms.ttl

@prefix rgt:  <https://w3id.org/rightsgraph/licence-terms#> .
@prefix rg:   <https://w3id.org/rightsgraph/ns#> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix tdm:  <http://www.w3.org/ns/tdmrep#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:  <http://purl.org/dc/terms/> .

rgt:LicenceTermScheme a skos:ConceptScheme ;
    skos:prefLabel "许可条款类型"@zh , "Licence-term types"@en ;
    skos:definition "电子资源许可协议中的标准条款类型，按电子资源管理系统的惯例整理。"@zh ,
        "The standard term types of e-resource licences, as electronic-resource management systems record them."@en ;
    dct:source <https://github.com/folio-org/mod-licenses> , <https://github.com/hbz/laser3> , <https://github.com/coral-erm/coral> ;
    skos:hasTopConcept """ + " ,\n        ".join(f"rgt:{t.key}" for t in TERM_LIST) + " .\n"]
    for kind, en, zh, en_d, zh_d in (("usage", "Usage terms", "使用条款",
                                      "Terms that compile to ODRL permissions or prohibitions.", "编译为 ODRL 许可或禁止的条款。"),
                                     ("general", "General terms", "一般条款",
                                      "Terms recorded as licence properties (no ODRL rule).", "作为许可协议属性记录的条款（不生成 ODRL 规则）。"),
                                     ("provision", "Provisions about other terms", "关于其他条款的条款",
                                      "Terms that change other terms' rules (survival after the term).", "改变其他条款所编译规则的条款（期满后存续）。")):
        members = " , ".join(f"rgt:{t.key}" for t in TERM_LIST if t.kind == kind)
        out.append(f"""rgt:{kind.capitalize()}Terms a skos:Collection ;
    skos:prefLabel {_lit(zh, 'zh')} , {_lit(en, 'en')} ;
    skos:definition {_lit(zh_d, 'zh')} , {_lit(en_d, 'en')} ;
    skos:member {members} .
""")
    for t in TERM_LIST:
        lines = [f"rgt:{t.key} a skos:Concept ;",
                 "    skos:inScheme rgt:LicenceTermScheme ; skos:topConceptOf rgt:LicenceTermScheme ;",
                 f'    skos:notation "{t.key}" ;',
                 f"    skos:prefLabel {_lit(t.zh, 'zh')} , {_lit(t.en, 'en')} ;",
                 f"    skos:definition {_lit(t.zh_def, 'zh')} ,\n        {_lit(t.en_def, 'en')}"]
        if t.systems:
            lines[-1] += " ;"
            lines.append(f'    skos:editorialNote "{t.systems}"@en')
        if t.action:
            lines[-1] += " ;"
            fixed = "; ".join(f"{_curie(lo)} {_curie(op)[5:]} {_curie(ro)}" for lo, op, ro in t.fixed)
            note = f"ODRL: {_curie(t.action)}" + (f" with {fixed}" if fixed else "") + \
                   f"; assignee by default: {t.party}" + ("; no end date by default" if t.survives else "")
            lines.append(f'    skos:scopeNote "{note}"@en')
        out.append("\n".join(lines) + " .\n")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    import sys
    sys.stdout.write(turtle())
