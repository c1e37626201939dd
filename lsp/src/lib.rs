//! # djust-lsp
//!
//! `djust lsp`: a language server (stdio, tower-lsp) for djust LiveViews and Django
//! templates. It runs beside the editor's HTML and Python servers and adds what they
//! cannot know:
//!
//! - diagnostics: every `djust check` rule, template syntax errors (E004), cross-file
//!   (editing a view re-checks the templates bound to it), on open and on change;
//! - completion: `dj-*` directives and modifiers, handler names in `dj-click="…"` from
//!   the LiveView bound to the template, state in `{{ }}` and `{% if %}`, tags, filters,
//!   template names;
//! - hover, go-to-definition, references of a handler across templates, document
//!   symbols, and quick fixes (the rules' fixes, "suppress with noqa", and "create
//!   template" on a LiveView's `template_name` that names no template).
//!
//! Analysis uses the analyzer's [`djust_analyzer::host::AnalysisHost`] (the same parse
//! and rules as `djust check`) on a background thread; `initialize` answers at once.
//! See `docs/architecture.md` and `lsp/README.md`.

#![warn(missing_docs)]

pub mod context;
pub mod create_template;
pub mod django;
pub mod features;
pub mod text;
pub mod world;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use text::Document;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};
use world::{Job, Shared};

/// The language server.
pub struct Backend {
    client: Client,
    docs: Mutex<HashMap<Url, Document>>,
    shared: Arc<Shared>,
    jobs: Mutex<Option<Sender<Job>>>,
    root: Mutex<Option<PathBuf>>,
    watch_dynamic: Mutex<bool>,
}

impl Backend {
    fn new(client: Client) -> Self {
        Backend {
            client,
            docs: Mutex::new(HashMap::new()),
            shared: Arc::new(Shared::default()),
            jobs: Mutex::new(None),
            root: Mutex::new(None),
            watch_dynamic: Mutex::new(false),
        }
    }

    fn send(&self, job: Job) {
        if let Ok(guard) = self.jobs.lock() {
            if let Some(tx) = guard.as_ref() {
                let _ = tx.send(job);
            }
        }
    }

    fn doc(&self, uri: &Url) -> Option<Document> {
        self.docs.lock().ok()?.get(uri).cloned()
    }

    /// The document and its path, for a request on `uri`.
    fn target(&self, uri: &Url) -> Option<(Document, PathBuf)> {
        let path = uri.to_file_path().ok()?;
        let doc = match self.doc(uri) {
            Some(d) => d,
            // Regular files only, and bounded: a request on a pipe must not block.
            None => Document::new(djust_analyzer::source::read_text(&path).ok()?, 0),
        };
        Some((doc, path))
    }
}

