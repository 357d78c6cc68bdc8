//! The happy path of the typed API, beside the fail cases: extensions with RSV claims of
//! their own (RSV2, RSV3, and RSV1 for permessage-deflate) make a list of three.
use wsproto::{Client, FrameProtocol, Opcode, Server};
use wsproto::ext::Extension;
use wsproto::frame::{MaskingKey, RsvBits, Unmasked, encode_frame};

struct UsesRsv2;
impl Extension for UsesRsv2 {
    const NAME: &'static str = "x-rsv2";
    type Rsv = wsproto::rsv::Rsv2;
    fn enabled(&self) -> bool {
        true
    }
}

struct UsesRsv3;
impl Extension for UsesRsv3 {
    const NAME: &'static str = "x-rsv3";
    type Rsv = wsproto::rsv::Rsv3;
    fn enabled(&self) -> bool {
        false
    }
}

fn main() {
    let mut out = Vec::new();
    let _three = FrameProtocol::<Server, (wsproto::deflate::PerMessageDeflate, UsesRsv2, UsesRsv3)>::new(
        (wsproto::deflate::PerMessageDeflate::default(), UsesRsv2, UsesRsv3),
    );
    let mut server = FrameProtocol::<Server, (UsesRsv2, UsesRsv3)>::new((UsesRsv2, UsesRsv3));
    let mut message = server.text_message().unwrap();
    message.fragment("a", &mut out).unwrap();
    message.ping(b"", &mut out).unwrap();
    message.finish("b", &mut out).unwrap();
    let mut message = server.binary_message().unwrap();
    message.finish(b"c", &mut out).unwrap();

    let _client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    encode_frame::<Client>(true, RsvBits::NONE, Opcode::Text, MaskingKey([1, 2, 3, 4]), b"x", &mut out);
    encode_frame::<Server>(true, RsvBits::NONE, Opcode::Text, Unmasked, b"x", &mut out);
}

/// The typed connection life: handshake, open, closing.
#[allow(dead_code)]
fn connection_life() -> Result<(), Box<dyn std::error::Error>> {
    use wsproto::CloseReason;
    use wsproto::connection::{ClientHandshake, ClientHandshakeOutcome, ServerHandshake, ServerHandshakeOutcome};
    use wsproto::events::{AcceptConnection, CloseConnection, Request};
    let (handshake, request) = ClientHandshake::new(Request::new("example.com", "/"), ())?;
    let ServerHandshakeOutcome::Requested(incoming) = ServerHandshake::new(()).receive_data(&request)? else {
        return Ok(());
    };
    let (mut server, answer) = incoming.accept(AcceptConnection::default())?;
    let ClientHandshakeOutcome::Accepted(mut client, _) = handshake.receive_data(&answer)? else {
        return Ok(());
    };
    server.receive_data(Some(&client.send_text("hello")?))?;
    // The event loop that answers as it goes: `next_event` borrows only for the call.
    while let Some(event) = server.next_event() {
        if let wsproto::Event::TextMessage(message) = event {
            client.receive_data(Some(&server.send_text(&message.data)?))?;
        }
    }
    let (mut closing, _bytes) = client.close(CloseConnection::new(CloseReason::NORMAL_CLOSURE))?;
    closing.receive_data(None)?;
    Ok(())
}
