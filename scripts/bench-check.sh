#!/usr/bin/env bash
# The "Check" benchmarks of BENCHMARKS.md, with /usr/bin/time (wall seconds, peak RSS):
#  - leakhound check vs its parse-only floor (`--select E001`: discovery, read, parse, E001)
#    at 1 and 2 threads, on the Go standard library and on fetched repositories under
#    /tmp/corpus (checked out there, never in the repository);
#  - go vet -lostcancel std and staticcheck -checks SA1015 std, with a warm build cache and a
#    cold one (a fresh GOCACHE / staticcheck cache directory, so nothing else is disturbed).
# Usage: scripts/bench-check.sh [runs]
#   CORPUS_DIR=/tmp/corpus (where moby and prometheus are checked out); PEERS=0 skips go vet
#   and staticcheck (their cold runs take minutes).
set -euo pipefail
runs=${1:-5}
corpora=${CORPUS_DIR:-/tmp/corpus}
cd "$(dirname "$0")/.."
cargo build --release -q -p leakhound_cli
bin=$PWD/target/release/leakhound
goroot=$(go env GOROOT)
measure() { # label, command...
  local label=$1; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "$label wall=%e s peak=%M KB" "$@" >/dev/null 2>/tmp/bench-check.last || true
    tail -n1 /tmp/bench-check.last
  done
}
for corpus in "$goroot/src" "$corpora/moby" "$corpora/prometheus"; do
  [ -d "$corpus" ] || continue
  files=$(find "$corpus" -name '*.go' -not -path '*/testdata/*' | wc -l)
  lines=$(find "$corpus" -name '*.go' -not -path '*/testdata/*' -exec cat {} + | wc -l)
  echo "== $corpus: $files files, $lines lines"
  for j in 1 2; do
    measure "parse-only -j$j" "$bin" check "$corpus" --include-vendor --exit-zero -q -j "$j" --select E001 --output-format concise
    measure "check -j$j" "$bin" check "$corpus" --include-vendor --exit-zero -q -j "$j" --output-format concise
  done
done
[ "${PEERS:-1}" = 0 ] && exit 0
cd "$goroot/src"
measure "go vet -lostcancel std (warm)" go vet -lostcancel std
# A warm build cache but vet's own results not replayed: a flag value vet has not seen makes a
# new action ID, so every package is analysed again (the flag tunes printf, which is not run).
for i in $(seq "$runs"); do
  /usr/bin/time -f "go vet -lostcancel std (warm build cache, analysis re-run) wall=%e s peak=%M KB" go vet -lostcancel -printf.funcs="leakhoundbench$RANDOM$i" std >/dev/null 2>/tmp/bench-check.last || true
  tail -n1 /tmp/bench-check.last
done
measure "staticcheck -checks SA1015 std (warm)" staticcheck -checks SA1015 std
cold=$(mktemp -d)
/usr/bin/time -f "go vet -lostcancel std (cold) wall=%e s peak=%M KB" env GOCACHE="$cold/go" go vet -lostcancel std >/dev/null 2>/tmp/bench-check.last || true
tail -n1 /tmp/bench-check.last
/usr/bin/time -f "staticcheck -checks SA1015 std (cold) wall=%e s peak=%M KB" env GOCACHE="$cold/go2" XDG_CACHE_HOME="$cold/xdg" staticcheck -checks SA1015 std >/dev/null 2>/tmp/bench-check.last || true
tail -n1 /tmp/bench-check.last
rm -rf "$cold"
