#!/usr/bin/env python3
"""Build the rightsgraph demo world (deterministic, seeded).

Writes five Turtle files, one per theme, so that each loads into its own named graph:

    parties.ttl      consortium, member libraries, user categories, example users,
                     publishers and the vendor
    collections.ttl  packages (rg:Package) and other collections (rg:Collection)
    resources.ttl    about 1,000 resources (e-books, e-journals, databases, digitised items)
    licences.ttl     ten licences (rg:Licence = odrl:Agreement), their licence terms and ODRL
                     rules, compiled from the term sheets in termsheets/*.yaml
    rights.ttl       PREMIS rights statements for digitised, donated and deposit items

Usage:  python data/demo/build.py [OUTPUT_DIR]     (default: the folder of this script)

Only the standard library is used, except for licences.ttl, which the term-sheet compiler
of rightsgraph (src/rightsgraph/licences/) writes from termsheets/*.yaml, the form a
librarian fills in. Re-running reproduces the files byte for byte: the random generator
is seeded, every list is ordered, and nothing depends on the clock.
Every title, name, identifier and web address is invented for the demo (web addresses
use the reserved `.example` top-level domain); ISBN and ISSN check digits are valid.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 20261126
BASE = "https://demo.rightsgraph.org/"

NS = {
    "rg": "https://w3id.org/rightsgraph/ns#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "tdm": "http://www.w3.org/ns/tdmrep#",
    "premis": "http://www.loc.gov/premis/rdf/v3/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rbasis": "http://id.loc.gov/vocabulary/preservation/rightsBasis/",
    "evtype": "http://id.loc.gov/vocabulary/preservation/eventType/",
    "party": BASE + "party/",
    "coll": BASE + "collection/",
    "pkg": BASE + "package/",
    "res": BASE + "resource/",
    "lic": BASE + "licence/",
    "rule": BASE + "rule/",
    "rights": BASE + "rights/",
    "rgt": "https://w3id.org/rightsgraph/licence-terms#",
}

# --------------------------------------------------------------------------------------
# Identifiers with check digits
# --------------------------------------------------------------------------------------


def isbn13(first12: str) -> str:
    """Append the ISBN-13 check digit (weights 1,3,1,3,...; mod 10)."""
    assert len(first12) == 12 and first12.isdigit()
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def issn(first7: str) -> str:
    """Append the ISSN check character (weights 8..2; mod 11; 10 -> X), as NNNN-NNNC."""
    assert len(first7) == 7 and first7.isdigit()
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1)))
    c = (11 - total % 11) % 11
    return f"{first7[:4]}-{first7[4:]}{'X' if c == 10 else c}"


# --------------------------------------------------------------------------------------
# A tiny, predictable Turtle writer
# --------------------------------------------------------------------------------------


def esc(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def lit(value, lang: str | None = None, dt: str | None = None) -> str:
    s = f'"{esc(str(value))}"'
    if lang:
        return f"{s}@{lang}"
    if dt:
        return f"{s}^^{dt}"
    return s


def zh_en(zh: str, en: str) -> list[str]:
    return [lit(zh, "zh"), lit(en, "en")]


def date(d: str) -> str:
    return lit(d, dt="xsd:date")


def year(y: int) -> str:
    return lit(f"{y:04d}", dt="xsd:gYear")


def iri(full: str) -> str:
    return f"<{full}>"


class B:
    """A blank node: an ordered list of (predicate, objects)."""

    def __init__(self, *pos):
        self.pos = [(p, o if isinstance(o, list) else [o]) for p, o in pos]


def _obj(o) -> str:
    if isinstance(o, B):
        return "[ " + " ; ".join(f"{p} {' , '.join(_obj(x) for x in objs)}" for p, objs in o.pos) + " ]"
    return o


def _pos(pos, indent: int) -> str:
    pad = " " * indent
    lines = []
    for i, (p, objs) in enumerate(pos):
        sep = " ;" if i < len(pos) - 1 else ""
        rendered = [_obj(o) for o in objs]
        if any(isinstance(o, B) for o in objs):
            body = "\n" + pad + "    " + (" ,\n" + pad + "    ").join(rendered)
        elif len(rendered) > 1 and sum(len(r) + 3 for r in rendered) + len(p) + indent > 100:
            body = (" ,\n" + pad + "    ").join(rendered)
        else:
            body = " , ".join(rendered)
        lines.append(f"{pad}{p}{'' if body.startswith(chr(10)) else ' '}{body}{sep}")
    return "\n".join(lines)


class Doc:
    def __init__(self, title: str, intro: str):
        self.title = title
        self.intro = intro
        self.parts: list[str] = []
        self.used: set[str] = set()

    def section(self, text: str) -> None:
        bar = "# " + "=" * 86
        self.parts.append(bar + "\n" + "\n".join("# " + t for t in text.split("\n")) + "\n" + bar)

    def add(self, subject: str, types: list[str], pos: list, comment: str | None = None) -> None:
        lines = []
        if comment:
            lines += ["# " + c for c in comment.split("\n")]
        allpos = [(p, o if isinstance(o, list) else [o]) for p, o in pos if o not in (None, [])]
        lines.append(f"{subject} a {' , '.join(types)} ;")
        lines.append(_pos(allpos, 4) + " .")
        self.parts.append("\n".join(lines))

    def render(self) -> str:
        body = "\n\n".join(self.parts) + "\n"
        used = [p for p in NS if f"{p}:" in body]
        head = [f"# {self.title}", "#"]
        head += [("# " + line).rstrip() for line in self.intro.strip("\n").split("\n")]
        head += ["#", "# Generated by data/demo/build.py (seeded, deterministic): edit the generator, not this file.", ""]
        head += [f"@prefix {p}: <{NS[p]}> ." for p in used]
        return "\n".join(head) + "\n\n" + body


# --------------------------------------------------------------------------------------
# Word lists (zh, en): plausible academic titles, combined deterministically
# --------------------------------------------------------------------------------------

FIELDS = [
    ("材料科学", "Materials Science"), ("有机化学", "Organic Chemistry"),
    ("分析化学", "Analytical Chemistry"), ("物理化学", "Physical Chemistry"),
    ("凝聚态物理", "Condensed Matter Physics"), ("光学工程", "Optical Engineering"),
    ("计算机科学", "Computer Science"), ("人工智能", "Artificial Intelligence"),
    ("数据科学", "Data Science"), ("软件工程", "Software Engineering"),
    ("信息安全", "Information Security"), ("通信工程", "Communication Engineering"),
    ("电子工程", "Electronic Engineering"), ("控制科学", "Control Science"),
    ("机械工程", "Mechanical Engineering"), ("土木工程", "Civil Engineering"),
    ("环境科学", "Environmental Science"), ("生态学", "Ecology"),
    ("海洋科学", "Marine Science"), ("地理信息科学", "Geographic Information Science"),
    ("大气科学", "Atmospheric Sciences"), ("地质学", "Geology"),
    ("分子生物学", "Molecular Biology"), ("细胞生物学", "Cell Biology"),
    ("遗传学", "Genetics"), ("神经科学", "Neuroscience"),
    ("免疫学", "Immunology"), ("药理学", "Pharmacology"),
    ("临床医学", "Clinical Medicine"), ("公共卫生", "Public Health"),
    ("护理学", "Nursing"), ("中医药学", "Traditional Chinese Medicine"),
    ("农业科学", "Agricultural Science"), ("食品科学", "Food Science"),
    ("能源工程", "Energy Engineering"), ("应用数学", "Applied Mathematics"),
    ("统计学", "Statistics"), ("运筹学", "Operations Research"),
    ("经济学", "Economics"), ("金融学", "Finance"),
    ("管理科学", "Management Science"), ("社会学", "Sociology"),
    ("教育学", "Education"), ("心理学", "Psychology"),
    ("语言学", "Linguistics"), ("图书馆学", "Library Science"),
    ("情报学", "Information Science"), ("档案学", "Archival Science"),
    ("法学", "Law"), ("政治学", "Political Science"),
    ("历史学", "History"), ("考古学", "Archaeology"),
    ("哲学", "Philosophy"), ("新闻传播学", "Journalism and Communication"),
    ("城市规划", "Urban Planning"), ("建筑学", "Architecture"),
]
MEDICAL = {"分子生物学", "细胞生物学", "遗传学", "神经科学", "免疫学", "药理学",
           "临床医学", "公共卫生", "护理学", "中医药学"}

BOOK_FORMS = [
    ("{}原理", "Principles of {}"), ("{}导论", "An Introduction to {}"),
    ("{}前沿", "Frontiers in {}"), ("{}手册", "Handbook of {}"),
    ("{}：理论与实践", "{}: Theory and Practice"), ("{}研究方法", "Research Methods in {}"),
    ("{}案例研究", "Case Studies in {}"), ("现代{}", "Modern {}"),
    ("中国{}发展报告", "Annual Report on {} in China"), ("{}简史", "A Short History of {}"),
    ("{}中的计算方法", "Computational Methods in {}"), ("{}基础", "Foundations of {}"),
    ("高等{}", "Advanced {}"), ("{}专题讲座", "Lectures on {}"),
    ("{}与可持续发展", "{} and Sustainable Development"), ("{}教程", "A Course in {}"),
]
TEXTBOOK_FORMS = [("{}教程", "A Course in {}"), ("{}基础", "Foundations of {}"),
                  ("{}导论", "An Introduction to {}"), ("高等{}", "Advanced {}")]
JOURNAL_FORMS_INTL = [
    ("{}杂志", "Journal of {}"), ("{}快报", "{} Letters"), ("{}评论", "Reviews in {}"),
    ("{}纪事", "Annals of {}"), ("{}进展", "Progress in {}"),
    ("国际{}杂志", "International Journal of {}"), ("{}季刊", "{} Quarterly"),
    ("亚洲{}杂志", "Asian Journal of {}"),
]
JOURNAL_FORMS_CN = [
    ("{}学报", "Chinese Journal of {}"), ("{}研究", "{} Studies"), ("中国{}", "{} in China"),
    ("{}通讯", "{} Bulletin"), ("现代{}研究", "Modern {} Studies"),
    ("{}与应用", "{} and Applications"),
]

ZH_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
            "涛", "明", "超", "秀英", "华", "慧", "建国", "晓东", "雪梅", "志强", "海燕",
            "文博", "思远", "子涵", "一鸣", "嘉怡"]
EN_FIRST = ["Margaret", "David", "Aisha", "Thomas", "Elena", "Rahul", "Sophie", "James",
            "Keiko", "Daniel", "Fatima", "Lukas", "Grace", "Mateo", "Hannah", "Oliver",
            "Priya", "Samuel", "Ingrid", "Kwame", "Laura", "Nikolai", "Chloe", "Hiroshi"]
EN_LAST = ["Hollis", "Okafor", "Lindqvist", "Brennan", "Marchetti", "Nakamura", "Fischer",
           "Adeyemi", "Whitcombe", "Rao", "Kowalski", "Delacroix", "Harrington", "Moreau",
           "Sato", "Abernathy", "Castillo", "Eriksen", "Pemberton", "Novak", "Ashworth",
           "Mendes", "Thornbury", "Vance"]


# --------------------------------------------------------------------------------------
# The world: parties
# --------------------------------------------------------------------------------------

PUBLISHERS = [
    # slug, zh name, en name, homepage, note
    ("jhup", "京海大学出版社", "Jinghai University Press", "https://www.jhup.example.cn/",
     "Chinese university press: Chinese-language monographs, textbooks and journals."),
    ("aldgate", "奥尔德盖特科学出版公司", "Aldgate Scientific Publishing Ltd",
     "https://www.aldgate-scientific.example/",
     "International STM publisher: English-language journals, e-books and a clinical reference database."),
    ("pasas", "泛亚应用科学学会", "Pan-Asian Society for Applied Sciences (PASAS)",
     "https://www.pasas.example.org/",
     "Learned society publisher: society journals, a data index and open-access monographs."),
]
VENDOR = ("northstar", "北辰数字资源有限公司", "Northstar Digital Resources Co., Ltd.",
          "https://www.northstar-digital.example.cn/",
          "Aggregator: hosts full-text databases of Chinese journals, newspapers and yearbooks.")
CONSORTIUM = ("dalc", "东海高校图书馆联盟", "Donghai Academic Library Consortium (DALC)",
              "https://www.dalc.example.cn/")
LIBRARIES = [
    # slug, letter, zh, en, ISIL, homepage
    ("lib-a", "A", "京海大学图书馆", "Jinghai University Library", "CN-JHDX",
     "https://lib.jhu.example.cn/"),
    ("lib-b", "B", "东川理工大学图书馆", "Dongchuan University of Technology Library", "CN-DCLG",
     "https://lib.dcut.example.cn/"),
    ("lib-c", "C", "南屿师范大学图书馆", "Nanyu Normal University Library", "CN-NYSF",
     "https://lib.nynu.example.cn/"),
    ("lib-d", "D", "西岭医科大学图书馆", "Xiling Medical University Library", "CN-XLYK",
     "https://lib.xlmu.example.cn/"),
    ("lib-e", "E", "北湖省图书馆", "Beihu Provincial Library", "CN-BHST",
     "https://www.bhlib.example.cn/"),
]
CATEGORIES = [
    # suffix, type, zh, en
    ("authorised-users", "rg:AuthorisedUsers", "授权用户", "authorised users"),
    ("walk-in-users", "rg:WalkInUsers", "到馆用户", "walk-in users"),
]
USERS = [
    # slug, category, zh, en, note
    ("user-li-ming", "lib-a-authorised-users", "李明", "Li Ming",
     "Associate professor of materials science at Jinghai University."),
    ("user-zhou-min", "lib-a-walk-in-users", "周敏", "Zhou Min",
     "Visiting scholar who reads in the Jinghai University Library without a campus account."),
    ("user-zhao-lei", "lib-b-authorised-users", "赵磊", "Zhao Lei",
     "PhD student in computer science at Dongchuan University of Technology."),
    ("user-wang-fang", "lib-b-walk-in-users", "王芳", "Wang Fang",
     "Engineer from a local firm who reads in the Dongchuan library without a campus account."),
    ("user-chen-jing", "lib-c-authorised-users", "陈静", "Chen Jing",
     "Lecturer in education at Nanyu Normal University."),
    ("user-liu-yang", "lib-d-authorised-users", "刘洋", "Liu Yang",
     "Resident physician and master's student at Xiling Medical University."),
    ("user-sun-hui", "lib-e-walk-in-users", "孙慧", "Sun Hui",
     "Retired teacher who visits the Beihu Provincial Library reading rooms."),
    ("user-he-xin", "lib-e-authorised-users", "何欣", "He Xin",
     "Registered reader (reader card holder) of the Beihu Provincial Library."),
]


def build_parties() -> Doc:
    d = Doc("rightsgraph demo world: parties (参与方)", """\
