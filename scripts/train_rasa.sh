#!/usr/bin/env bash
# Train the Rasa model when it is missing or older than its training data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

inputs=$(ls config.yml domain.yml; find data -maxdepth 2 -name '*.yml' | sort)
fingerprint=$(cat $inputs | sha256sum | cut -c1-16)
stamp="models/rasa/.fingerprint"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -f models/rasa/bot.tar.gz ]; then
  log "Rasa model is up to date"
  exit 0
fi
log "training the Rasa model (about 3-6 minutes on 2 cores)"
.venv-rasa/bin/rasa train --out models/rasa --fixed-model-name bot --num-threads "${OMP_NUM_THREADS}"
echo "$fingerprint" > "$stamp"
