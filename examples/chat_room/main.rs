//! The chat server: `cargo run --example chat_room [-- --port 6420]`.
//!
//! Serves the `chatRoom` actor of `chat.rs` beside this file and logs each connect, disconnect
//! and rejection on one line. Talk to it with `cargo run --example chat_client`, or with the
//! official TypeScript client.

// The actor, in this example's own source so that `cargo expand --example chat_room` shows what
// `#[actor]` generates for it. The library (`rivet_examples::chat`) includes the same file, for
// the chat client, the connections guide and the tests.
pub mod chat;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use rivet_core::Registry;

use crate::chat::ChatRoom;

/// Serves chat rooms.
#[derive(Parser)]
struct Args {
    /// The port to listen on.
    #[arg(long, default_value_t = 6420)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let colors = std::io::stdout().is_terminal();
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(colors)
        .init();
    let addr = format!("{}:{}", args.host, args.port);
    let server = match Registry::new()
        .register::<ChatRoom>()
        .start(addr.as_str())
        .await
    {
        Ok(server) => server,
        Err(error) => {
            eprintln!("chat_room: {error}");
            return ExitCode::FAILURE;
        }
    };
    // On Ctrl-C, close every connection properly (1001): clients see the server going away.
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}