Who is who: one consortium (DALC) with five member libraries (A-E), each library's
user categories (authorised users, walk-in users), a few example users for decision
questions, three publishers and one vendor (aggregator).
Membership is expressed with odrl:partOf: a library is part of the consortium; a user
is part of a library's user category; each library's user category is part of the
consortium-wide category of the same kind, which consortium licences name as assignee.""")
    d.section("Consortium and member libraries / 图书馆联盟与成员馆")
    slug, zh, en, home = CONSORTIUM
    d.add(f"party:{slug}", ["rg:Consortium"], [
        ("foaf:name", zh_en(zh, en)),
        ("foaf:homepage", iri(home)),
        ("rdfs:comment", lit("Five academic and public libraries that license e-resources together.", "en")),
    ])
    for slug, letter, zh, en, isil, home in LIBRARIES:
        d.add(f"party:{slug}", ["rg:Library"], [
            ("foaf:name", zh_en(zh, en)),
            ("rg:isil", lit(isil)),
            ("foaf:homepage", iri(home)),
            ("odrl:partOf", "party:dalc"),
        ], comment=f"Library {letter}")
    d.section("Consortium-wide user categories / 联盟层级用户类别\n"
              "Consortium licences name these as assignee; every member library's category of\n"
              "the same kind is odrl:partOf them.")
    for suffix, ctype, zh, en in CATEGORIES:
        d.add(f"party:dalc-{suffix}", ["rg:UserCategory"], [
            ("foaf:name", zh_en(f"东海高校图书馆联盟成员馆{zh}", f"{en.capitalize()} of DALC member libraries")),
            ("rg:userCategoryType", ctype),
        ])
    d.section("User categories of each library / 各馆用户类别")
    for slug, letter, zh, en, _isil, _home in LIBRARIES:
        for suffix, ctype, czh, cen in CATEGORIES:
            if slug == "lib-e" and suffix == "authorised-users":
                cen_full, czh_full = "registered readers", "注册读者（授权用户）"
            else:
                cen_full, czh_full = cen, czh
            d.add(f"party:{slug}-{suffix}", ["rg:UserCategory"], [
                ("foaf:name", zh_en(f"{zh}{czh_full}", f"{en}: {cen_full}")),
                ("rg:userCategoryType", ctype),
                ("rg:ofLibrary", f"party:{slug}"),
                ("odrl:partOf", f"party:dalc-{suffix}"),
            ])
    d.section("Example users (for decision questions) / 示例用户")
    for slug, cat, zh, en, note in USERS:
        d.add(f"party:{slug}", ["odrl:Party", "foaf:Person"], [
            ("foaf:name", zh_en(zh, en)),
            ("odrl:partOf", f"party:{cat}"),
            ("rdfs:comment", lit(note, "en")),
        ])
    d.section("Publishers and vendor / 出版者与供应商")
    for slug, zh, en, home, note in PUBLISHERS:
        d.add(f"party:{slug}", ["rg:Publisher"], [
            ("foaf:name", zh_en(zh, en)),
            ("foaf:homepage", iri(home)),
            ("rdfs:comment", lit(note, "en")),
        ])
    slug, zh, en, home, note = VENDOR
    d.add(f"party:{slug}", ["rg:Vendor"], [
        ("foaf:name", zh_en(zh, en)),
        ("foaf:homepage", iri(home)),
        ("rdfs:comment", lit(note, "en")),
    ])
    return d


# --------------------------------------------------------------------------------------
# Collections and packages
# --------------------------------------------------------------------------------------

# slug, class, zh, en, publisher, vendor, asset class, part of, note
COLLECTIONS = [
    ("dalc-shared-collection", "rg:Collection", "东海高校图书馆联盟共享电子资源", "DALC shared electronic collection",
     None, None, "rg:ConsortiumLicensed", None,
     "Everything DALC licenses for all five member libraries."),
    ("aldgate-stm-journals", "rg:Package", "奥尔德盖特科技期刊全文库", "Aldgate STM Journals Collection",
     "aldgate", None, "rg:ConsortiumLicensed", "dalc-shared-collection",
     "160 English-language science, technology and medicine journals plus the Aldgate Science Citation Navigator."),
    ("pasas-journals", "rg:Package", "泛亚应用科学学会期刊集", "PASAS Society Journals",
     "pasas", None, "rg:SubscribedAccess", None,
     "36 society journals and the PASAS Applied Science Data Index."),
    ("northstar-caj", "rg:Package", "北辰中国学术期刊全文数据库", "Northstar Chinese Academic Journals Full-text Database",
     None, "northstar", "rg:SubscribedAccess", None,
     "Aggregated database of 119 Chinese-language journals from many publishers."),
    ("northstar-reference", "rg:Package", "北辰参考数据库（报纸、年鉴、学位论文）",
     "Northstar Reference Databases (newspapers, yearbooks, theses)",
     None, "northstar", "rg:ConsortiumLicensed", "dalc-shared-collection",
     "Three reference databases licensed for the whole consortium."),
    ("jhup-academic-ebooks", "rg:Package", "京海大学出版社学术电子书（2020—2024）",
     "Jinghai University Press Academic E-books 2020-2024",
     "jhup", None, "rg:OwnedPerpetual", "dalc-shared-collection",
     "260 Chinese monographs bought outright (perpetual access) for the consortium."),
    ("jhup-textbooks", "rg:Package", "京海大学出版社教材电子书", "Jinghai University Press Textbook E-books",
     "jhup", None, "rg:SubscribedAccess", None, "60 textbooks subscribed by Library C."),
    ("jhup-public-reading", "rg:Package", "京海大学出版社大众阅读电子书", "Jinghai University Press Public Reading E-books",
     "jhup", None, "rg:SubscribedAccess", None, "80 general-audience e-books subscribed by Library E."),
    ("aldgate-ebooks-2022", "rg:Package", "奥尔德盖特电子书合集（2022）", "Aldgate eBook Collection 2022",
     "aldgate", None, "rg:SubscribedAccess", None,
     "140 English e-books; Library C's subscription expired at the end of 2025."),
    ("aldgate-medicine", "rg:Package", "奥尔德盖特医学资源包", "Aldgate Medicine Bundle",
     "aldgate", None, "rg:SubscribedAccess", None,
     "Aldgate Clinical Medicine Reference database and 59 medical e-books for Library D (from 2027)."),
    ("pasas-oa-monographs", "rg:Collection", "泛亚应用科学学会开放获取专著", "PASAS Open Access Monographs",
     "pasas", None, "rg:OpenAccess", None, "25 open-access books (CC BY 4.0); no licence needed."),
    ("lib-e-legal-deposit", "rg:Collection", "北湖省图书馆呈缴电子出版物", "Beihu Provincial Library legal-deposit e-publications",
     None, None, "rg:LegalDeposit", None, "Deposit copies: reading-room access only (see rights.ttl)."),
    ("lib-e-local-history", "rg:Collection", "北湖省图书馆地方文献数字化特藏", "Beihu Provincial Library digitised local history",
     None, None, "rg:SelfDigitised", None, "Qing-dynasty gazetteers and rare books digitised from the library's holdings."),
    ("lib-a-university-archive", "rg:Collection", "京海大学校史档案数字化", "Jinghai University archive (digitised)",
     None, None, "rg:SelfDigitised", None, "Digitised issues of the university's journal, 1956-1985."),
    ("lib-b-donations", "rg:Collection", "东川理工大学图书馆捐赠特藏", "Dongchuan University of Technology Library donations",
     None, None, "rg:DonatedExchanged", None, "Lecture notes and photographs donated by former staff."),
]


def build_collections() -> Doc:
    d = Doc("rightsgraph demo world: collections and packages (资源集合与资源包)", """\
