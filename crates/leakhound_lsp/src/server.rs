//! The server's state and its loop. One thread does the work: a package check takes
//! milliseconds, so requests are answered in order. Messages are taken in batches (everything
//! the client has sent so far), which lets a `$/cancelRequest` cancel a request that is still
//! waiting, and lets a burst of keystrokes collapse into one check after the debounce delay.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use crossbeam_channel::RecvTimeoutError;
use leakhound_diagnostics::Diagnostic;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles,
    DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, HoverRequest, RegisterCapability, Request as _, Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeActionResponse,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Hover, HoverContents,
    HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};

use crate::actions;
use crate::analysis::{self, ClientOptions, PackageCheck, Settings, Trees};
use crate::convert::{self, Encoding, Text};

/// The default wait after a keystroke: long enough to take a burst of typing as one change.
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(30);

struct Document {
    uri: Url,
    version: i32,
    text: String,
}

/// What the last check of a package left for its open files: the findings and the texts they
/// were computed on, which code actions and hovers use.
#[derive(Default)]
struct Checked {
    diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    sources: HashMap<String, String>,
}

pub struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    settings: Settings,
    debounce: Duration,
    docs: HashMap<PathBuf, Document>,
    /// By package directory.
    checked: HashMap<PathBuf, Checked>,
    trees: Trees,
    /// Package directories waiting for their debounce deadline.
    pending: HashMap<PathBuf, Instant>,
    /// Problems already shown, so a broken `leakhound.toml` is not announced at every keystroke.
    shown: HashSet<String>,
    shutdown: bool,
}

