#!/usr/bin/env bash
# Every check Convscope has, in order, stopping at the first failure:
#   setup, fmt, clippy (native), clippy (wasm), native tests, wasm tests (headless Chromium),
#   release build under /convscope/, end-to-end tests (WebDriver against that build).
# Usage: scripts/test.sh [stage ...]   (default: all; setup always runs)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONVSCOPE_ROOT"

# The real pen-drawn digits live beside the repository (../shared/drawn-digits); a clone made
# elsewhere (CI clones into a temporary directory) finds them at the workplace's /work/shared.
if [ -z "${CONVSCOPE_DRAWN_DIGITS:-}" ]; then
  for d in "$CONVSCOPE_ROOT/../shared/drawn-digits" /work/shared/drawn-digits; do
    if [ -f "$d/pendigits-train-writers.json" ]; then
      export CONVSCOPE_DRAWN_DIGITS="$d/pendigits-train-writers.json"
      break
    fi
  done
fi

ALL_STAGES=(setup fmt clippy-native clippy-wasm test-native test-wasm build-release e2e)
PUBLIC_URL="/convscope/"

if [ $# -gt 0 ]; then
  wanted=(setup "$@")
  for s in "$@"; do
    case " ${ALL_STAGES[*]} " in
      *" $s "*) ;;
      *) die "unknown stage '$s' (stages: ${ALL_STAGES[*]})" ;;
    esac
  done
else
  wanted=("${ALL_STAGES[@]}")
fi

locked="$(cargo_locked_flag)"
# Word-split on purpose: empty when there is no Cargo.lock.
# shellcheck disable=SC2206
LOCKED=($locked)

stage_setup() { ./scripts/setup.sh; }
stage_fmt() { cargo fmt --all -- --check; }
stage_clippy-native() { cargo clippy "${LOCKED[@]}" --all-targets -- -D warnings; }
stage_clippy-wasm() {
  cargo clippy "${LOCKED[@]}" --target "$WASM_TARGET" --lib --bins -- -D warnings
}
stage_test-native() { cargo test "${LOCKED[@]}"; }
stage_test-wasm() {
  # wasm-bindgen-test-runner drives $CHROMEDRIVER headless; the browser flags are in
  # webdriver.json. Plain #[test]s and doctests report ok without running on wasm32.
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    cargo test "${LOCKED[@]}" --target "$WASM_TARGET" --tests
}
stage_build-release() {
  trunk build --release --public-url "$PUBLIC_URL"
  [ -f dist/index.html ] || die "trunk build finished but dist/index.html is missing"
}
stage_e2e() {
  [ -f dist/index.html ] || die "dist/ has no release build: run the build-release stage first"
  # One test at a time: each drives its own Chromium, and the training test needs the CPU.
  CONVSCOPE_DIST="$CONVSCOPE_ROOT/dist" CONVSCOPE_PUBLIC_URL="$PUBLIC_URL" \
    cargo test "${LOCKED[@]}" --test e2e -- --ignored --test-threads=1 --nocapture
}

names=()
times=()
results=()
total_start=$SECONDS

summary() {
  printf '\n%sTiming summary%s\n' "$_bold" "$_off"
  local i
  for i in "${!names[@]}"; do
    printf '  %-15s %6s s  %s\n' "${names[$i]}" "${times[$i]}" "${results[$i]}"
  done
  printf '  %-15s %6s s\n' "total" "$((SECONDS - total_start))"
}

stage_pid=""
stop() {
  if [ -n "$stage_pid" ]; then
    kill -TERM -- "-$stage_pid" 2>/dev/null || true
    wait "$stage_pid" 2>/dev/null || true
  fi
  printf '\nscripts/test.sh: interrupted (%s)\n' "$1" >&2
  exit "$2"
}
trap 'stop SIGINT 130' INT
trap 'stop SIGTERM 143' TERM

for s in "${ALL_STAGES[@]}"; do
  case " ${wanted[*]} " in *" $s "*) ;; *) continue ;; esac
  printf '\n%s━━━ stage: %s ━━━%s\n' "$_bold" "$s" "$_off"
  t0=$SECONDS
  # The stage runs in its own process group, so a TERM or Ctrl-C here stops all of it
  # (cargo, trunk, chromedriver), not just this script.
  set +e
  set -m
  ( set -e; "stage_$s" ) &
  stage_pid=$!
  set +m
  wait "$stage_pid"
  rc=$?
  stage_pid=""
  set -e
  names+=("$s")
  times+=("$((SECONDS - t0))")
  if [ $rc -ne 0 ]; then
    results+=("${_red}FAILED (exit $rc)${_off}")
    summary
    printf '\n%sscripts/test.sh: stage "%s" FAILED (exit %d); later stages not run.%s\n' \
      "$_red" "$s" "$rc" "$_off" >&2
    exit 1
  fi
  results+=("${_green}ok${_off}")
done

summary
printf '\n%sscripts/test.sh: all %d stages passed.%s\n' "$_green" "${#names[@]}" "$_off"
