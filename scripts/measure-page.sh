#!/usr/bin/env bash
# The page's user-facing performance figures, measured on the release build in headless
# Chromium (tests/page_metrics.rs): load size, time to ready, long tasks and pointer latency
# while training and drawing, training throughput with the live view on and off, and time to
# 98% test accuracy. Prints a table and writes target/page-metrics.json. Benchmark figures,
# not tests: nothing fails on a slow result. See docs/page-metrics.md.
#
# Usage: scripts/measure-page.sh [--build] [figure ...]
#   --build   rebuild dist/ first (it is built anyway when missing)
#   figure    load, interaction, throughput, accuracy (default: all)
# Environment: CONVSCOPE_METRICS_* (see tests/page_metrics.rs), CHROMEDRIVER, CHROMIUM.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONVSCOPE_ROOT"

PUBLIC_URL="/convscope/"
build=0
figures=()
for arg in "$@"; do
  case "$arg" in
    --build) build=1 ;;
    load | interaction | throughput | accuracy) figures+=("$arg") ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument '$arg' (--build, load, interaction, throughput, accuracy)" ;;
  esac
done

if [ "$build" -eq 1 ] || [ ! -f dist/index.html ]; then
  say "trunk build --release --public-url $PUBLIC_URL"
  trunk build --release --public-url "$PUBLIC_URL"
  [ -f dist/index.html ] || die "trunk build finished but dist/index.html is missing"
fi
command -v gzip >/dev/null || die "gzip is needed for the load size"

if [ ${#figures[@]} -gt 0 ]; then
  CONVSCOPE_METRICS="$(IFS=,; echo "${figures[*]}")"
  export CONVSCOPE_METRICS
fi

locked="$(cargo_locked_flag)"
say "measuring (one browser at a time; takes several minutes)"
# shellcheck disable=SC2086
CONVSCOPE_DIST="$CONVSCOPE_ROOT/dist" CONVSCOPE_PUBLIC_URL="$PUBLIC_URL" \
  cargo test $locked --test page_metrics -- --ignored --nocapture --test-threads=1
ok "figures written to target/page-metrics.json"
