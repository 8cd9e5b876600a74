//! A tiny HTTP/1.1 server on 127.0.0.1 that answers each request as a test scripts it: for
//! answers the sandbox org never gives (a field in a shape Genesys might send one day). One
//! request per connection (`Connection: close`); it stops when dropped.
//!
//! Standalone (tokio and serde_json only), so the CLI's tests include it too.

#![allow(dead_code)]

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// How a request is answered: its method and path (without the query) in, a status and a
/// JSON body out.
pub type Script = dyn Fn(&str, &str) -> (u16, serde_json::Value) + Send + Sync;

/// A running scripted server.
pub struct Loopback {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Serve `script` on a free port of 127.0.0.1.
    pub async fn serve(
        script: impl Fn(&str, &str) -> (u16, serde_json::Value) + Send + Sync + 'static,
    ) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script: Arc<Script> = Arc::new(script);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, script.clone()));
            }
        });
        Loopback { url, task }
    }

    /// The base URL (`http://127.0.0.1:PORT`), for the API and the login alike.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(mut stream: tokio::net::TcpStream, script: Arc<Script>) {
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
    let (status, body) = script(&method, &path);
    let body = body.to_string();
    let response = format!(
        "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         inin-correlation-id: loopback-{status}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
