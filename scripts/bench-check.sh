#!/usr/bin/env bash
# Times `leakhound check` against its own parse-only floor (`--select E001`: discovery, read,
# parse, no rules) and against go vet -lostcancel and staticcheck SA1015, on the Go standard
# library and on fetched repositories under /tmp/corpus. Prints /usr/bin/time figures.
# Usage: scripts/bench-check.sh [runs]
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release -q -p leakhound_cli
bin=$PWD/target/release/leakhound
goroot=$(go env GOROOT)
time_it() { # label, command...
  local label=$1; shift
  for i in $(seq "$runs"); do
    /usr/bin/time -f "$label wall=%e user=%U sys=%S maxrss_kb=%M" "$@" >/dev/null 2>>/tmp/bench-check.err || true
    tail -n1 /tmp/bench-check.err
  done
}
for corpus in "$goroot/src" /tmp/corpus/prometheus /tmp/corpus/grpc-go /tmp/corpus/etcd /tmp/corpus/moby; do
  [ -d "$corpus" ] || continue
  echo "== $corpus: $(find "$corpus" -name '*.go' -not -path '*/testdata/*' | wc -l) files"
  for j in 1 2; do
    time_it "parse-only j$j" "$bin" check "$corpus" --include-vendor --exit-zero -q -j "$j" --select E001 --output-format concise
    time_it "check j$j" "$bin" check "$corpus" --include-vendor --exit-zero -q -j "$j" --output-format concise
  done
done