Packages (rg:Package) are what a publisher or vendor sells or licenses as a whole; other
collections (rg:Collection) group resources for the library's own purposes. Resources
join them with odrl:partOf (see resources.ttl); rules whose target is a package apply to
all its resources.""")
    d.section("Consortium collection / 联盟共享集合")
    for slug, cls, zh, en, pub, vendor, ac, part, note in COLLECTIONS:
        if slug == "pasas-oa-monographs":
            d.section("Collections outside any licence / 无需许可协议的集合")
        elif slug == "aldgate-stm-journals":
            d.section("Packages / 资源包")
        d.add(f"{'pkg' if cls == 'rg:Package' else 'coll'}:{slug}", [cls], [
            ("dct:title", zh_en(zh, en)),
            ("dct:publisher", f"party:{pub}" if pub else None),
            ("rg:vendor", f"party:{vendor}" if vendor else None),
            ("rg:assetClass", ac),
            ("dct:license", iri("https://creativecommons.org/licenses/by/4.0/") if slug == "pasas-oa-monographs" else None),
            ("odrl:partOf", f"coll:{part}" if part else None),
            ("rdfs:comment", lit(note, "en")),
        ])
    return d


# --------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------


class TitlePool:
    """Unique (zh, en) titles from forms x fields, drawn in a seeded order."""

    def __init__(self, rng: random.Random, forms, fields=FIELDS, taken=None):
        self.items = [(fz.format(z), fe.format(e), z) for fz, fe in forms for z, e in fields]
        rng.shuffle(self.items)
        self.taken = taken if taken is not None else set()

    def draw(self, keep=lambda field_zh: True):
        for i, (zh, en, field) in enumerate(self.items):
            if keep(field) and zh not in self.taken and en not in self.taken:
                del self.items[i]
                self.taken.update((zh, en))
                return zh, en
        raise RuntimeError("title pool exhausted")


def build_resources(rng: random.Random):
    """Return (Doc, list of resource records). Records are dicts used by the tests' README checks."""
    taken: set[str] = set()
    books = TitlePool(rng, BOOK_FORMS, taken=taken)
    intl_journals = TitlePool(rng, JOURNAL_FORMS_INTL, taken=taken)
    cn_journals = TitlePool(rng, JOURNAL_FORMS_CN, taken=taken)
    used_isbn: set[str] = set()
    used_issn: set[str] = set()
    records: list[dict] = []

    def new_isbn(prefix: str) -> str:
        while True:
            body = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
            code = isbn13(body)
            if code not in used_isbn:
                used_isbn.add(code)
                return code

    def new_issn() -> str:
        while True:
            code = issn(str(rng.randrange(1000, 3000)) + "".join(str(rng.randrange(10)) for _ in range(3)))
            if code not in used_issn:
                used_issn.add(code)
                return code

    def zh_creator() -> str:
        return rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN)

    def en_creator() -> str:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"

    def add(**r):
        r["id"] = f"{len(records) + 1:04d}"
        records.append(r)

    # Aldgate STM journals (consortium licence L01)
    add(kind="rg:Database", zh="奥尔德盖特科学引文导航", en="Aldgate Science Citation Navigator", lang="en",
        publisher="aldgate", issued=year(2009), parts=["pkg:aldgate-stm-journals"], ac="rg:ConsortiumLicensed",
        url="https://navigator.aldgate-scientific.example/")
    for _ in range(160):
        zh, en = intl_journals.draw()
        code = new_issn()
        add(kind="rg:EJournal", zh=zh, en=en, lang="en", publisher="aldgate", issn=code,
            issued=year(rng.randrange(1958, 2016)), parts=["pkg:aldgate-stm-journals"],
            ac="rg:ConsortiumLicensed", url=f"https://journals.aldgate-scientific.example/issn/{code}")
    # PASAS society journals (Library A L03, consortium renewal L06 in negotiation)
    add(kind="rg:Database", zh="泛亚应用科学数据索引", en="PASAS Applied Science Data Index", lang="en",
        publisher="pasas", issued=year(2012), parts=["pkg:pasas-journals"], ac="rg:SubscribedAccess",
        url="https://index.pasas.example.org/")
    for i in range(36):
        zh, en = intl_journals.draw()
        code = new_issn()
        lang = "zh" if i % 6 == 5 else "en"
        add(kind="rg:EJournal", zh=zh, en=en, lang=lang, publisher="pasas", issn=code,
            issued=year(rng.randrange(1965, 2012)), parts=["pkg:pasas-journals"],
            ac="rg:SubscribedAccess", url=f"https://journals.pasas.example.org/{code}")
    # Northstar CAJ (Library B L04): aggregated, many publishers -> no dct:publisher
    add(kind="rg:Database", zh="北辰中国学术期刊全文数据库", en="Northstar Chinese Academic Journals Full-text Database",
        lang="zh", issued=year(2003), parts=["pkg:northstar-caj"], ac="rg:SubscribedAccess",
        url="https://caj.northstar-digital.example.cn/")
    for _ in range(119):
        zh, en = cn_journals.draw()
        code = new_issn()
        add(kind="rg:EJournal", zh=zh, en=en, lang="zh", issn=code,
            issued=year(rng.randrange(1978, 2016)), parts=["pkg:northstar-caj"],
            ac="rg:SubscribedAccess", url=f"https://caj.northstar-digital.example.cn/journal/{code}")
    # Northstar reference databases (consortium L09)
    for zh, en, y, path in [
        ("北辰中国报纸全文数据库", "Northstar Chinese Newspapers Full-text Database", 2006, "newspapers"),
        ("北辰中国年鉴全文数据库", "Northstar China Yearbooks Full-text Database", 2008, "yearbooks"),
        ("北辰中国学位论文数据库", "Northstar Chinese Dissertations and Theses Database", 2004, "theses"),
    ]:
        add(kind="rg:Database", zh=zh, en=en, lang="zh", issued=year(y), parts=["pkg:northstar-reference"],
            ac="rg:ConsortiumLicensed", url=f"https://{path}.northstar-digital.example.cn/")
    # Jinghai University Press academic e-books (consortium perpetual purchase L02)
    for _ in range(260):
        zh, en = books.draw()
        code = new_isbn("97875")
        add(kind="rg:EBook", zh=zh, en=en, lang="zh", publisher="jhup", isbn=code,
            creator=[zh_creator() for _ in range(rng.choice((1, 1, 2)))],
            issued=year(rng.randrange(2020, 2025)), parts=["pkg:jhup-academic-ebooks"],
            ac="rg:OwnedPerpetual", url=f"https://ebooks.jhup.example.cn/book/{code}")
    # Jinghai textbooks (Library C L10)
    textbooks = TitlePool(rng, TEXTBOOK_FORMS, taken=taken)
    for _ in range(60):
        zh, en = textbooks.draw()
        ed = rng.choice((2, 3, 4))
        zh, en = f"{zh}（第{ed}版）", f"{en} ({ed}{'nd' if ed == 2 else 'rd' if ed == 3 else 'th'} edition)"
        code = new_isbn("97875")
        add(kind="rg:EBook", zh=zh, en=en, lang="zh", publisher="jhup", isbn=code,
            creator=[zh_creator() for _ in range(rng.choice((1, 2, 2, 3)))],
            issued=year(rng.randrange(2023, 2027)), parts=["pkg:jhup-textbooks"],
            ac="rg:SubscribedAccess", url=f"https://ebooks.jhup.example.cn/book/{code}")
    # Jinghai public reading (Library E L08)
    for _ in range(80):
        zh, en = books.draw()
        code = new_isbn("97875")
        add(kind="rg:EBook", zh=zh, en=en, lang="zh", publisher="jhup", isbn=code,
            creator=[zh_creator()], issued=year(rng.randrange(2018, 2026)), parts=["pkg:jhup-public-reading"],
            ac="rg:SubscribedAccess", url=f"https://ebooks.jhup.example.cn/book/{code}")
    # Aldgate e-books 2022 (Library C L05, expired)
    for _ in range(140):
        zh, en = books.draw()
        code = new_isbn("9781")
        add(kind="rg:EBook", zh=zh, en=en, lang="en", publisher="aldgate", isbn=code,
            creator=[en_creator() for _ in range(rng.choice((1, 2, 2, 3)))],
            issued=year(2022), parts=["pkg:aldgate-ebooks-2022"],
            ac="rg:SubscribedAccess", url=f"https://books.aldgate-scientific.example/isbn/{code}")
    # Aldgate medicine bundle (Library D L07, not yet active)
    add(kind="rg:Database", zh="奥尔德盖特临床医学参考数据库", en="Aldgate Clinical Medicine Reference", lang="en",
        publisher="aldgate", issued=year(2014), parts=["pkg:aldgate-medicine"], ac="rg:SubscribedAccess",
        url="https://clinical.aldgate-scientific.example/")
    for _ in range(59):
        zh, en = books.draw(keep=lambda f: f in MEDICAL)
        code = new_isbn("9781")
        add(kind="rg:EBook", zh=zh, en=en, lang="en", publisher="aldgate", isbn=code,
            creator=[en_creator() for _ in range(rng.choice((1, 2, 3)))],
            issued=year(rng.randrange(2019, 2027)), parts=["pkg:aldgate-medicine"],
            ac="rg:SubscribedAccess", url=f"https://books.aldgate-scientific.example/isbn/{code}")
    # PASAS open-access monographs
    for _ in range(25):
        zh, en = books.draw()
        code = new_isbn("9798")
        add(kind="rg:EBook", zh=zh, en=en, lang="en", publisher="pasas", isbn=code,
            creator=[en_creator() for _ in range(rng.choice((1, 2)))],
            issued=year(rng.randrange(2017, 2026)), parts=["coll:pasas-oa-monographs"],
            ac="rg:OpenAccess", url=f"https://books.pasas.example.org/oa/{code}")
    # Legal-deposit e-books at Library E
    for _ in range(20):
        zh, en = books.draw()
        code = new_isbn("97875")
        add(kind="rg:EBook", zh=zh, en=en, lang="zh", publisher="jhup", isbn=code,
            creator=[zh_creator()], issued=year(rng.randrange(2021, 2027)), parts=["coll:lib-e-legal-deposit"],
            ac="rg:LegalDeposit", rights="rights:lib-e-legal-deposit")
    # Digitised local history at Library E: gazetteers (self-digitised) and rare books (public domain)
    places = [("北湖府", "Beihu Prefecture"), ("临川县", "Linchuan County"),
              ("青溪县", "Qingxi County"), ("南屏县", "Nanping County")]
    eras = [("康熙", "Kangxi", 1662, 1722), ("乾隆", "Qianlong", 1736, 1795),
            ("道光", "Daoguang", 1821, 1850), ("光绪", "Guangxu", 1875, 1908)]
    combos = [(p, e) for p in places for e in eras]
    rng.shuffle(combos)
    for n, ((pz, pe), (ez, ee, y0, y1)) in enumerate(combos[:12], start=1):
        add(kind="rg:DigitisedItem", zh=f"{ez}{pz}志", en=f"Gazetteer of {pe} ({ee} edition)", lang="lzh",
            issued=year(rng.randrange(y0, y1)), parts=["coll:lib-e-local-history"], ac="rg:SelfDigitised",
            identifier=f"BHST-DF-{n:04d}", rights="rights:lib-e-gazetteers",
            url=f"https://digital.bhlib.example.cn/item/BHST-DF-{n:04d}")
    genres = [("诗钞", "Anthology of Poems from {}"), ("文献汇编", "Collected Documents of {}"),
              ("舆图", "Maps of {}")]
    n = 0
    for pz, pe in places:
        for gz, ge in genres:
            n += 1
            add(kind="rg:DigitisedItem", zh=f"{pz}{gz}", en=ge.format(pe), lang="lzh",
                issued=year(rng.randrange(1700, 1900)), parts=["coll:lib-e-local-history"],
                ac="rg:PublicDomain", identifier=f"BHST-GJ-{n:04d}", rights="rights:lib-e-rare-books",
                url=f"https://digital.bhlib.example.cn/item/BHST-GJ-{n:04d}")
    # Library A: digitised university journal (statute: preservation and display copies)
    for n, (y, no) in enumerate([(1956, 1), (1958, 2), (1962, 1), (1975, 3), (1979, 2), (1985, 4)], start=1):
        add(kind="rg:DigitisedItem", zh=f"京海大学学报（{y}年第{no}期）",
            en=f"Journal of Jinghai University, {y} no. {no}", lang="zh", publisher="jhup",
            issued=year(y), parts=["coll:lib-a-university-archive"], ac="rg:SelfDigitised",
            identifier=f"JHDX-XB-{y}-{no}", rights="rights:lib-a-university-journal",
            url=f"https://archive.lib.jhu.example.cn/journal/{y}-{no}")
    # Library B: donations
    for n, (zh, en, y, rs, cr) in enumerate([
        ("张振华教授讲义：有机化学（手稿）", "Lecture notes on organic chemistry by Prof. Zhang Zhenhua (manuscript)",
         1983, "rights:lib-b-donated-lecture-notes", "张振华"),
        ("张振华教授讲义：高分子材料（手稿）", "Lecture notes on polymer materials by Prof. Zhang Zhenhua (manuscript)",
         1988, "rights:lib-b-donated-lecture-notes", "张振华"),
        ("东川理工学院校园老照片（1950年代）", "Campus photographs of Dongchuan Institute of Technology, 1950s",
         1958, "rights:lib-b-donated-photographs", None),
        ("东川理工学院实验室老照片（1960年代）", "Laboratory photographs of Dongchuan Institute of Technology, 1960s",
         1964, "rights:lib-b-donated-photographs", None),
    ], start=1):
        add(kind="rg:DigitisedItem", zh=zh, en=en, lang="zh", issued=year(y),
            creator=[cr] if cr else [], parts=["coll:lib-b-donations"], ac="rg:DonatedExchanged",
            identifier=f"DCLG-JZ-{n:04d}", rights=rs,
            url=f"https://special.lib.dcut.example.cn/item/DCLG-JZ-{n:04d}")

    d = Doc("rightsgraph demo world: resources (数字资源)", """\
About 1,000 digital resources: e-journals (with ISSN), e-books (with ISBN-13), databases
and digitised items, each with a Chinese and an English title, its package or collection
(odrl:partOf), its resource type and its asset class (by the rights the library holds).
Items that rest on a PREMIS rights statement (digitised, donated, legal deposit) point to
it with premis:rightsStatus (see rights.ttl).""")
    labels = {
        "pkg:aldgate-stm-journals": "Aldgate STM Journals Collection (licence L01, consortium)",
        "pkg:pasas-journals": "PASAS Society Journals (licence L03 Library A; L06 in negotiation)",
        "pkg:northstar-caj": "Northstar Chinese Academic Journals (licence L04, Library B)",
        "pkg:northstar-reference": "Northstar Reference Databases (licence L09, consortium)",
        "pkg:jhup-academic-ebooks": "Jinghai University Press Academic E-books (licence L02, consortium, perpetual)",
        "pkg:jhup-textbooks": "Jinghai University Press Textbooks (licence L10, Library C)",
        "pkg:jhup-public-reading": "Jinghai University Press Public Reading (licence L08, Library E)",
        "pkg:aldgate-ebooks-2022": "Aldgate eBook Collection 2022 (licence L05, Library C, expired)",
        "pkg:aldgate-medicine": "Aldgate Medicine Bundle (licence L07, Library D, not yet active)",
        "coll:pasas-oa-monographs": "PASAS Open Access Monographs (no licence: open access)",
        "coll:lib-e-legal-deposit": "Library E legal-deposit e-books (rights statement, statute)",
        "coll:lib-e-local-history": "Library E digitised local history (rights statements)",
        "coll:lib-a-university-archive": "Library A digitised university journal (rights statement, statute)",
        "coll:lib-b-donations": "Library B donations (rights statements)",
    }
    current = None
    for r in records:
        if r["parts"][0] != current:
            current = r["parts"][0]
            d.section(labels[current])
        d.add(f"res:{r['id']}", ["rg:Resource"], [
            ("dct:title", zh_en(r["zh"], r["en"])),
            ("rg:resourceType", r["kind"]),
            ("rg:isbn", lit(r["isbn"]) if r.get("isbn") else None),
            ("rg:issn", lit(r["issn"]) if r.get("issn") else None),
            ("dct:identifier", lit(r["identifier"]) if r.get("identifier") else None),
            ("dct:creator", [lit(c) for c in r.get("creator", [])]),
            ("dct:publisher", f"party:{r['publisher']}" if r.get("publisher") else None),
            ("dct:issued", r["issued"]),
            ("dct:language", lit(r["lang"])),
            ("odrl:partOf", r["parts"]),
            ("rg:assetClass", r["ac"]),
            ("rg:titleUrl", lit(r["url"], dt="xsd:anyURI") if r.get("url") else None),
            ("premis:rightsStatus", r.get("rights")),
        ])
    return d, records