/// Runs the server on `connection` until `exit`. Returns whether `shutdown` came first (the
/// process should then exit 0, and 1 otherwise).
pub fn serve(connection: &Connection) -> Result<bool> {
    let (id, params) = connection
        .initialize_start()
        .context("no initialize request")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("invalid initialize parameters")?;
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    let capabilities = ServerCapabilities {
        position_encoding: Some(if utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let result = lsp_types::InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "leakhound".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let options: ClientOptions = params
        .initialization_options
        .map(serde_json::from_value)
        .transpose()
        .unwrap_or_else(|err| {
            show(connection, format!("invalid initialization options: {err}"));
            None
        })
        .unwrap_or_default();
    let mut server = Server {
        connection,
        encoding: if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        },
        settings: Settings::default(),
        debounce: DEFAULT_DEBOUNCE,
        docs: HashMap::new(),
        checked: HashMap::new(),
        trees: Trees::default(),
        pending: HashMap::new(),
        shown: HashSet::new(),
        shutdown: false,
    };
    server.configure(&options);
    let watch = params
        .capabilities
        .workspace
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watch {
        server.watch_files();
    }
    server.run()
}

fn show(connection: &Connection, message: String) {
    let params = ShowMessageParams {
        typ: MessageType::WARNING,
        message: format!("leakhound: {message}"),
    };
    let _ = connection
        .sender
        .send(Notification::new(ShowMessage::METHOD.into(), params).into());
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn error_response(id: RequestId, code: ErrorCode, message: String) -> Response {
    Response::new_err(id, code as i32, message)
}

impl Server<'_> {
    fn configure(&mut self, options: &ClientOptions) {
        let (settings, problems) = Settings::from_options(options);
        self.settings = settings;
        self.debounce = options
            .debounce_ms
            .map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
        for problem in problems {
            self.problem(problem);
        }
    }

    fn problem(&mut self, message: String) {
        if self.shown.insert(message.clone()) {
            show(self.connection, message);
        }
    }

    fn send(&self, message: impl Into<Message>) {
        // The writer only goes away when the client has; the loop ends on the next receive.
        let _ = self.connection.sender.send(message.into());
    }

    /// Asks the client to report changes to Go files and to the files that configure a check.
    fn watch_files(&self) {
        let watchers = ["**/*.go", "**/go.mod", "**/leakhound.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.into()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "leakhound-watch".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        self.send(Request::new(
            RequestId::from("leakhound-watch".to_string()),
            RegisterCapability::METHOD.into(),
            RegistrationParams {
                registrations: vec![registration],
            },
        ));
    }

    fn run(&mut self) -> Result<bool> {
        loop {
            let first = match self.pending.values().min() {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return Ok(self.shutdown),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(self.shutdown),
                },
            };
            let batch: Vec<Message> = first
                .into_iter()
                .chain(self.connection.receiver.try_iter())
                .collect();
            let cancelled: HashSet<RequestId> = batch
                .iter()
                .filter_map(|m| match m {
                    Message::Notification(n) if n.method == Cancel::METHOD => {
                        serde_json::from_value::<lsp_types::CancelParams>(n.params.clone())
                            .ok()
                            .map(|p| match p.id {
                                lsp_types::NumberOrString::Number(n) => RequestId::from(n),
                                lsp_types::NumberOrString::String(s) => RequestId::from(s),
                            })
                    }
                    _ => None,
                })
                .collect();
            for message in batch {
                match message {
                    Message::Request(req) if cancelled.contains(&req.id) => self.send(
                        error_response(req.id, ErrorCode::RequestCanceled, "cancelled".into()),
                    ),
                    Message::Request(req) => {
                        let response = self.request(req);
                        self.send(response);
                    }
                    Message::Notification(n) if n.method == Exit::METHOD => {
                        return Ok(self.shutdown)
                    }
                    Message::Notification(n) => self.notification(n),
                    // Only our file-watch registration is answered; nothing waits for it.
                    Message::Response(_) => {}
                }
            }
            let now = Instant::now();
            let due: Vec<PathBuf> = self
                .pending
                .iter()
                .filter(|(_, deadline)| **deadline <= now)
                .map(|(dir, _)| dir.clone())
                .collect();
            for dir in due {
                self.check(&dir);
            }
        }
    }

    /// Answers one request; a panic in a handler becomes an error response, not a dead server.
    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if self.shutdown {
            return error_response(
                id,
                ErrorCode::InvalidRequest,
                "shutdown was requested".into(),
            );
        }
        let method = req.method.clone();
        match catch_unwind(AssertUnwindSafe(|| self.dispatch(req))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => error_response(id, code, message),
            Err(payload) => error_response(
                id,
                ErrorCode::InternalError,
                format!(
                    "leakhound panicked in {method}: {}",
                    panic_message(&*payload)
                ),
            ),
        }
    }

    fn dispatch(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        fn params<T: serde::de::DeserializeOwned>(req: Request) -> Result<T, (ErrorCode, String)> {
            serde_json::from_value(req.params)
                .map_err(|e| (ErrorCode::InvalidParams, format!("{}: {e}", req.method)))
        }
        let value = match req.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                serde_json::Value::Null
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = params(req)?;
                serde_json::to_value(self.code_actions(&p)).unwrap_or_default()
            }
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(req)?;
                serde_json::to_value(self.hover(&p)).unwrap_or_default()
            }
            other => {
                return Err((
                    ErrorCode::MethodNotFound,
                    format!("leakhound does not handle {other}"),
                ))
            }
        };
        Ok(value)
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.notify(n))) {
            self.problem(format!(
                "panicked in {method}: {}",
                panic_message(&*payload)
            ));
        }
    }

    fn notify(&mut self, n: Notification) {
        fn params<T: serde::de::DeserializeOwned>(n: Notification) -> Option<T> {
            serde_json::from_value(n.params).ok()
        }
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) else {
                    return;
                };
                let Ok(path) = p.text_document.uri.to_file_path() else {
                    return;
                };
                let dir = parent(&path);
                self.docs.insert(
                    path,
                    Document {
                        uri: p.text_document.uri,
                        version: p.text_document.version,
                        text: p.text_document.text,
                    },
                );
                // Due at once, but after the rest of the batch: files opened together are
                // checked together.
                self.pending.insert(dir, Instant::now());
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) else {
                    return;
                };
                let Ok(path) = p.text_document.uri.to_file_path() else {
                    return;
                };
                let encoding = self.encoding;
                let Some(doc) = self.docs.get_mut(&path) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let text = Text::new(&doc.text);
                            let start = text.offset(range.start, encoding);
                            let end = text.offset(range.end, encoding).max(start);
                            doc.text.replace_range(start..end, &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                self.pending
                    .insert(parent(&path), Instant::now() + self.debounce);
            }
            DidSaveTextDocument::METHOD => {
                if let Some(path) = params::<lsp_types::DidSaveTextDocumentParams>(n)
                    .and_then(|p| p.text_document.uri.to_file_path().ok())
                {
                    self.pending.insert(parent(&path), Instant::now());
                }
            }
            DidCloseTextDocument::METHOD => {
                let Some(path) = params::<lsp_types::DidCloseTextDocumentParams>(n)
                    .and_then(|p| p.text_document.uri.to_file_path().ok())
                else {
                    return;
                };
                if let Some(doc) = self.docs.remove(&path) {
                    self.publish(doc.uri, Vec::new(), None);
                }
                // The others in the package now see the file as it is on disk.
                let dir = parent(&path);
                if self.docs.keys().any(|p| parent(p) == dir) {
                    self.pending.insert(dir, Instant::now());
                } else {
                    self.checked.remove(&dir);
                    self.trees.forget(&dir);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Some(p) = params::<lsp_types::DidChangeWatchedFilesParams>(n) else {
                    return;
                };
                let paths: Vec<PathBuf> = p
                    .changes
                    .iter()
                    .filter_map(|c| c.uri.to_file_path().ok())
                    .collect();
                let settings_changed = paths.iter().any(|p| {
                    p.file_name()
                        .is_some_and(|n| n == "go.mod" || n == leakhound_config::CONFIG_FILE)
                });
                self.recheck(|dir| settings_changed || paths.iter().any(|p| parent(p) == dir));
            }
            DidChangeConfiguration::METHOD => {
                let options = params::<lsp_types::DidChangeConfigurationParams>(n)
                    .and_then(|p| p.settings.get("leakhound").cloned())
                    .and_then(|s| serde_json::from_value::<ClientOptions>(s).ok());
                if let Some(options) = options {
                    self.configure(&options);
                    self.recheck(|_| true);
                }
            }
            _ => {}
        }
    }

    /// Schedules a check of the open packages `which` selects.
    fn recheck(&mut self, which: impl Fn(&Path) -> bool) {
        let now = Instant::now();
        let dirs: HashSet<PathBuf> = self.docs.keys().map(|p| parent(p)).collect();
        for dir in dirs.into_iter().filter(|d| which(d)) {
            self.pending.insert(dir, now);
        }
    }

    /// Checks the package in `dir` now and publishes the findings of each of its open files.
    fn check(&mut self, dir: &Path) {
        self.pending.remove(dir);
        let open: HashMap<PathBuf, String> = self
            .docs
            .iter()
            .filter(|(path, _)| parent(path) == dir)
            .map(|(path, doc)| (path.clone(), doc.text.clone()))
            .collect();
        if open.is_empty() {
            return;
        }
        let (settings, trees) = (&self.settings, &mut self.trees);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            analysis::check_dir(dir, &open, settings, trees)
        }));
        let PackageCheck {
            mut diagnostics,
            sources,
            problems,
        } = match outcome {
            Ok(check) => check,
            Err(payload) => {
                // A tree may be what made it panic: parse the package afresh next time.
                self.trees.forget(dir);
                self.problem(format!(
                    "{}: the check panicked: {}",
                    dir.display(),
                    panic_message(&*payload)
                ));
                return;
            }
        };
        for problem in problems {
            self.problem(problem);
        }
        let mut checked = Checked::default();
        for path in open.keys() {
            let doc = &self.docs[path];
            let mut mine = diagnostics
                .remove(&analysis::filename(path))
                .unwrap_or_default();
            mine.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let text = Text::new(&doc.text);
            let shown = mine
                .iter()
                .map(|d| convert::diagnostic(d, &text, &sources, self.encoding))
                .collect();
            self.publish(doc.uri.clone(), shown, Some(doc.version));
            checked.diagnostics.insert(path.clone(), mine);
        }
        checked.sources = sources;
        self.checked.insert(dir.to_path_buf(), checked);
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.into(), params));
    }

    /// The open document at `uri` with up-to-date findings: a check still waiting for its
    /// debounce deadline runs first, so actions never edit text that has moved.
    fn current(&mut self, uri: &Url) -> Option<(PathBuf, &Document, &Checked)> {
        let path = uri.to_file_path().ok()?;
        let dir = parent(&path);
        if self.pending.contains_key(&dir) || !self.checked.contains_key(&dir) {
            self.check(&dir);
        }
        Some((path.clone(), self.docs.get(&path)?, self.checked.get(&dir)?))
    }

    fn code_actions(&mut self, p: &lsp_types::CodeActionParams) -> CodeActionResponse {
        let encoding = self.encoding;
        let Some((path, doc, checked)) = self.current(&p.text_document.uri) else {
            return Vec::new();
        };
        let request = actions::Request {
            uri: &doc.uri,
            text: &doc.text,
            diagnostics: checked.diagnostics.get(&path).map_or(&[], Vec::as_slice),
            first_line: p.range.start.line as usize + 1,
            last_line: p.range.end.line as usize + 1,
            only: p.context.only.as_deref(),
            encoding,
            sources: &checked.sources,
        };
        actions::code_actions(&request)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// The documentation of the rules whose findings cover the position.
    fn hover(&mut self, p: &lsp_types::HoverParams) -> Option<Hover> {
        let encoding = self.encoding;
        let position = &p.text_document_position_params;
        let (path, doc, checked) = self.current(&position.text_document.uri)?;
        let text = Text::new(&doc.text);
        let at = text.offset(position.position, encoding);
        let mut codes: Vec<&str> = checked
            .diagnostics
            .get(&path)?
            .iter()
            .filter(|d| d.start <= at && at <= d.end)
            .map(|d| d.code)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let docs: Vec<String> = codes
            .iter()
            .filter_map(|code| leakhound_rules::registry::find(code))
            .map(|rule| format!("# {} {}\n\n{}", rule.code, rule.name, rule.doc))
            .collect();
        (!docs.is_empty()).then(|| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: docs.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
