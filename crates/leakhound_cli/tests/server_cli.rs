//! `leakhound server` as editors run it: the binary over stdio, driven by raw protocol frames
//! (a body that is not JSON-RPC, shutdown and exit statuses) and by headless Neovim's built-in
//! LSP client on a scratch Go module (diagnostics, the LH201 quick fix, edits that add and remove
//! a leak).

mod tools;

use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use lsp_server::Message;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_leakhound");
const WAIT: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Message>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(BIN)
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            while let Ok(Some(m)) = Message::read(&mut stdout) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
        };
        server.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
        assert!(server.response(1)["result"]["capabilities"].is_object());
        server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        server
    }

    fn frame(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.frame(&message.to_string());
    }

    fn next(&self) -> Value {
        let m = self
            .messages
            .recv_timeout(WAIT)
            .expect("the server said nothing for 20 s");
        serde_json::to_value(m).unwrap()
    }

    fn response(&self, id: i64) -> Value {
        loop {
            let m = self.next();
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
        }
    }

    /// The exit status, waiting at most 20 s.
    fn status(mut self) -> i32 {
        drop(self.stdin);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap();
            }
            if Instant::now() > deadline {
                self.child.kill().unwrap();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_body_that_is_not_json_rpc_is_logged_and_the_session_goes_on() {
    let mut server = Server::start();
    server.frame("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": ");
    let log = server.next();
    assert_eq!(log["method"], "window/logMessage");
    assert!(log["params"]["message"]
        .as_str()
        .unwrap()
        .starts_with("leakhound: ignored a message that is not JSON-RPC"));
    server
        .send(json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": 7}));
    assert_eq!(server.response(3)["error"]["code"], -32602);
    server.send(json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}));
    assert_eq!(server.response(4)["result"], Value::Null);
    server.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(server.status(), 0);
}

#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let mut server = Server::start();
    server.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(server.status(), 1);
}

#[test]
fn neovim_shows_fixes_and_follows_edits() {
    if !tools::have("nvim", "--version") {
        return;
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp");
    let work = tempfile::tempdir().unwrap();
    let module = work.path().join("scratch");
    std::fs::create_dir(&module).unwrap();
    for name in ["go.mod", "fetch.go", "helper.go"] {
        std::fs::copy(here.join("scratch").join(name), module.join(name)).unwrap();
    }
    let out = work.path().join("steps.jsonl");
    let mut nvim = Command::new("nvim")
        .args(["--headless", "-u"])
        .arg(here.join("test_init.lua"))
        .arg("-c")
        .arg(format!("luafile {}", here.join("e2e.lua").display()))
        .env("LEAKHOUND_BIN", BIN)
        .env("LEAKHOUND_FILE", module.join("fetch.go"))
        .env("LEAKHOUND_OUT", &out)
        .env("XDG_CACHE_HOME", work.path())
        .env("XDG_STATE_HOME", work.path())
        .env("XDG_DATA_HOME", work.path())
        .env("XDG_CONFIG_HOME", work.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = nvim.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            nvim.kill().unwrap();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let steps: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let step = |name: &str| -> &Value {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("no step {name} (nvim {status}): {steps:#?}"))
    };
    assert!(status.success(), "nvim {status}: {steps:#?}");
    assert_eq!(
        step("open")["diagnostics"],
        json!([{"code": "LH201", "line": 9}])
    );
    let fixed = step("fixed");
    // The rule's own fix (its wording is the rule's), then the nolint comment.
    let titles: Vec<&str> = fixed["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles[0].starts_with("LH201: ") && !titles[0].contains("unsafe"),
        "{titles:?}"
    );
    assert_eq!(titles[1], "LH201: suppress with //nolint:LH201");
    let text = fixed["text"].as_str().unwrap();
    assert!(
        text.contains("\tctx, cancel := context.WithTimeout(parent, time.Second)\n\tdefer cancel()\n\treturn use(ctx)"),
        "{text}"
    );
    assert_eq!(step("after-fix")["diagnostics"], json!([]));
    let added = step("added");
    let first = added["first_new_line"].as_u64().unwrap();
    // The new function starts after a blank line; its defer is three lines further.
    assert_eq!(
        added["diagnostics"],
        json!([{"code": "LH202", "line": first + 3}])
    );
    assert_eq!(step("removed")["diagnostics"], json!([]));
    step("stopped");
}
