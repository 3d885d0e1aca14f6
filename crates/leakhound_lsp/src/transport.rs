//! The stdio transport: lsp-server's framing and message types, but a body that is not a
//! JSON-RPC message is logged and skipped. lsp-server's own stdio transport stops reading at the
//! first such body, which would end the editor's session over one bad message; the framing has
//! consumed the whole body by then, so the stream is still in step and reading can go on.

use std::io::{self, Write};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{unbounded, Sender};
use lsp_server::{Connection, Message, Notification};
use lsp_types::notification::{Exit, LogMessage, Notification as _};
use lsp_types::{LogMessageParams, MessageType};

/// lsp-server's error text for a well-framed body that does not deserialise.
const MALFORMED_PAYLOAD: &str = "malformed LSP payload";

pub struct IoThreads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    pub fn join(self) -> io::Result<()> {
        for handle in [self.reader, self.writer] {
            handle
                .join()
                .map_err(|_| io::Error::other("an I/O thread panicked"))??;
        }
        Ok(())
    }
}

pub fn stdio() -> (Connection, IoThreads) {
    let (to_client, outgoing) = unbounded::<Message>();
    let (incoming, from_client) = unbounded::<Message>();
    let writer = thread::Builder::new()
        .name("leakhound-lsp-writer".into())
        .spawn(move || {
            let mut stdout = io::stdout().lock();
            for message in outgoing {
                message.write(&mut stdout)?;
            }
            stdout.flush()
        })
        .expect("cannot start the writer thread");
    let log = to_client.clone();
    let reader = thread::Builder::new()
        .name("leakhound-lsp-reader".into())
        .spawn(move || read_loop(&incoming, &log))
        .expect("cannot start the reader thread");
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    (connection, IoThreads { reader, writer })
}

fn read_loop(incoming: &Sender<Message>, log: &Sender<Message>) -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    loop {
        match Message::read(&mut stdin) {
            Ok(Some(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == Exit::METHOD);
                if incoming.send(message).is_err() || exit {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(err)
                if err.kind() == io::ErrorKind::InvalidData
                    && err.to_string().starts_with(MALFORMED_PAYLOAD) =>
            {
                let params = LogMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("leakhound: ignored a message that is not JSON-RPC: {err}"),
                };
                let _ = log.send(Notification::new(LogMessage::METHOD.into(), params).into());
            }
            Err(err) => return Err(err),
        }
    }
}