# --------------------------------------------------------------------------------------
# Licences and their ODRL rules
# --------------------------------------------------------------------------------------


def build_licences() -> Doc:
    """licences.ttl, compiled from the term sheets in termsheets/ (one YAML file per licence)
    by rightsgraph's term-sheet compiler: the same code `rightsgraph licence import` runs."""
    src = Path(__file__).resolve().parents[2] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    from rightsgraph.licences.termsheet import compile_sheet, read_sheet, records_turtle

    d = Doc("rightsgraph demo world: licences (许可协议)", """\
Ten licences, each an ODRL Agreement (rg:Licence) whose uid is its own IRI, compiled from
the librarians' term sheets in data/demo/termsheets/*.yaml. Each licence lists its terms
as ERM systems record them (rg:licenceTerm: term type, status, clause) and the ODRL rules
its usage terms compile to (rg:implementedBy). Every rule names its own target, action,
assigner and one assignee, so it reads on its own. Dates are odrl:dateTime constraints
typed xsd:date; a rule with only a start date (gteq) has no end date (perpetual access,
archiving rights). Anything no permission grants is not allowed (closed by default), and
a silent term compiles to no rule.
  L01 DALC     Aldgate STM journals       Active          2025-01-01 .. 2027-12-31  USD
  L02 DALC     Jinghai UP academic e-books Active (bought) 2025-01-01 .. (no end)    CNY
  L03 Lib A    PASAS society journals     Active          2024-01-01 .. 2026-12-31  USD
  L04 Lib B    Northstar CAJ database     Active          2026-01-01 .. 2026-12-31  CNY
  L05 Lib C    Aldgate e-books 2022       Expired         2023-01-01 .. 2025-12-31  USD
  L06 DALC     PASAS society journals     In negotiation  2027-01-01 .. 2029-12-31  USD
  L07 Lib D    Aldgate medicine bundle    Not yet active  2027-01-01 .. 2029-12-31  USD
  L08 Lib E    Jinghai UP public reading  Active          2025-07-01 .. 2027-06-30  CNY
  L09 DALC     Northstar reference DBs    Active          2026-01-01 .. 2028-12-31  CNY
  L10 Lib C    Jinghai UP textbooks       Active          2026-03-01 .. 2027-02-28  CNY""")
    for path in sorted((Path(__file__).resolve().parent / "termsheets").glob("*.yaml")):
        sheet = read_sheet(path)
        d.section(f"{path.stem}: {sheet['title']['en']}\n{sheet['title']['zh']}\n"
                  f"from termsheets/{path.name}")
        d.parts.append(records_turtle(compile_sheet(sheet), NS).rstrip("\n"))
    return d


