"""The ODRL suites' folder inside the conformance material (tests/conformance/suites/ by default)."""

from ..conftest import CONFORMANCE

ODRL_DIR = CONFORMANCE / "odrl"