fn root_of(params: &InitializeParams) -> PathBuf {
    let from_folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| f.uri.to_file_path().ok());
    #[allow(deprecated)] // `rootUri` is still what many clients send.
    let from_root = params.root_uri.as_ref().and_then(|u| u.to_file_path().ok());
    from_folder
        .or(from_root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        if let Ok(mut r) = self.root.lock() {
            *r = Some(root_of(&params));
        }
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if let Ok(mut w) = self.watch_dynamic.lock() {
            *w = dynamic;
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "djust".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..TextDocumentSyncOptions::default()
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        [" ", "|", "\"", "'", "-", ".", "%", "{"]
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                    ..CompletionOptions::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..CodeActionOptions::default()
                })),
                ..ServerCapabilities::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let root = self
            .root
            .lock()
            .ok()
            .and_then(|r| r.clone())
            .unwrap_or_else(|| PathBuf::from("."));
        let (tx, rx) = std::sync::mpsc::channel();
        if let Ok(mut j) = self.jobs.lock() {
            *j = Some(tx);
        }
        // Open documents that arrived before the thread starts are sent again below.
        let open: Vec<(PathBuf, String)> = self
            .docs
            .lock()
            .map(|d| {
                d.iter()
                    .filter_map(|(u, doc)| Some((u.to_file_path().ok()?, doc.text.clone())))
                    .collect()
            })
            .unwrap_or_default();
        for (p, t) in open {
            self.send(Job::Overlay(p, Some(t)));
        }
        let client = self.client.clone();
        let shared = self.shared.clone();
        let rt = tokio::runtime::Handle::current();
        let spawned = std::thread::Builder::new()
            .name("djust-analysis".into())
            .spawn(move || world::run(root, rx, client, rt, shared));
        if let Err(e) = spawned {
            self.client
                .log_message(
                    MessageType::ERROR,
                    format!("djust: cannot start the analysis thread: {e}"),
                )
                .await;
        }
        let dynamic = self.watch_dynamic.lock().map(|w| *w).unwrap_or(false);
        if dynamic {
            let watchers = [
                "**/*.py",
                "**/*.html",
                "**/*.htm",
                "**/*.txt",
                "**/pyproject.toml",
            ]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "djust-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            let _ = self.client.register_capability(vec![registration]).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.send(Job::Stop);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        if let Ok(mut docs) = self.docs.lock() {
            docs.insert(d.uri.clone(), Document::new(d.text.clone(), d.version));
        }
        if let Ok(p) = d.uri.to_file_path() {
            self.send(Job::Overlay(p, Some(d.text)));
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let text = match self.docs.lock() {
            Ok(mut docs) => match docs.get_mut(&uri) {
                Some(doc) => {
                    doc.apply(params.content_changes, params.text_document.version);
                    Some(doc.text.clone())
                }
                None => None,
            },
            Err(_) => None,
        };
        if let (Some(text), Ok(p)) = (text, uri.to_file_path()) {
            self.send(Job::Overlay(p, Some(text)));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Ok(mut docs) = self.docs.lock() {
            docs.remove(&uri);
        }
        if let Ok(p) = uri.to_file_path() {
            self.send(Job::Overlay(p, None));
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Ok(p) = change.uri.to_file_path() {
                self.send(Job::Disk(p));
            }
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some((doc, path)) = self.target(&pos.text_document.uri) else {
            return Ok(None);
        };
        let snap = self.shared.snapshot();
        let items = features::completion(&snap, &doc, &path, pos.position);
        Ok((!items.is_empty()).then_some(CompletionResponse::Array(items)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some((doc, path)) = self.target(&pos.text_document.uri) else {
            return Ok(None);
        };
        Ok(features::hover(
            &self.shared.snapshot(),
            &doc,
            &path,
            pos.position,
        ))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let Some((doc, path)) = self.target(&pos.text_document.uri) else {
            return Ok(None);
        };
        let locs = features::definition(&self.shared.snapshot(), &doc, &path, pos.position);
        Ok(match locs.len() {
            0 => None,
            1 => locs.into_iter().next().map(GotoDefinitionResponse::Scalar),
            _ => Some(GotoDefinitionResponse::Array(locs)),
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let Some((doc, path)) = self.target(&pos.text_document.uri) else {
            return Ok(None);
        };
        let locs = features::references(
            &self.shared.snapshot(),
            &doc,
            &path,
            pos.position,
            params.context.include_declaration,
        );
        Ok((!locs.is_empty()).then_some(locs))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some((doc, path)) = self.target(&params.text_document.uri) else {
            return Ok(None);
        };
        let syms = features::symbols(&self.shared.snapshot(), &doc, &path);
        Ok(Some(DocumentSymbolResponse::Nested(syms)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let published = self
            .shared
            .actions
            .lock()
            .ok()
            .and_then(|a| a.get(&uri).cloned())
            .unwrap_or_default();
        let target = self.target(&uri);
        let out: Vec<CodeActionOrCommand> = features::actions::actions(
            &self.shared.snapshot(),
            &published,
            target.as_ref().map(|(doc, path)| (doc, path.as_path())),
            &uri,
            params.range,
        )
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect();
        Ok((!out.is_empty()).then_some(out))
    }
}

/// The service, plus a signal when the client sends `exit`.
struct ExitWatch<S> {
    inner: S,
    exited: Arc<tokio::sync::Notify>,
}

impl<S> tower_service::Service<tower_lsp::jsonrpc::Request> for ExitWatch<S>
where
    S: tower_service::Service<tower_lsp::jsonrpc::Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: tower_lsp::jsonrpc::Request) -> S::Future {
        let exit = req.method() == "exit";
        let fut = self.inner.call(req);
        if exit {
            self.exited.notify_one();
        }
        fut
    }
}

/// Serve the protocol on stdin/stdout until the client exits.
///
/// # Errors
/// The async runtime cannot start.
pub fn run_stdio() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (service, socket) = LspService::new(Backend::new);
        let exited = Arc::new(tokio::sync::Notify::new());
        let service = ExitWatch {
            inner: service,
            exited: exited.clone(),
        };
        // tower-lsp notices `exit` only when the next message arrives; end at once.
        tokio::select! {
            _ = Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service) => {}
            _ = exited.notified() => {}
        }
    });
    // After `exit` the stdin reader may still be blocked in a read the client never
    // ends (it keeps the pipe open): do not wait for it.
    rt.shutdown_background();
    Ok(())
}