# --------------------------------------------------------------------------------------
# PREMIS rights statements
# --------------------------------------------------------------------------------------

RS = "http://rightsstatements.org/vocab/"
RIGHTS = [
    ("lib-e-gazetteers", "rbasis:cop", RS + "NKC/1.0/", "2018-03-01", None, ["rep", "mig", "fix"],
     "Qing-dynasty local gazetteers digitised by Library E from its own holdings (2018-2021). The "
     "originals are long out of copyright; no known restriction on the digital copies.",
     "北湖省图书馆以馆藏清代地方志自行数字化（2018—2021）。原件早已超过著作权保护期，数字副本无已知限制。"),
    ("lib-e-rare-books", "rbasis:cop", RS + "NoC-OKLR/1.0/", "2020-01-01", None, ["rep", "mig", "fix"],
     "Qing-dynasty rare books in the public domain; the digital files were made by a national "
     "rare-books project and may be shown only with the project's credit line (other known legal restriction).",
     "清代古籍，属公有领域；数字文件由国家古籍数字化项目制作，展示时须注明项目来源（其他已知法律限制）。"),
    ("lib-a-university-journal", "rbasis:sta", RS + "InC/1.0/", "2019-09-01", None, ["rep", "mig", "fix"],
     "Issues of the Journal of Jinghai University (1956-1985), still in copyright. Digitised under "
     "the Copyright Law of the PRC, art. 24(1)(8): a library may reproduce works it holds for display "
     "or preservation. Display on campus only; no download.",
     "《京海大学学报》1956—1985 年各期，仍在著作权保护期内。依《著作权法》第二十四条第一款第（八）项，"
     "图书馆为陈列或保存版本需要可复制本馆收藏的作品。仅限校内浏览，不得下载。"),
    ("lib-e-legal-deposit", "rbasis:sta", RS + "InC/1.0/", "2021-01-01", None, ["rep", "fix"],
     "Deposit copies received under the Beihu provincial legal-deposit regulations: reading-room "
     "access only, no printing, no remote access.",
     "依北湖省出版物呈缴规定接收的呈缴本：仅限阅览室内阅读，不得打印，不提供远程访问。"),
    ("lib-b-donated-lecture-notes", "rbasis:lic", RS + "InC-EDU/1.0/", "2019-06-01", None, ["rep", "mig"],
     "Donated by the family of Prof. Zhang Zhenhua under a deposit agreement dated 2019-06-01: "
     "educational use only.",
     "张振华教授家属依 2019-06-01 签订的捐赠协议捐赠：仅限教育用途。"),
    ("lib-b-donated-photographs", "rbasis:oth", RS + "UND/1.0/", "2019-06-01", "2029-05-31", ["rep"],
     "Photographs of unknown authorship from the same donation; copyright status undetermined. "
     "Review due before 2029-05-31.",
     "同批捐赠中作者不详的照片，著作权状况未确定，须在 2029-05-31 前复核。"),
]


