#!/usr/bin/env bash
# Captures, with several Go releases, so that tests see each release's frame names without
# downloading toolchains:
# - the "waits" scenario (every wait kind at two user lines): waits/waits.debug{0,1,2};
# - the incident drill (crates/leakhound_cli/tests/goapps/drill: four leaks beside benign pools,
#   loaded by a second process): six debug=1 samples one second apart (drill/t0Ns.debug1.txt),
#   then one debug=2 snapshot (drill/t6s.debug2.txt), with the main.go it ran (drill/main.go.txt).
#
# Usage: bash capture-releases.sh [VERSION...]   (default: 1.21.13 1.23.12 and the local go)
# Writes ../go<MAJOR.MINOR>/{waits,drill}/ and GO_VERSION. Needs curl. Toolchains other than the local one are
# fetched once by `GOTOOLCHAIN=goX.Y.Z go` from the module proxy. Loopback only; each program
# exits by itself.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
goapps="$here/../../../../leakhound_cli/tests/goapps"
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.21.13 1.23.12 local)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=mod

for v in "${versions[@]}"; do
  if [ "$v" = local ]; then tc=local; else tc="go$v"; fi
  full="$(cd "$here" && GOTOOLCHAIN=$tc go env GOVERSION)"   # e.g. go1.23.12
  minor="$(echo "$full" | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  out="$here/../go$minor/waits"
  mkdir -p "$out"
  (cd "$here" && GOTOOLCHAIN=$tc go build -trimpath -o "$work/waits-$minor" ./waits)
  "$work/waits-$minor" "$out"
  echo "$(cd "$here" && GOTOOLCHAIN=$tc go version)" > "$here/../go$minor/GO_VERSION"
  echo "captured $full into $out"

  # The drill, built from a copy of the goapps module whose go line the release accepts.
  rm -rf "$work/goapps" && cp -r "$goapps" "$work/goapps"
  sed -i -E "s/^go [0-9.]+$/go $minor/" "$work/goapps/go.mod"
  (cd "$work/goapps" && GOTOOLCHAIN=$tc go build -trimpath -o "$work/drill-$minor" ./drill)
  out="$here/../go$minor/drill"
  mkdir -p "$out"
  cp "$goapps/drill/main.go" "$out/main.go.txt"
  "$work/drill-$minor" -rate 150 -load 20s -lifetime 15s > "$work/drill.out" &
  pid=$!
  for _ in $(seq 1 100); do grep -q listening "$work/drill.out" && break; sleep 0.1; done
  addr="$(sed -n 's/^listening on //p' "$work/drill.out")"
  sleep 1
  for t in 0 1 2 3 4 5; do
    curl -sf -o "$out/t${t}s.debug1.txt" "$addr/debug/pprof/goroutine?debug=1"
    sleep 1
  done
  curl -sf -o "$out/t6s.debug2.txt" "$addr/debug/pprof/goroutine?debug=2"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "captured the drill with $full into $out"
done
