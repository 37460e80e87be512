#!/usr/bin/env bash
# Set up what is missing and run every test: unit, action, Rasa data and
# stories, full-stack (both servers on 127.0.0.1), channel and browser tests.
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/postgres.sh

scripts/setup.sh

start_postgres
trap stop_postgres EXIT

log "running the tests"
.venv/bin/python -m pytest -p no:cacheprovider -rs "$@"
