"""The app as `rightsgraph serve` builds it, for gunicorn: bench_server.py's baseline (the
server serve ran before waitress). The store is the demo data dir in $RG_BENCH_DATA.

    RG_BENCH_DATA=/path/to/data-dir gunicorn -k gthread --threads 8 --chdir benchmarks gunicorn_app:app
"""

from __future__ import annotations

import os
from pathlib import Path

from rightsgraph.store.embedded import open_store
from rightsgraph.web.app import create_app

app = create_app(open_store(Path(os.environ["RG_BENCH_DATA"])),
                 settings={"RG_ACCOUNTS_FILE": str(Path(os.environ["RG_BENCH_DATA"]) / "accounts.json")})
