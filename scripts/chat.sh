#!/usr/bin/env bash
# Set up what is missing, start the action server on 127.0.0.1 and open the
# terminal chat (rasa shell). The action server stops when the chat ends.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

scripts/setup.sh

actions_port="${ACTIONS_PORT:-5055}"
rasa_port="${RASA_PORT:-5005}"
endpoints=endpoints.yml
if [ "$actions_port" != 5055 ]; then
  # endpoints.yml names port 5055; write a copy that points at the chosen port.
  endpoints=var/endpoints.chat.yml
  sed "s#127.0.0.1:5055/webhook#127.0.0.1:${actions_port}/webhook#" endpoints.yml >"$endpoints"
fi

log "starting the action server on 127.0.0.1:${actions_port} (log: var/actions.log)"
SANIC_HOST=127.0.0.1 .venv/bin/python -m rasa_sdk --actions actions --port "$actions_port" >var/actions.log 2>&1 &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true; wait "$actions_pid" 2>/dev/null || true' EXIT INT TERM
if ! wait_for_url "http://127.0.0.1:${actions_port}/health" 120; then
  tail -n 30 var/actions.log >&2
  die "the action server did not start; its log is above and in var/actions.log"
fi

log "opening the chat; type /stop to quit"
PYTHONWARNINGS=ignore .venv-rasa/bin/rasa shell -m models/rasa/bot.tar.gz --endpoints "$endpoints" -i 127.0.0.1 -p "$rasa_port" --quiet
