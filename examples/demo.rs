//! Builds frames, feeds them through a client and a server `FrameProtocol`, and prints what
//! each side sees: a tour of RFC 6455's framing in one run.
//!
//! Run with `cargo run --example demo`.

use wsproto::{Client, CloseReason, FrameProtocol, Role, Server};

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Feeds `wire` to `proto` in reads of `read_size` bytes and prints every frame.
fn deliver<R: Role>(name: &str, proto: &mut FrameProtocol<R>, wire: &[u8], read_size: usize) {
    for read in wire.chunks(read_size) {
        proto.receive_bytes(read);
        for result in proto.received_frames() {
            match result {
                Ok(frame) => println!("  {name} got  {frame}"),
                Err(error) => println!(
                    "  {name} must close with {}: {}",
                    error.code(),
                    error.message()
                ),
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Fixed keys so the printed bytes are the same on every run; the default is the OS CSPRNG.
    let mut client =
        FrameProtocol::<Client>::new(()).with_mask_key_source(|| [0x37, 0xfa, 0x21, 0x3d]);
    let mut server = FrameProtocol::<Server>::new(());

    println!("1. A client text frame is masked (RFC 6455 §5.3):");
    let wire = client.send_data("Hello", true)?;
    println!("  wire: {}", hex(&wire));
    deliver("server", &mut server, &wire, 64);

    println!("\n2. A fragmented message with a ping in the middle, read 3 bytes at a time:");
    let mut wire = Vec::new();
    let mut message = client.text_message()?;
    message.fragment("Grüße, ", &mut wire)?;
    message.ping(b"are you there?", &mut wire)?;
    message.finish("WebSocket 🌍", &mut wire)?;
    deliver("server", &mut server, &wire, 3);

    println!("\n3. A server frame is never masked (RFC 6455 §5.1):");
    let wire = server.send_data(&b"\x00\x01\x02"[..], true)?;
    println!("  wire: {}", hex(&wire));
    deliver("client", &mut client, &wire, 64);

    println!("\n4. Invalid UTF-8 is caught at the first bad byte, before the frame ends (§8.1):");
    let mut fresh = FrameProtocol::<Server>::new(());
    // Text frame of 20 bytes, masked with a zero key; 0xC3 0x28 is invalid.
    let mut wire = vec![0x81, 0x80 | 20, 0, 0, 0, 0];
    wire.extend_from_slice(b"ok \xc3\x28");
    deliver("server", &mut fresh, &wire, 64);

    println!(
        "\n5. Closing: the client sends 1000, the server sees the code and the reason (§5.5.1):"
    );
    let wire = client.close(Some(CloseReason::NORMAL_CLOSURE), Some("done"))?;
    println!("  wire: {}", hex(&wire));
    deliver("server", &mut server, &wire, 64);
    Ok(())
}
