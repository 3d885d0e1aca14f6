#!/usr/bin/env bash
# Parser throughput: leakhound_syntax (1 and 2 threads), go/parser (1 goroutine with
# GOMAXPROCS=1, 2 goroutines with GOMAXPROCS=2) and tree-sitter-go (1 thread) over every .go
# file under DIR (default GOROOT/src). Each command runs RUNS times (default 5) after a
# warm-up; prints wall seconds, user+sys CPU seconds and peak RSS of every run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$(go env GOROOT)/src}
runs=${RUNS:-5}
target=${CARGO_TARGET_DIR:-$here/target}
(cd "$here" && cargo build -q --release -p leakhound_syntax --example parse_all)
(cd "$here/crates/leakhound_syntax/benches/goparser" && go build -o "$target/goparserbench" .)
ours=$target/release/examples/parse_all
run() {
    local n=$1 name=$2; shift 2
    "$@" > /dev/null 2>&1 || true
    for _ in $(seq "$n"); do
        /usr/bin/time -f "%e %U %S %M" -o /tmp/parser-bench.time "$@" > /tmp/parser-bench.out 2>&1
        read -r wall user sys rss < /tmp/parser-bench.time
        printf '%-28s wall %6.2f s  cpu %6.2f s  rss %7d KB  | %s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$rss" "$(cat /tmp/parser-bench.out)"
    done
}
run "$runs" "leakhound_syntax 1 thread" "$ours" "$dir" 1
run "$runs" "leakhound_syntax 2 threads" "$ours" "$dir" 2
run "$runs" "go/parser 1 (GOMAXPROCS=1)" env GOMAXPROCS=1 "$target/goparserbench" "$dir" 1
run "$runs" "go/parser 2 (GOMAXPROCS=2)" env GOMAXPROCS=2 "$target/goparserbench" "$dir" 2
run "${TS_RUNS:-3}" "tree-sitter-go 1 thread" "$ours" "$dir" 1 --tree-sitter
