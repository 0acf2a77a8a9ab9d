//! A tiny scripted WebSocket server on 127.0.0.1 for source tests (streaming APIs, Jetstream).
//!
//! Each accepted connection plays the next script in the list (the last one again when the list runs out):
//! send frames, pause, then drop the TCP connection abruptly, close politely, or hold the socket open.
//! The server records every handshake's request URI and headers so a test can assert on them.
// The handshake callback's signature is tungstenite's: its large `Err` is not ours to box.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

#[derive(Debug, Clone)]
pub enum Step {
    /// Refuse the handshake with this HTTP status (only as a script's first step).
    Refuse(u16),
    /// Send a text frame.
    Text(String),
    Sleep(Duration),
    /// Drop the connection without a close frame (a network failure).
    Drop,
    /// Send a close frame and end.
    Close,
    /// Keep the socket open (reading and ignoring client frames) until the server is dropped.
    Hold,
}

/// One handshake as the server saw it.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// Path and query, e.g. `/api/v1/streaming?stream=user`.
    pub uri: String,
    pub headers: Vec<(String, String)>,
}

impl Handshake {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct FakeWs {
    pub addr: SocketAddr,
    handshakes: Arc<Mutex<Vec<Handshake>>>,
    /// Text frames the clients sent, in order.
    received: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWs {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeWs {
    pub async fn start(scripts: Vec<Vec<Step>>) -> FakeWs {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (hs, rx) = (handshakes.clone(), received.clone());
        let task = tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let script = scripts
                    .get(n)
                    .or(scripts.last())
                    .cloned()
                    .unwrap_or_default();
                n += 1;
                let (hs, rx) = (hs.clone(), rx.clone());
                let refuse = match script.first() {
                    Some(Step::Refuse(status)) => Some(*status),
                    _ => None,
                };
                tokio::spawn(async move {
                    let callback = |req: &Request, resp: Response| {
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect();
                        hs.lock().unwrap().push(Handshake {
                            uri: req.uri().to_string(),
                            headers,
                        });
                        match refuse {
                            Some(status) => {
                                let mut refusal = ErrorResponse::new(None);
                                *refusal.status_mut() =
                                    StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
                                Err(refusal)
                            }
                            None => Ok(resp),
                        }
                    };
                    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await
                    else {
                        return;
                    };
                    for step in script {
                        match step {
                            Step::Refuse(_) => return,
                            Step::Text(t) => {
                                if ws.send(Message::text(t)).await.is_err() {
                                    return;
                                }
                            }
                            Step::Sleep(d) => tokio::time::sleep(d).await,
                            Step::Drop => return,
                            Step::Close => {
                                let _ = ws.close(None).await;
                                return;
                            }
                            Step::Hold => {
                                while let Some(Ok(msg)) = ws.next().await {
                                    if let Message::Text(t) = msg {
                                        rx.lock().unwrap().push(t.to_string());
                                    }
                                }
                                return;
                            }
                        }
                    }
                });
            }
        });
        FakeWs {
            addr,
            handshakes,
            received,
            task,
        }
    }

    /// `ws://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub fn handshakes(&self) -> Vec<Handshake> {
        self.handshakes.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.handshakes.lock().unwrap().len()
    }

    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}
