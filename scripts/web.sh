#!/usr/bin/env bash
# Serve the web chat page (web/) on 127.0.0.1 and print its address.
#
# By default this sets up what is missing, then starts the action server and
# the Rasa server (with credentials.yml, which enables the Socket.IO channel)
# on 127.0.0.1. Set RASA_URL to use a Rasa server that is already running and
# serve only the page. Ctrl-C stops everything this script started.
#
#   WEB_PORT      port of the page (default 8080)
#   RASA_PORT     port of the Rasa server (default 5005)
#   ACTIONS_PORT  port of the action server (default 5055)
#   RASA_URL      URL of a running Rasa server with the Socket.IO channel enabled
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

web_port="${WEB_PORT:-8080}"
rasa_port="${RASA_PORT:-5005}"
actions_port="${ACTIONS_PORT:-5055}"
pids=()

stop_started() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_started EXIT
trap 'exit 130' INT TERM

if [ -z "${RASA_URL:-}" ]; then
  scripts/setup.sh
  rasa_url="http://127.0.0.1:${rasa_port}"

  log "starting the action server on 127.0.0.1:${actions_port} (log: var/actions.log)"
  SANIC_HOST=127.0.0.1 .venv/bin/python -m rasa_sdk --actions actions --port "$actions_port" >var/actions.log 2>&1 &
  pids+=($!)

  # Rasa reads the action server URL from an endpoints file, so a port other
  # than 5055 needs a copy of endpoints.yml.
  endpoints=endpoints.yml
  if [ "$actions_port" != "5055" ]; then
    endpoints=var/endpoints.web.yml
    sed "s#http://127.0.0.1:5055/webhook#http://127.0.0.1:${actions_port}/webhook#" endpoints.yml >"$endpoints"
  fi
  log "starting the Rasa server on ${rasa_url} (log: var/rasa.log; loading the model takes 1-2 minutes)"
  .venv-rasa/bin/rasa run -m models/rasa --endpoints "$endpoints" --credentials credentials.yml \
    -i 127.0.0.1 -p "$rasa_port" >var/rasa.log 2>&1 &
  pids+=($!)

  if ! wait_for_url "http://127.0.0.1:${actions_port}/health" 180; then
    tail -n 30 var/actions.log >&2
    die "the action server did not start; its log is above and in var/actions.log"
  fi
  if ! wait_for_url "${rasa_url}/" 600; then
    tail -n 30 var/rasa.log >&2
    die "the Rasa server did not start; its log is above and in var/rasa.log"
  fi
else
  rasa_url="${RASA_URL%/}"
  mkdir -p var
fi

log "serving web/ on 127.0.0.1:${web_port} (log: var/web.log)"
.venv/bin/python -m http.server --bind 127.0.0.1 --directory web "$web_port" >var/web.log 2>&1 &
pids+=($!)
if ! wait_for_url "http://127.0.0.1:${web_port}/" 30; then
  tail -n 20 var/web.log >&2
  die "could not serve the page on port ${web_port}; set WEB_PORT to a free port"
fi

echo "Web chat: http://127.0.0.1:${web_port}/?server=${rasa_url}"
log "press Ctrl-C to stop"
wait -n "${pids[@]}" || true
die "a server stopped; see var/actions.log, var/rasa.log and var/web.log"
