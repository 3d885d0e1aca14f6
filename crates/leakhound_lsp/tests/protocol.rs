//! The server driven in-process over lsp-server's memory transport: diagnostics on open, change,
//! close and configuration change; code actions, hovers; cancellation, malformed requests,
//! shutdown and exit. (The stdio transport and a real editor are tested in the CLI crate.)

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::Url;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

const LEAKY: &str = "package scratch

import (
\t\"context\"
\t\"time\"
)

func Fetch(parent context.Context) error {
\tctx, _ := context.WithTimeout(parent, time.Second)
\treturn use(ctx)
}
";

const FIXED: &str = "package scratch

import (
\t\"context\"
\t\"time\"
)

func Fetch(parent context.Context) error {
\tctx, cancel := context.WithTimeout(parent, time.Second)
\tdefer cancel()
\treturn use(ctx)
}
";

const HELPER: &str = "package scratch

import \"context\"

func use(ctx context.Context) error { return ctx.Err() }
";

struct Client {
    conn: Connection,
    server: JoinHandle<anyhow::Result<bool>>,
    next: i32,
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module scratch\n\ngo 1.22\n").unwrap();
    // On disk the file is clean; the leak exists only in the editor's buffer.
    std::fs::write(dir.path().join("fetch.go"), FIXED).unwrap();
    std::fs::write(dir.path().join("helper.go"), HELPER).unwrap();
    dir
}

fn uri(path: &Path) -> Url {
    Url::from_file_path(path).unwrap()
}

fn notification(method: &str, params: Value) -> Message {
    Notification::new(method.into(), params).into()
}

/// Starts a server; `queued` is in its inbox before it runs, so it sees them in one batch.
fn start(root: &Path, options: Value, queued: Vec<Message>) -> Client {
    let (server, conn) = Connection::memory();
    let init = json!({
        "processId": null,
        "rootUri": uri(root),
        "capabilities": {},
        "initializationOptions": options,
    });
    conn.sender
        .send(Request::new(1.into(), "initialize".into(), init).into())
        .unwrap();
    conn.sender
        .send(notification("initialized", json!({})))
        .unwrap();
    for m in queued {
        conn.sender.send(m).unwrap();
    }
    let server = std::thread::spawn(move || leakhound_lsp::serve(&server));
    let client = Client {
        conn,
        server,
        next: 100,
    };
    let init = client.response(1.into());
    assert!(init.error.is_none(), "{init:?}");
    let caps = &init.result.unwrap()["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);
    client
}

impl Client {
    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(WAIT)
            .expect("the server said nothing for 20 s")
    }

    fn response(&self, id: RequestId) -> Response {
        loop {
            if let Message::Response(r) = self.recv() {
                if r.id == id {
                    return r;
                }
            }
        }
    }

    fn send(&self, m: Message) {
        self.conn.sender.send(m).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.send(Request::new(id.clone(), method.into(), params).into());
        self.response(id)
    }

    /// The next diagnostics published for `path`, as (code, 1-based line) pairs and in full.
    fn diagnostics(&self, path: &Path) -> (Vec<(String, u64)>, Value) {
        loop {
            if let Message::Notification(n) = self.recv() {
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == json!(uri(path))
                {
                    let found = n.params["diagnostics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| {
                            (
                                d["code"].as_str().unwrap().to_string(),
                                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                            )
                        })
                        .collect();
                    return (found, n.params);
                }
            }
        }
    }

    fn open(&self, path: &Path, text: &str) {
        self.send(notification(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "go", "version": 1, "text": text}}),
        ));
    }

    fn change(&self, path: &Path, version: i32, text: &str) {
        self.send(notification(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        ));
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.error.is_none(), "{r:?}");
        self.send(notification("exit", Value::Null));
        assert!(self.server.join().unwrap().unwrap(), "exit after shutdown");
    }
}

fn code(list: &[(String, u64)]) -> Vec<&str> {
    list.iter().map(|(c, _)| c.as_str()).collect()
}

