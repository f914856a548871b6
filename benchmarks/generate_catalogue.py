"""Generate a synthetic library catalogue (N-Triples) that is valid against shapes/*.ttl.

About 12 triples per rg:Resource (titles zh+en, identifier, ISBN or ISSN, creator,
publisher, package, asset class, resource type, issue date, language), packages, parties
(publishers, vendors, libraries, consortia, user categories), rights statements and one
rg:Licence (an ODRL agreement with a permission, a constraint, a prohibition and a duty)
per ~50 resources. Deterministic for a given --seed.

    python benchmarks/generate_catalogue.py -o /tmp/cat.nt --triples 1000000
    python benchmarks/generate_catalogue.py -o /tmp/bad.nt --triples 2000 --faults 20

--faults N injects N faults of assorted kinds (missing title, publisher of the wrong class,
bad ISSN, term end before start, wrong datatype, unknown status, negative cost, missing
assignee, untyped odrl:dateTime right operand, duplicate issue date ...).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

RG = "https://w3id.org/rightsgraph/ns#"
ODRL = "http://www.w3.org/ns/odrl/2/"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PREMIS = "http://www.loc.gov/premis/rdf/v3/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "https://library.example.org/id/"
RBASIS = "http://id.loc.gov/vocabulary/preservation/rightsBasis/"

ASSET_CLASSES = ["OwnedPerpetual", "SubscribedAccess", "ConsortiumLicensed", "OpenAccess",
                 "PublicDomain", "LegalDeposit", "SelfDigitised", "DonatedExchanged"]
RESOURCE_TYPES = ["EBook", "EJournal", "Database", "DigitisedItem", "AudioVisual", "Dataset"]
LICENCE_FAULTS = {"end-before-start", "cost-datatype", "unknown-status", "negative-cost", "no-assignee",
                  "datetime-untyped"}
STATUSES = ["InNegotiation", "NotYetActive", "Active", "Expired", "Terminated"]
ACTIONS = ["use", "reproduce", "display", "print", "distribute", "textToSpeech"]
WORDS_EN = ["Linear", "Algebra", "History", "of", "Chinese", "Mathematics", "Modern", "Physics",
            "Journal", "Studies", "Library", "Science", "Annals", "Review", "Digital", "Culture",
            "Economics", "Quarterly", "Handbook", "Introduction", "Advanced", "Theory", "Letters"]
WORDS_ZH = ["线性", "代数", "历史", "中国", "数学", "现代", "物理", "学报", "研究", "图书馆",
            "科学", "评论", "数字", "文化", "经济", "季刊", "手册", "导论", "高等", "理论", "通讯"]


def iri(ns: str, local: str) -> str:
    return f"<{ns}{local}>"


def lit(s: str, lang: str | None = None, dt: str | None = None) -> str:
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{s}"@{lang}'
    if dt:
        return f'"{s}"^^<{XSD}{dt}>'
    return f'"{s}"'


def isbn13(rng: random.Random) -> str:
    digits = [9, 7, 8] + [rng.randrange(10) for _ in range(9)]
    check = (10 - sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    d = "".join(map(str, digits + [check]))
    return f"{d[:3]}-{d[3]}-{d[4:7]}-{d[7:12]}-{d[12]}"


def issn(rng: random.Random) -> str:
    d = [rng.randrange(10) for _ in range(7)]
    s = sum(x * w for x, w in zip(d, range(8, 1, -1)))
    c = (11 - s % 11) % 11
    cs = "X" if c == 10 else str(c)
    return f"{d[0]}{d[1]}{d[2]}{d[3]}-{d[4]}{d[5]}{d[6]}{cs}"


def generate(out, triples: int = 1_000_000, seed: int = 42, faults: int = 0) -> int:
    """Write about `triples` triples to the text stream `out`; returns the number written."""
    rng = random.Random(seed)
    n = 0

    def t(s, p, o):
        nonlocal n
        out.write(f"{s} {p} {o} .\n")
        n += 1

    a = RDF_TYPE
    # ~12.4 triples per resource overall (resources + package/licence per 50)
    n_res = max(10, int(triples / 12.6))
    n_pub = max(3, n_res // 400)
    n_ven = max(2, n_res // 4000)
    n_lib = max(2, n_res // 2000)
    n_con = max(1, n_lib // 10)
    fault_kinds = ["no-title", "publisher-class", "bad-issn", "end-before-start", "cost-datatype",
                   "unknown-status", "negative-cost", "no-assignee", "datetime-untyped",
                   "two-issued", "bad-isbn", "unknown-type", "party-no-name"]
    fault_at: dict[int, str] = {}
    if faults:
        frng = random.Random(seed + 1)
        for i in range(faults):
            kind = fault_kinds[i % len(fault_kinds)]
            pos = frng.randrange(n_res)
            if kind in LICENCE_FAULTS:  # licences are written at the start of each block
                pos -= pos % 50
            fault_at[pos] = kind

    def party(kind: str, i: int, zh: str, en: str, extra=()):
        s = iri(EX, f"{kind.lower()}-{i}")
        t(s, a, iri(RG, kind))
        t(s, iri(FOAF, "name"), lit(en, "en"))
        t(s, iri(FOAF, "name"), lit(zh, "zh"))
        for p, o in extra:
            t(s, p, o)
        return s

    pubs = [party("Publisher", i, f"出版社{i}", f"Publisher {i}",
                  [(iri(FOAF, "homepage"), f"<https://publisher{i}.example.com/>")]) for i in range(n_pub)]
    vens = [party("Vendor", i, f"代理商{i}", f"Vendor {i}") for i in range(n_ven)]
    cons = [party("Consortium", i, f"图书馆联盟{i}", f"Consortium {i}") for i in range(n_con)]
    libs = [party("Library", i, f"图书馆{i}", f"Library {i}",
                  [(iri(RG, "isil"), lit(f"CN-{110000 + i}")), (iri(ODRL, "partOf"), cons[i % n_con])])
            for i in range(n_lib)]
    for i, lib in enumerate(libs):
        uc = iri(EX, f"usercat-{i}")
        t(uc, a, iri(RG, "UserCategory"))
        t(uc, iri(FOAF, "name"), lit(f"图书馆{i}授权用户", "zh"))
        t(uc, iri(RG, "userCategoryType"), iri(RG, "AuthorisedUsers"))
        t(uc, iri(RG, "ofLibrary"), lib)

    block = 50
    pkg = None
    for r in range(n_res):
        fault = fault_at.get(r)
        if r % block == 0:
            k = r // block
            pkg = iri(EX, f"pkg-{k}")
            pub = pubs[k % n_pub]
            t(pkg, a, iri(RG, "Package"))
            t(pkg, iri(DCT, "title"), lit(f"电子资源包 {k}", "zh"))
            t(pkg, iri(DCT, "title"), lit(f"E-resource package {k}", "en"))
            t(pkg, iri(DCT, "publisher"), pub)
            t(pkg, iri(RG, "vendor"), vens[k % n_ven])
            t(pkg, iri(RG, "assetClass"), iri(RG, "ConsortiumLicensed"))
            # the licence of this package
            lic = iri(EX, f"lic-{k}")
            t(lic, a, iri(RG, "Licence"))
            t(lic, iri(ODRL, "uid"), lic)
            t(lic, iri(DCT, "title"), lit(f"电子资源包 {k} 许可协议", "zh"))
            t(lic, iri(ODRL, "assigner"), pub)
            if fault != "no-assignee":
                t(lic, iri(ODRL, "assignee"), cons[k % n_con])
            y = 2018 + k % 8
            status = "Unknown" if fault == "unknown-status" else STATUSES[k % len(STATUSES)]
            t(lic, iri(RG, "licenceStatus"), iri(RG, status))
            t(lic, iri(RG, "termStart"), lit(f"{y}-01-01", dt="date"))
            t(lic, iri(RG, "termEnd"), lit(f"{y - 1 if fault == 'end-before-start' else y + 2}-12-31", dt="date"))
            t(lic, iri(RG, "signingDate"), lit(f"{y - 1}-11-15", dt="date"))
            if status == "Terminated":  # a terminated licence records when (licence shapes)
                t(lic, iri(RG, "terminationDate"), lit(f"{y + 1}-06-30", dt="date"))
            cost = f"{rng.randrange(1000, 90000)}.00"
            if fault == "negative-cost":
                cost = "-" + cost
            t(lic, iri(RG, "cost"), lit(cost, dt="string" if fault == "cost-datatype" else "decimal"))
            t(lic, iri(RG, "currency"), lit("CNY"))
            t(lic, iri(RG, "rightsBasis"), iri(RBASIS, "lic"))
            t(lic, iri(ODRL, "target"), pkg)
            perm, cons_n, proh, duty = (f"_:perm{k}", f"_:c{k}", f"_:proh{k}", f"_:duty{k}")
            t(lic, iri(ODRL, "permission"), perm)
            t(perm, iri(ODRL, "action"), iri(ODRL, ACTIONS[k % len(ACTIONS)]))
            t(perm, iri(ODRL, "assignee"), iri(EX, f"usercat-{k % n_lib}"))
            t(perm, iri(ODRL, "constraint"), cons_n)
            t(cons_n, iri(ODRL, "leftOperand"), iri(ODRL, "dateTime"))
            t(cons_n, iri(ODRL, "operator"), iri(ODRL, "lteq"))
            t(cons_n, iri(ODRL, "rightOperand"),
              lit(f"{y + 2}-12-31") if fault == "datetime-untyped" else lit(f"{y + 2}-12-31", dt="date"))
            t(perm, iri(ODRL, "duty"), duty)
            t(duty, iri(ODRL, "action"), iri(ODRL, "attribute"))
            t(lic, iri(ODRL, "prohibition"), proh)
            t(proh, iri(ODRL, "action"), iri(ODRL, "commercialize"))
        s = iri(EX, f"res-{r}")
        t(s, a, iri(RG, "Resource"))
        w = [rng.choice(WORDS_EN) for _ in range(3)]
        z = [rng.choice(WORDS_ZH) for _ in range(3)]
        if fault != "no-title":
            t(s, iri(DCT, "title"), lit(" ".join(w) + f" {r}", "en"))
            t(s, iri(DCT, "title"), lit("".join(z) + f" {r}", "zh"))
        rtype = RESOURCE_TYPES[r % len(RESOURCE_TYPES)]
        t(s, iri(DCT, "identifier"), lit(f"RES-{r:08d}"))
        if rtype == "EJournal":
            t(s, iri(RG, "issn"), lit("12345-678" if fault == "bad-issn" else issn(rng)))
        else:
            t(s, iri(RG, "isbn"), lit("978-12" if fault == "bad-isbn" else isbn13(rng)))
        t(s, iri(DCT, "creator"), lit(f"{rng.choice(['王', '李', '张', 'Smith', 'Chen'])} {r % 997}"))
        t(s, iri(DCT, "publisher"), vens[0] if fault == "publisher-class" else pubs[(r // block) % n_pub])
        t(s, iri(ODRL, "partOf"), pkg)
        t(s, iri(RG, "assetClass"), iri(RG, ASSET_CLASSES[r % len(ASSET_CLASSES)]))
        t(s, iri(RG, "resourceType"), iri(RG, "Pamphlet" if fault == "unknown-type" else rtype))
        t(s, iri(DCT, "issued"), lit(f"{1990 + r % 35}-0{1 + r % 9}-1{r % 9}", dt="date")
          if r % 3 else lit(str(1950 + r % 75), dt="gYear"))
        if fault == "two-issued":
            t(s, iri(DCT, "issued"), lit("1999", dt="gYear"))
        if fault == "party-no-name":
            p = iri(EX, f"anon-party-{r}")
            t(p, a, iri(RG, "Publisher"))
            t(s, iri(DCT, "publisher"), p)
        t(s, iri(DCT, "language"), lit("zh" if r % 2 else "en"))
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, type=Path, help="output file (.nt or .ttl)")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--faults", type=int, default=0, help="inject N faults (default 0: valid)")
    args = ap.parse_args(argv)
    with open(args.output, "w", encoding="utf-8", buffering=1 << 20) as f:
        n = generate(f, args.triples, args.seed, args.faults)
    print(f"{n} triples -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
