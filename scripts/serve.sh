#!/usr/bin/env bash
# Builds Convscope (release profile) and serves it with live reload at http://127.0.0.1:$PORT/ (default 8080).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$CONVSCOPE_ROOT/scripts/setup.sh"
cd "$CONVSCOPE_ROOT"

PORT="${PORT:-8080}"
url="http://127.0.0.1:$PORT/"

banner() {
  printf '\n%s' "$_bold"
  printf '  ┌─────────────────────────────────────────────────┐\n'
  printf '  │  Convscope: %-36s│\n' "$1"
  printf '  │  %-47s│\n' "$url"
  printf '  └─────────────────────────────────────────────────┘\n'
  printf '%s\n' "$_off"
}
banner "building, then serving at"

# Say it again, once the first build is up (the build scrolls the first banner away).
(
  for _ in $(seq 1 1800); do
    # Bash's own /dev/tcp: no curl needed. Trunk listens once the first build is done.
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      banner "ready: open this in your browser"
      exit 0
    fi
    sleep 1
  done
) &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT

# --release: the debug build trains about 70x slower than the figures in the README.
trunk serve --release --address 127.0.0.1 --port "$PORT" --public-url /
