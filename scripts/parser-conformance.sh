#!/usr/bin/env bash
# Compares leakhound_syntax with go/parser on every .go file under the given directories
# (default: $(go env GOROOT)/src). Prints the number of files, agreements and the first
# disagreements. Set GOTOOLCHAIN to check against another Go version.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/parser-conformance}
mkdir -p "$out"
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=("$(go env GOROOT)/src")
(cd "$here/crates/leakhound_syntax/tests/outline" && go build -o "$out/outline-go" .)
(cd "$here" && cargo build -q --release -p leakhound_syntax --example outline)
rust_bin=${CARGO_TARGET_DIR:-$here/target}/release/examples/outline
find "${dirs[@]}" -name '*.go' -type f | sort > "$out/files.txt"
"$out/outline-go" < "$out/files.txt" > "$out/go.txt"
"$rust_bin" < "$out/files.txt" > "$out/rust.txt"
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
def split(path):
    res, cur, name = {}, [], None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("== "):
            if name is not None: res[name] = "".join(cur)
            name, cur = line[3:].rstrip("\n"), []
        else:
            cur.append(line)
    if name is not None: res[name] = "".join(cur)
    return res
g, r = split(out + "/go.txt"), split(out + "/rust.txt")
bad = [n for n in g if g[n] != r.get(n)]
rej = sum(1 for n in g if g[n] == "ERROR\n")
print(f"files {len(g)}  go-rejected {rej}  agree {len(g)-len(bad)}  disagree {len(bad)}")
with open(out + "/disagree.txt", "w") as f:
    for n in bad:
        kind = "accept/reject" if (g[n] == "ERROR\n") != (r.get(n) == "ERROR\n") else "outline"
        st = lambda t: "ERROR" if t == "ERROR\n" else "ok"
        f.write(f"{kind} {n} go={st(g[n])} rust={st(r.get(n))}\n")
for line in open(out + "/disagree.txt").readlines()[:40]: print(line, end="")
PY
