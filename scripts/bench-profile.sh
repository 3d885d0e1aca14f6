#!/usr/bin/env bash
# Profiles benchmark (BENCHMARKS.md, "Profiles"): leakhound vs `panicparse -aggressive` on the
# bigdump debug=2 text, vs `go tool pprof -top` on the debug=0 and debug=1 forms; linear scaling
# over 10k/50k/200k goroutines; diff of two 200k snapshots; one debug=1 probe of a live 200k target. Wall time and peak RSS from
# /usr/bin/time, median of RUNS runs after a warm-up.
#
# Usage: bash scripts/bench-profile.sh [WORKDIR]   (default /tmp/bench-profile)
# Needs: go, cargo, /usr/bin/time; panicparse (`go install github.com/maruel/panicparse/v2@latest`)
# is optional and measured when on PATH or in ~/go/bin.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/bench-profile}"
runs="${RUNS:-5}"
mkdir -p "$work"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0
PATH="$PATH:$HOME/go/bin"

[ -x "$work/bigdump" ] || (cd "$repo/crates/leakhound_profile/tests/corpus/programs" && go build -trimpath -o "$work/bigdump" ./bigdump)
for n in 10000 50000 200000; do
  [ -s "$work/big$n.debug2.txt" ] && continue
  (cd "$work" && ./bigdump -n "$n" -out "big$n.debug2.txt" -debug1 "big$n.debug1.txt" -debug0 "big$n.debug0.pb.gz" >/dev/null 2>&1)
done
# A second 200k snapshot for diff: same program, another run.
[ -s "$work/big200000b.debug2.txt" ] || (cd "$work" && ./bigdump -n 200000 -out big200000b.debug2.txt >/dev/null 2>&1)

# LEAKHOUND=path/to/leakhound skips the build.
if [ -z "${LEAKHOUND:-}" ]; then
  cargo build --release -p leakhound_cli --manifest-path "$repo/Cargo.toml" >/dev/null 2>&1
fi
lh="${LEAKHOUND:-${CARGO_TARGET_DIR:-$repo/target}/release/leakhound}"

# median wall seconds and peak RSS (MB) of RUNS runs of a command, after one warm-up run.
measure() {
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
    cat "$work/time.txt"
  done | sort -n | awk -v n="$runs" '{w[NR]=$1; m[NR]=$2} END {printf "%.3f s  %.0f MB\n", w[int((n+1)/2)], m[int((n+1)/2)]/1024}'
}

printf '%-58s %s\n' "command" "median wall, peak RSS"
for n in 10000 50000 200000; do
  f="$work/big$n.debug2.txt"
  printf '%-58s %s\n' "leakhound profile big$n.debug2 ($(du -m "$f" | cut -f1) MB)" "$(measure "$lh" profile "$f" --fail-on never)"
done
f="$work/big200000.debug2.txt"
printf '%-58s %s\n' "leakhound profile --group-by stack big200000.debug2" "$(measure "$lh" profile "$f" --group-by stack --fail-on never)"
printf '%-58s %s\n' "leakhound profile --output-format json big200000.debug2" "$(measure "$lh" profile "$f" --output-format json --fail-on never)"
printf '%-58s %s\n' "leakhound diff big200000.debug2 big200000b.debug2" "$(measure "$lh" diff "$f" "$work/big200000b.debug2.txt" --fail-on never)"
if command -v panicparse >/dev/null; then
  printf '%-58s %s\n' "panicparse -aggressive big200000.debug2" "$(runs=3 measure panicparse -aggressive -no-color "$f")"
fi
printf '%-58s %s\n' "leakhound profile big200000.debug1" "$(measure "$lh" profile "$work/big200000.debug1.txt" --fail-on never)"
printf '%-58s %s\n' "leakhound profile big200000.debug0.pb.gz" "$(measure "$lh" profile "$work/big200000.debug0.pb.gz" --fail-on never)"
printf '%-58s %s\n' "go tool pprof -top big200000.debug0.pb.gz" "$(measure go tool pprof -top "$work/big200000.debug0.pb.gz")"
printf '%-58s %s\n' "go tool pprof -top big200000.debug1" "$(measure go tool pprof -top "$work/big200000.debug1.txt")"

# One debug=1 probe of a live 200k-goroutine target (bigdump -serve), against curl fetching the
# same profile: the difference is leakhound's own time. The target exits after 5 minutes.
(cd "$work" && exec ./bigdump -n 200000 -out big200000c.debug2.txt -serve 127.0.0.1:0 -lifetime 5m >"$work/serve.out" 2>/dev/null) &
target=$!
for _ in $(seq 1 600); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
addr="$(sed -n 's/^listening on http:\/\///p' "$work/serve.out")"
printf '%-58s %s\n' "leakhound profile ADDR (debug=1 probe, 200k live)" "$(measure "$lh" profile "$addr" --fail-on never)"
printf '%-58s %s\n' "curl ADDR/debug/pprof/goroutine?debug=1" "$(measure curl -s -o /dev/null "http://$addr/debug/pprof/goroutine?debug=1")"
kill "$target"
