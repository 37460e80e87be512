# Shared shell helpers; sourced by the scripts in this folder.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export TOKENIZERS_PARALLELISM=false
# Rasa would otherwise send usage telemetry, and this project makes no outside calls.
export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH="${PWD}${PYTHONPATH:+:$PYTHONPATH}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print a free TCP port on 127.0.0.1.
free_port() {
  .venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"
}

# Wait until $1 (a URL) responds, for at most $2 seconds.
wait_for_url() {
  local url=$1 limit=${2:-120} waited=0
  until curl --silent --fail --max-time 2 "$url" >/dev/null 2>&1; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then
      return 1
    fi
  done
}
