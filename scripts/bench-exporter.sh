#!/usr/bin/env bash
# Exporter benchmark (BENCHMARKS.md, "Exporter"), everything on 127.0.0.1:
# 1. one probe of a 200,000-goroutine Go target (debug=1): the exporter's own
#    leakhound_probe_duration_seconds, against Go's time to write that profile (curl of the
#    target directly), and the same probe of the same profile served as a static file;
# 2. 100 concurrent scrapes of slow, trickling, endless and dead targets, ROUNDS times, while a
#    good target (the same profile as a static file, so that its own speed is not in the figure)
#    is probed every 0.5 s: every scrape must come back 200 within the probe
#    timeout, the good probes must succeed, the exporter must stay up; its peak RSS is reported.
#
# Usage: bash scripts/bench-exporter.sh [WORKDIR]   (default /tmp/bench-exporter)
# Needs: go, cargo, curl, python3.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/bench-exporter}"
runs="${RUNS:-21}"
rounds="${ROUNDS:-3}"
mkdir -p "$work/static/debug/pprof"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

(cd "$repo/scripts/exporter-bench" && go build -o "$work/targets" .)
if [ -z "${LEAKHOUND:-}" ]; then
  cargo build --release -p leakhound_cli --manifest-path "$repo/Cargo.toml" >/dev/null 2>&1
fi
lh="${LEAKHOUND:-${CARGO_TARGET_DIR:-$repo/target}/release/leakhound}"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# Starts a command that prints "listening on http://ADDR" into $work/NAME.out.
start() {
  local name="$1"; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
}
# Waits for NAME's address line and prints ADDR.
addr() {
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/$1.out" 2>/dev/null && break
    sleep 0.1
  done
  sed -n 's|^listening on http://||p' "$work/$1.out"
}
start targets "$work/targets" -n 200000 -slow 60s -lifetime 15m
start exporter "$lh" exporter --listen 127.0.0.1:0 --timeout 5s
epid="${pids[1]}"
target="$(addr targets)"
exporter="$(addr exporter)"
dead="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print("127.0.0.1:%d" % s.getsockname()[1])')"
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
probe_seconds() { curl -s "http://$exporter/probe?target=$1" | awk '/^leakhound_probe_duration_seconds/ {print $2}'; }

echo "== one probe of the 200k-goroutine target ($runs runs, medians)"
probe_seconds "$target" | grep -q . || { echo "probe failed"; exit 1; }
curl -s "http://$exporter/probe?target=$target" | grep -E '^leakhound_(goroutines_total|sites|profile_bytes|probe_success) '
for _ in $(seq "$runs"); do probe_seconds "$target"; done | median | sed 's/^/exporter probe (fetch + parse + group + render): /; s/$/ s/'
for _ in $(seq "$runs"); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://$target/debug/pprof/goroutine?debug=1"
done | median | sed 's/^/Go writing the debug=1 profile (curl of the target): /; s/$/ s/'
curl -s -o "$work/static/debug/pprof/goroutine" "http://$target/debug/pprof/goroutine?debug=1"
static_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$work/static" "$static_port" >/dev/null 2>&1 &
pids+=("$!")
sleep 1
for _ in $(seq "$runs"); do probe_seconds "127.0.0.1:$static_port"; done | median | sed 's/^/exporter probe of the same profile as a static file: /; s/$/ s/'

echo "== 100 concurrent scrapes of slow, trickling, endless and dead targets, $rounds rounds"
grep -E '^Vm(RSS|HWM)' "/proc/$epid/status" | tr -s ' \t' ' ' | sed 's/^/before: /'
urls="$work/storm.txt"
: >"$urls"
for i in $(seq 25); do
  echo "slow http://$exporter/probe?target=$target&path=/slow" >>"$urls"
  echo "trickle http://$exporter/probe?target=$target&path=/trickle" >>"$urls"
  echo "endless http://$exporter/probe?target=$target&path=/endless" >>"$urls"
  echo "dead http://$exporter/probe?target=$dead" >>"$urls"
done
: >"$work/storm.out"
: >"$work/good.out"
threads=0
for r in $(seq "$rounds"); do
  (for _ in $(seq 12); do
     curl -s -m 30 -w ' %{time_total}\n' "http://$exporter/probe?target=127.0.0.1:$static_port" |
       awk '/^leakhound_probe_success/ {s=$2} END {printf "%s", s} {t=$NF} END {print " " t}' >>"$work/good.out"
     sleep 0.5
   done) &
  good=$!
  xargs -P 100 -L 1 sh -c 'curl -s -m 30 -o /dev/null -w "$0 %{http_code} %{time_total}\n" "$1"' <"$urls" >>"$work/storm.out" &
  storm=$!
  sleep 1
  t="$(awk '/^Threads/ {print $2}' "/proc/$epid/status")"
  [ "$t" -gt "$threads" ] && threads="$t"
  wait "$storm" "$good"
done
awk '{n[$1]++; if ($2 == 200) ok[$1]++; if ($3 > max[$1]) max[$1] = $3}
     END {for (k in n) printf "%-8s %3d scrapes, %3d answered 200, slowest %.2f s\n", k, n[k], ok[k], max[k]}' "$work/storm.out" | sort
awk '{n++; if ($1 == 1) ok++; if ($2 > max) max = $2} END {printf "good probes during the storm: %d of %d succeeded, slowest %.2f s\n", ok, n, max}' "$work/good.out"
echo "exporter threads during the storm (peak sampled): $threads"
grep -E '^Vm(RSS|HWM)' "/proc/$epid/status" | tr -s ' \t' ' ' | sed 's/^/after: /'
kill -0 "$epid" && echo "exporter still running"
uptime
curl -s "http://$exporter/metrics" | grep -E '^leakhound_exporter_(probes_total|probe_failures_total|rejected_total)'
