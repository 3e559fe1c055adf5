#!/usr/bin/env bash
# Installs the Node tools pinned in package-lock.json (the OpenAPI linter,
# the contract test's validator, the TypeScript client's generator and
# compiler) into node_modules/ with `npm ci`, only when the lockfile or a
# package.json changed since the last install, so a ready machine pays
# nothing. Called by scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci refuses a lockfile that disagrees with a package.json, so all of
# them decide whether node_modules/ is current.
inputs=(package-lock.json package.json)
for manifest in clients/*/package.json; do
  [ -f "$manifest" ] && inputs+=("$manifest")
done
stamp=node_modules/.allot-installed
wanted="$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  echo "install-node-tools: Node.js >= 20.19 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

echo "install-node-tools: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" > "$stamp"
