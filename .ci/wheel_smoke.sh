#!/usr/bin/env bash
# Build the wheel, install it in a clean virtual environment (no test extra, no checkout on
# the path) and use it: load, info, check, report, demo data, a clear error for a remote
# store that is down, and `serve --workers 2` answering /healthz and a query, then stopped.
# Catches what a plain `pip install rightsgraph` would miss: a runtime dependency only the
# tests bring in, or a file the code reads from the checkout that the wheel does not ship.
#
#   bash .ci/wheel_smoke.sh          (PYTHON=... to choose the interpreter that builds)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rightsgraph-wheel.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
t0=$SECONDS
checks=0
ok() { checks=$((checks + 1)); echo "  ok  $*"; }
fail() { echo "wheel smoke: FAILED: $*" >&2; exit 1; }

# 1. the wheel, built from a copy of the working tree (the build leaves nothing in it)
mkdir "$WORK/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar -c --null -T - | tar -x -C "$WORK/src"
else
  tar -c --exclude=./.venv --exclude=./var --exclude=./build . | tar -x -C "$WORK/src"
fi
"$PY" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" "$WORK/src" >/dev/null
WHEEL=$(ls "$WORK"/dist/rightsgraph-*.whl)
ok "built $(basename "$WHEEL") ($((SECONDS - t0)) s)"

# 2. a clean environment holding the wheel and its runtime dependencies only
"$PY" -m venv --without-pip "$WORK/venv"
"$PY" -m pip --python "$WORK/venv/bin/python" install --quiet "$WHEEL" 2>&1 | grep -v "^WARNING: Location" || true
"$WORK/venv/bin/python" -c "import rightsgraph" || fail "the wheel did not install"
for test_only in pytest pyshacl owlrl; do
  if "$WORK/venv/bin/python" -c "import $test_only" 2>/dev/null; then fail "$test_only is installed: it is a test dependency"; fi
done
ok "installed in a clean venv, no test dependencies ($((SECONDS - t0)) s)"

# 3. use it as a user would, away from the checkout
RG="$WORK/venv/bin/rightsgraph"
VPY="$WORK/venv/bin/python"
DATA="$WORK/data"
cd "$WORK"
unset PYTHONPATH RIGHTSGRAPH_HOME RIGHTSGRAPH_DATA RIGHTSGRAPH_STORE
export RIGHTSGRAPH_LANG=en
home=$("$VPY" -c "from rightsgraph import package_data; print(package_data.home())")
case "$home" in "$WORK/venv/"*) ok "ontology and shapes from the wheel: $home" ;; *) fail "resources found outside the wheel: $home" ;; esac

"$RG" --data-dir "$DATA" load "$ROOT/tests/data/loading/library.ttl" "$ROOT/tests/data/loading/licence.ttl" >/dev/null
ok "load"
out=$("$RG" --data-dir "$DATA" info)
[[ "$out" =~ ^[0-9]+\ triples\;\ 1\ resources,\ 1\ licences ]] || fail "info: $out"
ok "info"
out=$("$RG" --data-dir "$DATA" check --target https://example.org/lib/book1 --action read \
      --assignee https://example.org/lib/lib-a --at 2025-06-01T10:00:00Z --exit-code)
[[ "$out" == permit* ]] || fail "check: $out"
ok "check: permit"
"$RG" --data-dir "$DATA" report assets --json >"$WORK/assets.json"
"$VPY" -c "import json, sys; json.load(open(sys.argv[1]))" "$WORK/assets.json"
ok "report assets (asset-class rules from the wheel)"
out=$("$RG" --data-dir "$WORK/demo" demo --no-serve 2>&1)
[[ "$out" == *"demo data: loaded"* ]] || fail "demo data: $out"
ok "demo --no-serve (demo data from the wheel)"
set +e
out=$("$RG" --data-dir "$DATA" --store http://127.0.0.1:1 info 2>&1); code=$?
set -e
[ "$code" = 5 ] && [[ "$out" == "error: cannot use the store at http://127.0.0.1:1"* ]] && [[ "$out" != *Traceback* ]] \
  || fail "remote store down: exit $code: $out"
ok "--store down: exit 5, one line"

get() {  # GET/POST with the standard library (no curl needed): get URL [query]
  "$VPY" - "$@" <<'PY'
import sys, urllib.parse, urllib.request
url, data = sys.argv[1], None
if len(sys.argv) > 2:
    data = urllib.parse.urlencode({"query": sys.argv[2]}).encode()
req = urllib.request.Request(url, data=data, headers={"Accept": "text/csv"})
with urllib.request.urlopen(req, timeout=5) as r:
    sys.stdout.write(r.read().decode())
PY
}
PORT=$("$VPY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
setsid "$RG" --data-dir "$DATA" serve --port "$PORT" --workers 2 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 120); do
  get "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; fail "serve exited early"; }
  sleep 0.5
done
get "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; fail "serve did not answer /healthz"; }
ok "serve --workers 2 answers /healthz"
answer=$(get "http://127.0.0.1:$PORT/sparql" \
  'SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/rightsgraph/ns#Resource> }')
[ "$(echo "$answer" | tr -d '\r' | tail -1)" = 1 ] || fail "SPARQL query answered: $answer"
ok "serve answers a SPARQL query"
# the librarians' pages come from the wheel's templates, stylesheet and compiled catalogues
page=$("$VPY" - "http://127.0.0.1:$PORT/search?q=book&lang=zh" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
) || fail "the search page did not answer"
echo "$page" | grep -q "检索" || fail "the search page is not in Chinese with ?lang=zh (catalogues missing from the wheel?)"
css=$("$VPY" -c "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).status)" \
  "http://127.0.0.1:$PORT/static/rightsgraph.css") || fail "the stylesheet is missing"
[ "$css" = 200 ] || fail "the stylesheet answered $css"
ok "serve renders the pages in Chinese from the wheel's catalogues"
kill -TERM "$SERVER_PID"
for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
kill -0 "$SERVER_PID" 2>/dev/null && fail "serve did not stop on SIGTERM"
SERVER_PID=
ok "serve stopped"

echo "wheel-smoke: $checks passed, 0 failed ($((SECONDS - t0)) s)"
