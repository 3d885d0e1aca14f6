#!/usr/bin/env bash
# `leakhound check --fix` over a copy of GOROOT, then `go build` and `go vet` of every package
# whose files the fixes changed (vet type-checks the package's tests too): a fix that breaks
# compilation anywhere in the standard library or the go command fails this script.
#
# Usage: bash scripts/fix-goroot.sh [WORKDIR]   (default /tmp/fix-goroot; about 300 MB)
# Needs: go, cargo. LEAKHOUND=path/to/leakhound skips the build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/fix-goroot}"
goroot="$(go env GOROOT)"
export GOTOOLCHAIN=local GOFLAGS=

if [ -z "${LEAKHOUND:-}" ]; then
  cargo build --release -p leakhound_cli --manifest-path "$repo/Cargo.toml" >/dev/null 2>&1
fi
lh="${LEAKHOUND:-${CARGO_TARGET_DIR:-$repo/target}/release/leakhound}"

rm -rf "$work"
mkdir -p "$work"
cp -a "$goroot" "$work/go"
export GOROOT="$work/go" PATH="$work/go/bin:$PATH"

cd "$work/go/src"
"$lh" check --fix --exit-zero --output-format concise . > "$work/remaining.txt" 2> "$work/summary.txt" || true
cat "$work/summary.txt"

# Packages (directories) with a changed file, as import paths relative to src.
mapfile -t packages < <(diff -rq "$goroot/src" "$work/go/src" | awk '/^Files / {print $2}' \
  | sed "s|^$goroot/src/||" | xargs -r -n1 dirname | sort -u)
echo "changed packages: ${#packages[@]}"
[ ${#packages[@]} -gt 0 ] || exit 0
printf '  %s\n' "${packages[@]}"
for p in "${packages[@]}"; do
  go build "./$p"
done
go vet "${packages[@]/#/./}"
echo "every changed package builds and vets"
