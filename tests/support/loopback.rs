//! A tiny HTTP/1.1 server on 127.0.0.1 that answers as a test scripts it: for the answers the
//! sandbox org never gives (a field in a shape Genesys might send one day, a 408, a 500, a
//! redirect, rate-limit headers of another era). One request per connection
//! (`Connection: close`); it stops when dropped.
//!
//! Two ways to script it: [`Loopback::serve`] answers each request from its method and path;
//! [`Loopback::queued`] gives `/oauth/token` a token (after a short pause, noting how many
//! token requests it had at once) and every API request the next queued answer, then the
//! fallback, counting them.
//!
//! Standalone (tokio and serde_json only), so the CLI's tests include it too.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One answer: a status, extra headers and a body.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    /// A JSON answer with this status.
    pub fn json(status: u16, body: serde_json::Value) -> Canned {
        Canned {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// Genesys's error body for `status`, with its code and message.
    pub fn error(status: u16, code: &str, message: &str) -> Canned {
        Canned::json(
            status,
            serde_json::json!({"status": status, "code": code, "message": message}),
        )
    }

    /// The same answer with one more header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Canned {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// How a request is answered: its method and path (without the query) in, the answer out.
type Script = dyn Fn(&str, &str) -> Canned + Send + Sync;

/// What a queued server counts.
#[derive(Default)]
struct Counts {
    api_requests: AtomicUsize,
    /// Token requests being answered now, and the most there were at once.
    minting: Mutex<(usize, usize)>,
}

/// A running scripted server.
pub struct Loopback {
    url: String,
    counts: Arc<Counts>,
    queue: Arc<Mutex<VecDeque<Canned>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Serve `script` on a free port of 127.0.0.1: each request is answered with the status
    /// and JSON body it gives for the request's method and path.
    pub async fn serve(
        script: impl Fn(&str, &str) -> (u16, serde_json::Value) + Send + Sync + 'static,
    ) -> Loopback {
        let script = move |method: &str, path: &str| {
            let (status, body) = script(method, path);
            Canned::json(status, body)
        };
        Loopback::start(Arc::new(script), Arc::default(), Arc::default(), false).await
    }

    /// Serve a token to every `/oauth/token` request, and to every API request the next of
    /// `queue`, then `fallback` once the queue is spent.
    pub async fn queued(queue: Vec<Canned>, fallback: Canned) -> Loopback {
        let queue = Arc::new(Mutex::new(queue.into_iter().collect::<VecDeque<_>>()));
        let counts = Arc::<Counts>::default();
        let script = {
            let (queue, counts) = (queue.clone(), counts.clone());
            move |_: &str, path: &str| {
                if path == "/oauth/token" {
                    return Canned::json(
                        200,
                        serde_json::json!({"access_token": "scripted", "token_type": "bearer", "expires_in": 86399}),
                    );
                }
                counts.api_requests.fetch_add(1, Ordering::SeqCst);
                let next = queue.lock().unwrap().pop_front();
                next.unwrap_or_else(|| fallback.clone())
            }
        };
        Loopback::start(Arc::new(script), counts, queue, true).await
    }

    async fn start(
        script: Arc<Script>,
        counts: Arc<Counts>,
        queue: Arc<Mutex<VecDeque<Canned>>>,
        pause_tokens: bool,
    ) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = {
            let counts = counts.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(answer(stream, script.clone(), counts.clone(), pause_tokens));
                }
            })
        };
        Loopback {
            url,
            counts,
            queue,
            task,
        }
    }

    /// The base URL (`http://127.0.0.1:PORT`), for the API and the login alike.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// API requests a queued server answered so far (token requests aside).
    pub fn api_requests(&self) -> usize {
        self.counts.api_requests.load(Ordering::SeqCst)
    }

    /// Queued answers not used yet.
    pub fn unused(&self) -> usize {
        self.queue.lock().unwrap().len()
    }

    /// The most token requests a queued server was answering at once.
    pub fn most_tokens_minted_at_once(&self) -> usize {
        self.counts.minting.lock().unwrap().1
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    script: Arc<Script>,
    counts: Arc<Counts>,
    pause_tokens: bool,
) {
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("");
    let path = target.split('?').next().unwrap_or("").to_owned();
    let canned = script(&method, &path);
    if pause_tokens && path == "/oauth/token" {
        // Long enough for token requests sent together to overlap here.
        {
            let mut minting = counts.minting.lock().unwrap();
            minting.0 += 1;
            minting.1 = minting.1.max(minting.0);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        counts.minting.lock().unwrap().0 -= 1;
    }
    let mut response = format!(
        "HTTP/1.1 {} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         inin-correlation-id: scripted-correlation-id\r\nconnection: close\r\n",
        canned.status,
        canned.body.len()
    );
    for (name, value) in &canned.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.write_all(canned.body.as_bytes()).await;
    let _ = stream.shutdown().await;
}
