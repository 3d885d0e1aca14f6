#!/usr/bin/env python3
"""The "Language server" benchmark of BENCHMARKS.md: how long after a one-character edit the
editor gets fresh diagnostics from `leakhound server`.

The server runs pinned to one core (taskset), with `debounceMs: 0` so the figure is the check
itself plus the protocol round trip; the default 30 ms debounce adds to it in an editor. For each
package: open one file, then send CHANGES incremental edits (insert a space at the end of the
first line, then take it out again, ...) and time each from writing `didChange` to reading the
`publishDiagnostics` of that version (wall), and the server's CPU time per edit (user + system
from /proc, which a busy machine does not inflate). The first WARMUP edits are not counted.

Packages: a generated 300-file package (written under /tmp, never in the repository), the
bundled example `examples/orders`, and, if Go is installed, the standard library's `runtime`
(580 files) as a larger real package.

Usage: scripts/bench-lsp.py [CHANGES]
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "leakhound"
CHANGES = int(sys.argv[1]) if len(sys.argv) > 1 else 60
WARMUP = 5
GENERATED = Path("/tmp/leakhound-bench-lsp/pkg")

TEMPLATE = """
type Store{n} struct {{
\tmu      sync.Mutex
\titems   map[string]int
\tupdates chan int
}}

func (s *Store{n}) Put(key string, value int) {{
\ts.mu.Lock()
\tdefer s.mu.Unlock()
\ts.items[key] = value
}}

func (s *Store{n}) Get(key string) (int, bool) {{
\ts.mu.Lock()
\tdefer s.mu.Unlock()
\tv, ok := s.items[key]
\treturn v, ok
}}

func Worker{n}(ctx context.Context, in <-chan int, out chan<- int) {{
\tfor {{
\t\tselect {{
\t\tcase <-ctx.Done():
\t\t\treturn
\t\tcase v, ok := <-in:
\t\t\tif !ok {{
\t\t\t\treturn
\t\t\t}}
\t\t\tselect {{
\t\t\tcase out <- v * 2:
\t\t\tcase <-ctx.Done():
\t\t\t\treturn
\t\t\t}}
\t\t}}
\t}}
}}

func Fetch{n}(parent context.Context, s *Store{n}) (int, error) {{
\tctx, cancel := context.WithTimeout(parent, time.Second)
\tdefer cancel()
\tresult := make(chan int, 1)
\tgo func() {{
\t\tv, _ := s.Get("key")
\t\tresult <- v
\t}}()
\tselect {{
\tcase v := <-result:
\t\treturn v, nil
\tcase <-ctx.Done():
\t\treturn 0, ctx.Err()
\t}}
}}

func FanOut{n}(ctx context.Context, jobs []int, s *Store{n}) {{
\tvar wg sync.WaitGroup
\tfor i, job := range jobs {{
\t\twg.Add(1)
\t\tgo func(i, job int) {{
\t\t\tdefer wg.Done()
\t\t\ts.Put(fmt.Sprint(i), job)
\t\t}}(i, job)
\t}}
\twg.Wait()
}}

func Poll{n}(ctx context.Context, s *Store{n}) {{
\tticker := time.NewTicker(time.Second)
\tdefer ticker.Stop()
\tfor {{
\t\tselect {{
\t\tcase <-ctx.Done():
\t\t\treturn
\t\tcase <-ticker.C:
\t\t\tif v, ok := s.Get("key"); ok && v > 10 {{
\t\t\t\ts.Put("key", 0)
\t\t\t}}
\t\t}}
\t}}
}}
"""


def generate():
    if GENERATED.exists():
        shutil.rmtree(GENERATED)
    GENERATED.mkdir(parents=True)
    (GENERATED / "go.mod").write_text("module bench\n\ngo 1.22\n")
    for f in range(300):
        body = "".join(TEMPLATE.format(n=f"{f}_{k}") for k in range(3))
        (GENERATED / f"file{f:03}.go").write_text(
            'package bench\n\nimport (\n\t"context"\n\t"fmt"\n\t"sync"\n\t"time"\n)\n' + body
        )
    return GENERATED / "file150.go"


class Server:
    def __init__(self):
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", str(BIN), "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def send(self, message):
        body = json.dumps(dict(jsonrpc="2.0", **message)).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line == b"\r\n":
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def diagnostics(self, uri, version):
        while True:
            m = self.read()
            if (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            ):
                return m["params"]["diagnostics"]

    def cpu_seconds(self):
        """User plus system time of the server so far: unlike wall time, other processes on a
        busy machine do not inflate it."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def close(self):
        self.send(dict(id=99, method="shutdown"))
        while self.read().get("id") != 99:
            pass
        self.send(dict(method="exit"))
        self.proc.wait(timeout=10)


def measure(label, path):
    path = path.resolve()
    uri = path.as_uri()
    text = path.read_text()
    first = text.split("\n", 1)[0]
    files = len(list(path.parent.glob("*.go")))
    size = sum(p.stat().st_size for p in path.parent.glob("*.go"))
    server = Server()
    server.send(dict(id=1, method="initialize", params=dict(
        processId=None, rootUri=path.parent.as_uri(), capabilities={},
        initializationOptions=dict(debounceMs=0))))
    while server.read().get("id") != 1:
        pass
    server.send(dict(method="initialized", params={}))
    server.send(dict(method="textDocument/didOpen", params=dict(textDocument=dict(
        uri=uri, languageId="go", version=1, text=text))))
    found = len(server.diagnostics(uri, 1))
    times = []
    for version in range(2, CHANGES + WARMUP + 2):
        # Odd versions take the space out again, so the text never drifts.
        insert = version % 2 == 0
        change = dict(
            range=dict(start=dict(line=0, character=len(first)),
                       end=dict(line=0, character=len(first) + (0 if insert else 1))),
            text=" " if insert else "")
        if version == WARMUP + 2:
            cpu_before = server.cpu_seconds()
        start = time.perf_counter()
        server.send(dict(method="textDocument/didChange", params=dict(
            textDocument=dict(uri=uri, version=version), contentChanges=[change])))
        server.diagnostics(uri, version)
        if version >= WARMUP + 2:
            times.append((time.perf_counter() - start) * 1000)
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / len(times)
    rss = server.peak_rss_kib()
    server.close()
    times.sort()
    print(
        f"{label}: {files} files, {size / 1e6:.2f} MB, {found} findings in {path.name}; "
        f"{len(times)} edits: median {statistics.median(times):.1f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms; "
        f"server CPU {cpu_ms:.1f} ms per edit; "
        f"server peak RSS {rss / 1024:.0f} MiB"
    )


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "leakhound_cli"], cwd=ROOT, check=True)
    measure("generated package", generate())
    measure("examples/orders", ROOT / "examples" / "orders" / "order.go")
    if shutil.which("go"):
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
        measure("GOROOT/src/runtime", Path(goroot) / "src" / "runtime" / "proc.go")


if __name__ == "__main__":
    main()
