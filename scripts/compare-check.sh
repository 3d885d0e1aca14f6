#!/usr/bin/env bash
# Byte-for-byte comparison of `leakhound check --output-format json` between two binaries, on
# Go's standard library and on the fetched precision corpora (docs/precision.md): a refactor
# that must not change findings is checked with this. Vendored code is included: more code,
# more chances to see a difference.
# Usage: scripts/compare-check.sh OLD_BINARY NEW_BINARY [CORPUS_DIR]
#   CORPUS_DIR (default /tmp/corpus) holds checkouts named prometheus, grpc-go, etcd, moby;
#   missing ones are skipped and said so. Exit status 1 when any output differs.
set -euo pipefail
old=$1 new=$2 corpora=${3:-/tmp/corpus}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for dir in "$(go env GOROOT)/src" "$corpora/prometheus" "$corpora/grpc-go" "$corpora/etcd" "$corpora/moby"; do
  if [ ! -d "$dir" ]; then
    echo "skipped (missing): $dir"
    continue
  fi
  name=$(basename "$(dirname "$dir")")-$(basename "$dir")
  # Paths are printed relative to the current directory: run both from the same place.
  (cd "$dir" && "$old" check . --include-vendor --output-format json --exit-zero) >"$out/$name.old"
  (cd "$dir" && "$new" check . --include-vendor --output-format json --exit-zero) >"$out/$name.new"
  findings=$(grep -c '"code"' "$out/$name.new" || true)
  if cmp -s "$out/$name.old" "$out/$name.new"; then
    echo "identical: $dir ($findings findings, $(wc -c <"$out/$name.new") bytes)"
  else
    echo "DIFFERENT: $dir"
    diff <(grep -o '"code": *"[A-Z0-9]*"' "$out/$name.old" | sort | uniq -c) \
      <(grep -o '"code": *"[A-Z0-9]*"' "$out/$name.new" | sort | uniq -c) || true
    diff "$out/$name.old" "$out/$name.new" | head -n 40 || true
    status=1
  fi
done
exit $status
