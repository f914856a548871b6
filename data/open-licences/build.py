"""Write open-licences.ttl: the Creative Commons licences and rightsstatements.org statements
as ODRL policies (src/rightsgraph/policy/open_licences.py has the mapping).

    python data/open-licences/build.py [CC_RDF_DIR]

CC_RDF_DIR holds Creative Commons' licence RDF files (creativecommons.org_licenses_by_4.0_.rdf
...); default: the copy vendored for the tests, tests/conformance/suites/vocab/cc-licenses. The output
is deterministic; tests/test_policy_open_licences.py checks it is current.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from rightsgraph.policy.open_licences import turtle  # noqa: E402

DEFAULT_CC = HERE.parents[1] / "tests" / "conformance" / "suites" / "vocab" / "cc-licenses"


def main(argv):
    cc_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_CC
    if not cc_dir.is_dir():
        sys.exit(f"error: no Creative Commons RDF at {cc_dir} (give the folder as the first argument)")
    (HERE / "open-licences.ttl").write_text(turtle(cc_dir), encoding="utf-8")
    print(f"wrote {HERE / 'open-licences.ttl'}")


if __name__ == "__main__":
    main(sys.argv)
