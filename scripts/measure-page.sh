#!/usr/bin/env bash
# The page's user-facing performance figures, measured on the release build in headless
# Chromium (tests/page_metrics.rs): load size, time to ready, long tasks and pointer latency
# while training and drawing, training throughput with the live view on and off, and time to
# 98% test accuracy. Prints a table and writes target/page-metrics.json. Benchmark figures,
# not tests: nothing fails on a slow result. See docs/page-metrics.md.
#
# Usage: scripts/measure-page.sh [--build] [--dist DIR] [figure ...]
#   --build     rebuild the build first (it is built anyway when missing)
#   --dist DIR  build into / measure DIR instead of dist/ (so that a measurement of your own
#               does not read a dist/ someone else is rebuilding)
#   figure      load, interaction, throughput, accuracy (default: all)
# Environment: CONVSCOPE_METRICS_* (see tests/page_metrics.rs), CHROMEDRIVER, CHROMIUM;
# CONVSCOPE_E2E_TRACE=FILE records a Chromium trace (tests/e2e/browser.rs,
# scripts/trace-long-tasks.py).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONVSCOPE_ROOT"

PUBLIC_URL="/convscope/"
build=0
dist="$CONVSCOPE_ROOT/dist"
figures=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=1 ;;
    --dist)
      [ $# -ge 2 ] || die "--dist needs a directory"
      dist="$(realpath -m "$2")"
      shift
      ;;
    load | interaction | throughput | accuracy) figures+=("$1") ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (--build, --dist DIR, load, interaction, throughput, accuracy)" ;;
  esac
  shift
done

if [ "$build" -eq 1 ] || [ ! -f "$dist/index.html" ]; then
  say "trunk build --release --public-url $PUBLIC_URL --dist $dist"
  trunk build --release --public-url "$PUBLIC_URL" --dist "$dist"
  [ -f "$dist/index.html" ] || die "trunk build finished but $dist/index.html is missing"
fi
command -v gzip >/dev/null || die "gzip is needed for the load size"

if [ ${#figures[@]} -gt 0 ]; then
  CONVSCOPE_METRICS="$(IFS=,; echo "${figures[*]}")"
  export CONVSCOPE_METRICS
fi

locked="$(cargo_locked_flag)"
say "measuring (one browser at a time; takes several minutes)"
# shellcheck disable=SC2086
CONVSCOPE_DIST="$dist" CONVSCOPE_PUBLIC_URL="$PUBLIC_URL" \
  cargo test $locked --test page_metrics -- --ignored --nocapture --test-threads=1
ok "figures written to target/page-metrics.json"
