# shellcheck shell=bash disable=SC2034
# Shared settings for scripts/*.sh: sourced, never run on its own (hence SC2034: the
# variables are used by the scripts that source it).

CONVSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONVSCOPE_ROOT

# Pinned tool versions. Trunk.toml pins the same wasm-bindgen and wasm-opt,
# Cargo.toml pins the wasm-bindgen crate (=0.2.129), tools/package.json binaryen 132.
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.129"
WASM_OPT_VERSION="132"
WASM_TARGET="wasm32-unknown-unknown"
MNIST_ASSET="www/data/mnist-10k.bin"

# cargo-installed tools, then the npm-pinned wasm-opt (binaryen) that Trunk uses offline.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$CONVSCOPE_ROOT/tools/node_modules/.bin:$PATH"

# Browser for the wasm-bindgen tests and the end-to-end tests (Debian's packages).
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ -t 1 ]; then
  _bold=$'\033[1m'; _red=$'\033[31m'; _green=$'\033[32m'; _yellow=$'\033[33m'; _off=$'\033[0m'
else
  _bold=""; _red=""; _green=""; _yellow=""; _off=""
fi

say()  { printf '%s==>%s %s\n' "$_bold" "$_off" "$*"; }
ok()   { printf '%s  ok%s %s\n' "$_green" "$_off" "$*"; }
warn() { printf '%swarning:%s %s\n' "$_yellow" "$_off" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$_red" "$_off" "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (not root and no sudo)"
  fi
}

# --locked when the lock file exists (it is committed on main).
cargo_locked_flag() {
  if [ -f "$CONVSCOPE_ROOT/Cargo.lock" ]; then echo "--locked"; fi
}