#[test]
fn diagnostics_follow_the_unsaved_text_and_clear_when_fixed() {
    let dir = scratch();
    let file = dir.path().join("fetch.go");
    let mut client = start(dir.path(), json!({"debounceMs": 0}), vec![]);
    client.open(&file, LEAKY);
    let (found, params) = client.diagnostics(&file);
    assert_eq!(found, [("LH201".to_string(), 9)]);
    let d = &params["diagnostics"][0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "leakhound");
    assert_eq!(d["range"]["start"]["character"], 11);
    assert_eq!(
        d["codeDescription"]["href"],
        "https://leakhound.dev/rules/lost-cancel"
    );
    assert_eq!(params["version"], 1);

    client.change(&file, 2, FIXED);
    assert_eq!(client.diagnostics(&file).0, []);
    client.change(&file, 3, LEAKY);
    assert_eq!(code(&client.diagnostics(&file).0), ["LH201"]);

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 8, "character": 14}}),
    );
    let doc = hover.result.unwrap()["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        doc.starts_with("# LH201 lost-cancel") && doc.contains("## What it does"),
        "{doc}"
    );
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nothing.result, Some(Value::Null));

    client.send(notification(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&file)}}),
    ));
    assert_eq!(client.diagnostics(&file).0, []);
    client.shutdown();
}

#[test]
fn package_rules_see_the_other_files_on_disk() {
    let orders = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/orders")
        .canonicalize()
        .unwrap();
    let order = orders.join("order.go");
    let client = start(&orders, json!({}), vec![]);
    client.open(&order, &std::fs::read_to_string(&order).unwrap());
    let (found, params) = client.diagnostics(&order);
    assert_eq!(found, [("LH301".to_string(), 29)]);
    let related = &params["diagnostics"][0]["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        json!(uri(&orders.join("consumer.go")))
    );
    assert_eq!(related["location"]["range"]["start"]["line"], 18);
    assert!(related["message"]
        .as_str()
        .unwrap()
        .starts_with("ConsumeOrders stops waiting here"));
    client.shutdown();
}

#[test]
fn files_changed_on_disk_are_read_again() {
    let orders = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/orders");
    let dir = tempfile::tempdir().unwrap();
    for name in ["go.mod", "order.go", "consumer.go"] {
        std::fs::copy(orders.join(name), dir.path().join(name)).unwrap();
    }
    let (order, consumer) = (dir.path().join("order.go"), dir.path().join("consumer.go"));
    let client = start(dir.path(), json!({}), vec![]);
    client.open(&order, &std::fs::read_to_string(&order).unwrap());
    let related_line = |params: &Value| {
        params["diagnostics"][0]["relatedInformation"][0]["location"]["range"]["start"]["line"]
            .clone()
    };
    assert_eq!(related_line(&client.diagnostics(&order).1), 18);
    let text = std::fs::read_to_string(&consumer).unwrap();
    std::fs::write(&consumer, format!("// moved down a line\n{text}")).unwrap();
    client.send(notification(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&consumer), "type": 2}]}),
    ));
    assert_eq!(related_line(&client.diagnostics(&order).1), 19);
    client.shutdown();
}

#[test]
fn a_file_that_does_not_parse_still_gets_its_other_declarations_checked() {
    let dir = scratch();
    let file = dir.path().join("fetch.go");
    let client = start(dir.path(), json!({}), vec![]);
    client.open(&file, &format!("{LEAKY}\nfunc Broken( {{\n"));
    let (found, _) = client.diagnostics(&file);
    assert!(found.contains(&("LH201".to_string(), 9)), "{found:?}");
    assert!(found.iter().any(|(c, _)| c == "E001"), "{found:?}");
    client.shutdown();
}

