#!/usr/bin/env bash
# Builds the Debian package from the build tree (cpack, as `make deb` does,
# into a directory of its own) and checks it the way Debian and systemd would:
#   - lintian reports no error;
#   - systemd-analyze verify finds nothing to say about allot.service, in a
#     root made of the extracted package (so /usr/bin/allot exists) plus this
#     machine's systemd units (the targets the unit names);
#   - TimeoutStopSec stays above allot's default --shutdown-grace-ms;
#   - the packaged /usr/bin/allot, extracted with dpkg -x, serves with the
#     packaged /etc/allot/allot.conf and answers GET /healthz.
# Where the Debian tools are missing it skips (exit 77), unless CI is set.
#
#   check_deb.sh BUILD_DIR
set -euo pipefail
build_dir=$(cd "$1" && pwd)

missing=()
for tool in cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze curl; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check_deb: skipped, missing: ${missing[*]} (scripts/install-deps.sh installs them)"
  if [ -n "${CI:-}" ]; then
    echo "check_deb: CI is set, so a missing tool is a failure"
    exit 1
  fi
  exit 77
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== cpack"
(cd "$build_dir" && cpack -G DEB -B "$work/out" > "$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
deb="$work/out/allot_${version}_amd64.deb"
[ -f "$deb" ] || { echo "check_deb: $deb was not made"; ls "$work/out"; exit 1; }
contents=$(dpkg-deb --contents "$deb")
echo "$contents"
for path in ./usr/bin/allot ./lib/systemd/system/allot.service ./etc/allot/allot.conf \
            ./usr/share/doc/allot/copyright ./usr/share/doc/allot/changelog.gz ./usr/share/doc/allot/README.md; do
  grep -q " $path\$" <<< "$contents" || { echo "check_deb: $path is not in the package"; exit 1; }
done
dpkg-deb --info "$deb" conffiles | grep -qx /etc/allot/allot.conf || { echo "check_deb: allot.conf is not a conffile"; exit 1; }

echo "== lintian"
# Exit status: non-zero on any error tag. Warnings and below are printed.
lintian --allow-root --fail-on error --display-info "$deb"

echo "== systemd-analyze verify"
root="$work/root"
dpkg -x "$deb" "$root"
unit="$root/lib/systemd/system/allot.service"
# The targets and units the unit refers to, from this machine; never the
# package's own unit, which must be the one checked.
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
# verify exits 0 on unknown keys and bad values, printing them: any output fails.
if ! verify_output=$(systemd-analyze verify --root="$root" /lib/systemd/system/allot.service 2>&1) \
   || [ -n "$verify_output" ]; then
  echo "$verify_output"
  echo "check_deb: systemd-analyze verify found problems in allot.service"
  exit 1
fi
for setting in DynamicUser=yes StateDirectory=allot NoNewPrivileges=yes ProtectSystem=strict \
               PrivateTmp=yes ProtectHome=yes Restart=on-failure "ExecStart=/usr/bin/allot serve --config /etc/allot/allot.conf"; do
  grep -qx "$setting" "$unit" || { echo "check_deb: allot.service lacks $setting"; exit 1; }
done
systemd-analyze security --offline=true --root="$root" /lib/systemd/system/allot.service 2>&1 | tail -1

echo "== TimeoutStopSec against --shutdown-grace-ms"
grace_ms=$("$root/usr/bin/allot" --help | sed -n '/--shutdown-grace-ms/,/default/s/.*default \([0-9]*\).*/\1/p' | head -1)
stop_s=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\?$/\1/p' "$unit")
[ -n "$grace_ms" ] && [ -n "$stop_s" ] || { echo "check_deb: cannot read the grace ($grace_ms) or TimeoutStopSec ($stop_s)"; exit 1; }
echo "shutdown grace ${grace_ms} ms, TimeoutStopSec ${stop_s} s"
if [ $((stop_s * 1000)) -le "$grace_ms" ]; then
  echo "check_deb: TimeoutStopSec must be above the shutdown grace, or systemd kills a stop in progress"
  exit 1
fi

echo "== the packaged binary serves"
# The packaged config file, with the listen address and database of this test
# (a flag beats the file).
"$root/usr/bin/allot" serve --config "$root/etc/allot/allot.conf" --listen 127.0.0.1:0 \
  --db "$work/allot.db" > "$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/serve.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2> /dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log"; echo "check_deb: the packaged allot did not start"; exit 1; }
health=$(curl -sS --max-time 5 "$url/healthz")
echo "GET $url/healthz: $health"
[ "$health" = '{"status":"ok"}' ] || { echo "check_deb: unexpected /healthz answer"; exit 1; }
kill -TERM "$server_pid"
wait "$server_pid" || { echo "check_deb: the packaged allot did not exit 0 on SIGTERM"; exit 1; }
server_pid=""
echo "check_deb: ok"
