//! A chat on axum: `/` serves a small HTML page, `/ws` is the chat's WebSocket (every text
//! message goes to every connected browser), `/echo` echoes (the browser test uses it).
//! Each connection is split into a reader and a writer task; a browser that falls behind
//! skips what it missed instead of growing a queue.
//!
//! Run with `cargo run --manifest-path integrations/Cargo.toml --example chat`, then open
//! http://127.0.0.1:9005/ in two windows.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{Html, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use wsproto::Utf8Bytes;
use wsproto::deflate::PerMessageDeflate;
use wsproto::io::{Config, Message};
use wsproto_integrations::{HyperWebSocket, upgrade};

const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8"><title>wsproto chat</title>
<ul id="log"></ul>
<form id="form"><input id="text" autocomplete="off" autofocus><button>send</button></form>
<script>
const ws = new WebSocket(`ws://${location.host}/ws`);
const log = (line) => { const li = document.createElement("li"); li.textContent = line; document.getElementById("log").append(li); };
ws.onmessage = (event) => log(event.data);
ws.onclose = (event) => log(`closed: ${event.code}`);
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("text");
  ws.send(input.value);
  input.value = "";
};
</script>
"#;

/// The chat's routes; `room` carries every message to every connection.
pub fn app() -> Router {
    let (room, _) = broadcast::channel::<Utf8Bytes>(64);
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/ws", get(chat))
        .route("/echo", get(echo))
        .with_state(room)
}

/// Upgrades with permessage-deflate and runs `session` on the connection in its own task.
fn websocket<F, Fut>(request: Request, session: F) -> Response
where
    F: FnOnce(HyperWebSocket<(PerMessageDeflate,)>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let deflate = (PerMessageDeflate::default(),);
    let (response, websocket) = upgrade(request, deflate, Config::default());
    if let Some(websocket) = websocket {
        tokio::spawn(async move {
            if let Ok(ws) = websocket.await {
                session(ws).await;
            }
        });
    }
    response.map(Body::new)
}

async fn chat(State(room): State<broadcast::Sender<Utf8Bytes>>, request: Request) -> Response {
    websocket(request, move |ws| async move {
        let (mut reader, mut writer) = ws.split();
        let mut heard = room.subscribe();
        let speaking = tokio::spawn(async move {
            loop {
                match heard.recv().await {
                    Ok(text) => {
                        if writer.send(Message::Text(text)).await.is_err() {
                            break;
                        }
                    }
                    // Fell behind: skip what was missed rather than queue it.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        while let Some(Ok(message)) = reader.recv().await {
            if let Message::Text(text) = message {
                let _ = room.send(text);
            }
        }
        speaking.abort();
    })
}

async fn echo(request: Request) -> Response {
    websocket(request, |mut ws| async move {
        wsproto_integrations::echo(&mut ws).await;
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9005".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("chat on http://{}/", listener.local_addr()?);
    axum::serve(listener, app()).await
}