#[test]
fn code_actions_offer_the_fix_a_nolint_comment_and_fix_all() {
    let dir = scratch();
    let file = dir.path().join("fetch.go");
    let mut client = start(dir.path(), json!({}), vec![]);
    client.open(&file, LEAKY);
    client.diagnostics(&file);
    let at_leak = json!({
        "textDocument": {"uri": uri(&file)},
        "range": {"start": {"line": 8, "character": 1}, "end": {"line": 8, "character": 1}},
        "context": {"diagnostics": []},
    });
    let actions = client.request("textDocument/codeAction", at_leak.clone());
    let actions = actions.result.unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[0].starts_with("LH201: "), "{titles:?}");
    assert_eq!(titles[1], "LH201: suppress with //nolint:LH201");
    assert!(titles[2].starts_with("leakhound: apply every safe fix"));
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "LH201");
    let edits = fix["edit"]["changes"][uri(&file).as_str()]
        .as_array()
        .unwrap();
    assert_eq!(apply(LEAKY, edits), FIXED);
    let nolint = actions[1]["edit"]["changes"][uri(&file).as_str()]
        .as_array()
        .unwrap();
    assert!(apply(LEAKY, nolint)
        .contains("ctx, _ := context.WithTimeout(parent, time.Second) //nolint:LH201\n"));
    assert_eq!(actions[2]["kind"], "source.fixAll.leakhound");

    // `only` narrows by kind, hierarchically; elsewhere in the file only fix-all applies.
    let mut only = at_leak.clone();
    only["context"]["only"] = json!(["source.fixAll"]);
    let r = client
        .request("textDocument/codeAction", only)
        .result
        .unwrap();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["kind"], "source.fixAll.leakhound");
    let mut elsewhere = at_leak;
    elsewhere["range"] =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}});
    let r = client
        .request("textDocument/codeAction", elsewhere)
        .result
        .unwrap();
    assert_eq!(r.as_array().unwrap().len(), 1);

    // A line that ends in a comment gets the nolint comment on a line of its own.
    let commented = LEAKY.replace("time.Second)\n", "time.Second) // why\n");
    client.change(&file, 2, &commented);
    let r = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(&file)},
                "range": {"start": {"line": 8, "character": 1}, "end": {"line": 8, "character": 1}},
                "context": {"diagnostics": [], "only": ["quickfix"]},
            }),
        )
        .result
        .unwrap();
    let nolint = r[1]["edit"]["changes"][uri(&file).as_str()]
        .as_array()
        .unwrap();
    assert!(apply(&commented, nolint).contains(
        "\t//nolint:LH201\n\tctx, _ := context.WithTimeout(parent, time.Second) // why\n"
    ));
    client.shutdown();
}

/// Applies LSP text edits (ASCII text: characters are bytes) from the last to the first.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = usize::try_from(p["line"].as_u64().unwrap()).unwrap();
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + usize::try_from(p["character"].as_u64().unwrap()).unwrap()
    };
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_string();
    for (start, end, new) in ranges {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn configuration_comes_from_the_client_and_from_leakhound_toml() {
    let dir = scratch();
    let file = dir.path().join("fetch.go");
    // An explicit selection from the editor replaces the default.
    let client = start(dir.path(), json!({"select": ["LH1"]}), vec![]);
    client.open(&file, LEAKY);
    assert_eq!(client.diagnostics(&file).0, []);
    client.shutdown();

    let client = start(dir.path(), json!({"debounceMs": 0}), vec![]);
    client.open(&file, LEAKY);
    assert_eq!(code(&client.diagnostics(&file).0), ["LH201"]);
    let config = dir.path().join("leakhound.toml");
    std::fs::write(&config, "ignore = [\"lost-cancel\"]\n").unwrap();
    let watched = |path: &Path| {
        notification(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(path), "type": 2}]}),
        )
    };
    client.send(watched(&config));
    assert_eq!(client.diagnostics(&file).0, []);
    // A broken config is shown once and the check goes on with the defaults.
    std::fs::write(&config, "ignore = [\"LH999\"]\n").unwrap();
    client.send(watched(&config));
    loop {
        if let Message::Notification(n) = client.recv() {
            if n.method == "window/showMessage" {
                let text = n.params["message"].as_str().unwrap();
                assert!(text.contains("leakhound.toml: invalid ignore"), "{text}");
                break;
            }
        }
    }
    assert_eq!(code(&client.diagnostics(&file).0), ["LH201"]);
    // Settings changed in the editor apply at once.
    client.send(notification(
        "workspace/didChangeConfiguration",
        json!({"settings": {"leakhound": {"ignore": ["LH2"]}}}),
    ));
    assert_eq!(client.diagnostics(&file).0, []);
    client.shutdown();
}