# Rights granted with a restriction (PREMIS rightsGranted: act + restriction), the restriction
# also written as the ODRL constraint the decision engine enforces: display on the premises.
GRANTED = {
    "lib-e-legal-deposit": ("reading", "dis", "阅览室内阅读；不得打印，不提供远程访问。",
                            "Reading in the reading room; no printing, no remote access."),
    "lib-a-university-journal": ("display", "dis", "仅限校内浏览，不得下载。", "Display on campus only; no download."),
}


def build_rights() -> Doc:
    d = Doc("rightsgraph demo world: PREMIS rights statements (权利声明)", """\
Rights statements for resources that no licence covers: self-digitised, donated and
legal-deposit items. Each gives a PREMIS rights basis (LoC vocabulary), a
RightsStatements.org statement (dct:rights), its period and the preservation acts
allowed (premis:act, LoC event types: rep = replication, mig = migration, fix = fixity check).
Rights granted with a restriction are premis:Rule nodes (premis:allows): the act
(dis = dissemination), the restriction as text, and the same restriction as an ODRL
constraint the decision engine enforces (odrl:virtualLocation rg:OnPremises).""")
    for slug, basis, stmt, start, end, acts, note, note_zh in RIGHTS:
        grant = GRANTED.get(slug)
        d.add(f"rights:{slug}", ["rg:RightsStatement"], [
            ("premis:basis", basis),
            ("dct:rights", iri(stmt)),
            ("rg:rightsStart", date(start)),
            ("rg:rightsEnd", date(end) if end else None),
            ("premis:act", [f"evtype:{a}" for a in acts]),
            ("premis:allows", f"rights:{slug}-{grant[0]}" if grant else None),
            ("rg:rightsNote", zh_en(note_zh, note)),
        ])
        if grant:
            name, act, restriction_zh, restriction = grant
            d.add(f"rights:{slug}-{name}", ["premis:Rule"], [
                ("premis:act", f"evtype:{act}"),
                ("premis:restriction", zh_en(restriction_zh, restriction)),
                ("odrl:constraint", B(("odrl:leftOperand", "odrl:virtualLocation"), ("odrl:operator", "odrl:eq"),
                                      ("odrl:rightOperand", "rg:OnPremises"))),
            ])
    return d


# --------------------------------------------------------------------------------------


def build(out_dir: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    resources, records = build_resources(rng)
    docs = {
        "parties.ttl": build_parties(),
        "collections.ttl": build_collections(),
        "resources.ttl": resources,
        "licences.ttl": build_licences(),
        "rights.ttl": build_rights(),
    }
    written = {}
    for name, doc in docs.items():
        path = out_dir / name
        path.write_bytes(doc.render().encode("utf-8"))
        written[name] = path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_usage import build_usage     # usage and payments: data/demo/usage/
    written.update({f"usage/{k}": v for k, v in build_usage(records, out_dir / "usage").items()})
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    for name, path in build(out).items():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
