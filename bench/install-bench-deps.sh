#!/usr/bin/env bash
# Installs the Debian packages bench/compare.sh needs besides the build
# (scripts/install-deps.sh): the systems allot is compared with, jq to read
# results, gnuplot to draw the chart, wrk and perf. Kept apart on purpose: `make test`
# must not need any of them. Skips what is present; needs root (or sudo).
set -euo pipefail

packages=(
  redis-server redis-tools
  postgresql-15 postgresql-client-15
  gnuplot-nox jq
  # wrk: the lean HTTP load generator of every HTTP row (bench/wrk/*.lua);
  # linux-perf: to profile a server under that load (bench/README.md).
  wrk linux-perf curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-bench-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent in a fresh container.
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