#[test]
fn the_go_version_comes_from_go_mod_and_follows_its_changes() {
    let dir = scratch();
    let file = dir.path().join("poll.go");
    let poll = "package scratch\n\nimport \"time\"\n\nfunc Poll(stop chan bool) {\n\tfor {\n\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn\n\t\tcase <-time.Tick(time.Second):\n\t\t}\n\t}\n}\n";
    let client = start(dir.path(), json!({}), vec![]);
    client.open(&file, poll);
    // go 1.22: a ticker that is never stopped is never collected.
    assert_eq!(code(&client.diagnostics(&file).0), ["LH102"]);
    let gomod = dir.path().join("go.mod");
    std::fs::write(&gomod, "module scratch\n\ngo 1.23\n").unwrap();
    client.send(notification(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&gomod), "type": 2}]}),
    ));
    assert_eq!(client.diagnostics(&file).0, []);
    client.shutdown();
}

#[test]
fn a_request_cancelled_while_it_waits_is_answered_as_cancelled() {
    let dir = scratch();
    let file = dir.path().join("fetch.go");
    let hover = |id: i32| -> Message {
        Request::new(
            id.into(),
            "textDocument/hover".into(),
            json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 8, "character": 14}}),
        )
        .into()
    };
    let queued = vec![
        hover(7),
        hover(8),
        notification("$/cancelRequest", json!({"id": 7})),
    ];
    let client = start(dir.path(), json!({}), queued);
    let cancelled = client.response(7.into());
    assert_eq!(cancelled.error.unwrap().code, -32800);
    let answered = client.response(8.into());
    assert!(answered.error.is_none(), "{answered:?}");
    // Cancelling a request already answered changes nothing.
    client.send(notification("$/cancelRequest", json!({"id": 8})));
    client.shutdown();
}

#[test]
fn malformed_and_unknown_requests_get_errors_and_the_server_goes_on() {
    let dir = scratch();
    let mut client = start(dir.path(), json!({}), vec![]);
    let bad = client.request("textDocument/codeAction", json!({"textDocument": 42}));
    let err = bad.error.unwrap();
    assert_eq!(err.code, -32602);
    assert!(
        err.message.starts_with("textDocument/codeAction: "),
        "{err:?}"
    );
    let unknown = client.request("textDocument/formatting", json!({}));
    assert_eq!(unknown.error.unwrap().code, -32601);
    // Notifications with bad parameters are dropped without an answer; the server still works.
    client.send(notification(
        "textDocument/didOpen",
        json!({"textDocument": 1}),
    ));
    let file = dir.path().join("fetch.go");
    client.open(&file, LEAKY);
    assert_eq!(code(&client.diagnostics(&file).0), ["LH201"]);

    let r = client.request("shutdown", Value::Null);
    assert!(r.error.is_none());
    let after = client.request("textDocument/hover", json!({}));
    assert_eq!(after.error.unwrap().code, -32600);
    client.send(notification("exit", Value::Null));
    assert!(client.server.join().unwrap().unwrap());
}

#[test]
fn exit_without_shutdown_is_reported() {
    let dir = scratch();
    let client = start(dir.path(), json!({}), vec![]);
    client.send(notification("exit", Value::Null));
    assert!(!client.server.join().unwrap().unwrap());
}
