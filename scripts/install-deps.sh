#!/usr/bin/env bash
# Installs the Debian packages allot needs to build and test, skipping the
# ones already present so that `make run` on a ready machine costs nothing.
# Used by `make build/run/test` and by .ci/run. Needs root (or sudo).
# Then the pinned Node tools (package-lock.json), the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql-15 postgresql-client-15
  # The allocator of the server and the benchmarks (CMakeLists.txt says why).
  libjemalloc-dev
  # SHA-256 and random seeds of draws (src/core/digest.h) and webhook
  # signatures (src/webhooks/): OpenSSL's libcrypto; webhook delivery:
  # libcurl with OpenSSL (https); the openssl command checks both in tests.
  libcurl4-openssl-dev libssl-dev openssl
  # allot behind a connection pooler (tests/pg_blackbox/pgbouncer_test.cc).
  pgbouncer
  libgtest-dev libgmock-dev libbenchmark-dev
  curl
  # The Debian package's checks (tests/deb): dpkg-dev runs dpkg-shlibdeps for
  # CPack, lintian judges the package, systemd-analyze the unit.
  dpkg-dev lintian systemd
  # The OpenAPI linter, the contract test and the TypeScript client run on
  # Node (>= 20.19, the machine's nodejs package).
  nodejs
  # The dashboard's browser test (tests/browser) drives headless Chromium.
  chromium
  # The fuzzers (fuzz/): libFuzzer needs clang, and clang 14 cannot compile
  # libstdc++ 12's std::expected; clang 16 can (fuzz/CMakeLists.txt).
  clang-16 libclang-rt-16-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

bash scripts/install-node-tools.sh
