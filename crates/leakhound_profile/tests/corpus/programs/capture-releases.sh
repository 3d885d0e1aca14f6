#!/usr/bin/env bash
# Captures the "waits" scenario (every wait kind at two user lines) with several Go releases,
# so that tests see each release's frame names without downloading toolchains.
#
# Usage: bash capture-releases.sh [VERSION...]   (default: 1.21.13 1.23.12 and the local go)
# Writes ../go<MAJOR.MINOR>/waits/ and its GO_VERSION. Toolchains other than the local one are
# fetched once by `GOTOOLCHAIN=goX.Y.Z go` from the module proxy. Loopback only; each program
# exits by itself.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
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
done
