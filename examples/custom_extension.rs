//! A third-party extension beside permessage-deflate: `x-fnv-trailer` claims RSV2 and
//! appends a 4-byte FNV-1a hash of each data frame's payload, which the receiver checks.
//!
//! The list `(PerMessageDeflate, FnvTrailer)` puts deflate closest to the wire: on send,
//! hooks run in reverse list order, so the trailer is added to the plain payload and then
//! everything is compressed; on receive, deflate inflates first and the trailer extension
//! sees plain bytes, including those deflate appends when the frame ends.
//!
//! Run with `cargo run --example custom_extension`.

use bytes::{BufMut, BytesMut};
use wsproto::deflate::{DeflateConfig, PerMessageDeflate};
use wsproto::ext::{Extension, FrameContext, FrameRefused, OutboundFrame};
use wsproto::frame::{Header, RsvBits};
use wsproto::{Client, CloseReason, FrameProtocol, Server};

const TRAILER: usize = 4;

/// FNV-1a, 32 bits: tiny, and enough to catch corruption in an example.
fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}
const FNV_OFFSET: u32 = 0x811c_9dc5;

/// Appends and checks a hash trailer on data frames sent with RSV2.
#[derive(Debug, Default)]
pub struct FnvTrailer {
    enabled: bool,
    /// Whether the frame being received carries a trailer (RSV2 set).
    active: bool,
    /// The last bytes seen: they are the trailer if the frame ends now.
    tail: Vec<u8>,
    hash: u32,
}

impl FnvTrailer {
    /// An enabled extension.
    pub fn new() -> Self {
        FnvTrailer {
            enabled: true,
            ..Self::default()
        }
    }
}

impl Extension for FnvTrailer {
    const NAME: &'static str = "x-fnv-trailer";
    type Rsv = wsproto::rsv::Rsv2;

    fn enabled(&self) -> bool {
        self.enabled
    }

    fn offer(&mut self, _params: &mut String) -> bool {
        true // no parameters: the name alone
    }

    fn accept(&mut self, _offer: &str, _params: &mut String) -> bool {
        self.enabled = true;
        true
    }

    fn inbound_header(
        &mut self,
        _: &FrameContext,
        header: &Header,
    ) -> Result<RsvBits, FrameRefused> {
        if header.opcode.is_control() {
            self.active = false;
            // Control frames carry no trailer: RSV2 on one is a protocol error.
            return if header.rsv.rsv2 {
                Err(FrameRefused::new(
                    CloseReason::PROTOCOL_ERROR,
                    "RSV2 on a control frame, which carries no trailer",
                ))
            } else {
                Ok(RsvBits::NONE)
            };
        }
        self.active = header.rsv.rsv2;
        self.tail.clear();
        self.hash = FNV_OFFSET;
        Ok(if self.active {
            RsvBits::RSV2
        } else {
            RsvBits::NONE
        })
    }

    fn inbound_payload(
        &mut self,
        _: &FrameContext,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        if !self.active {
            return Ok(());
        }
        // Keep the last TRAILER bytes back: until the frame ends, they may be the trailer.
        let mut joined = BytesMut::with_capacity(self.tail.len() + payload.len());
        joined.put_slice(&self.tail);
        joined.put_slice(payload);
        let keep = joined.len().min(TRAILER);
        self.tail = joined.split_off(joined.len() - keep).to_vec();
        self.hash = fnv1a(self.hash, &joined);
        *payload = joined;
        Ok(())
    }

    fn inbound_complete(
        &mut self,
        _: &FrameContext,
        _fin: bool,
        _: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        // Bytes appended by an extension before us in the list (deflate's tail) went through
        // our inbound_payload already, so what is held back now must be the trailer.
        if !self.active || (self.tail.len() == TRAILER && self.tail[..] == self.hash.to_be_bytes())
        {
            return Ok(());
        }
        Err(FrameRefused::new(
            CloseReason::INVALID_FRAME_PAYLOAD_DATA,
            "the trailer does not match the payload's hash",
        ))
    }

    fn outbound(
        &mut self,
        _: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        if frame.opcode.is_control() {
            return Ok(());
        }
        let hash = fnv1a(FNV_OFFSET, &frame.payload);
        frame.payload.extend_from_slice(&hash.to_be_bytes());
        frame.rsv.rsv2 = true;
        Ok(())
    }
}

type Extensions = (PerMessageDeflate, FnvTrailer);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Negotiation, as the handshake layer runs it: offers, the server's answers, finalize.
    let mut client_ext = (
        PerMessageDeflate::new(DeflateConfig::default()),
        FnvTrailer::new(),
    );
    let mut server_ext = (
        PerMessageDeflate::new(DeflateConfig::default()),
        FnvTrailer::new(),
    );
    let mut deflate_offer = String::from(PerMessageDeflate::NAME);
    client_ext.0.offer(&mut deflate_offer);
    let mut deflate_answer = String::from(PerMessageDeflate::NAME);
    assert!(server_ext.0.accept(&deflate_offer, &mut deflate_answer));
    client_ext.0.finalize(&deflate_answer)?;
    let mut trailer_offer = String::from(FnvTrailer::NAME);
    client_ext.1.offer(&mut trailer_offer);
    assert!(server_ext.1.accept(&trailer_offer, &mut String::new()));
    println!("offered:  {deflate_offer}, {trailer_offer}");
    println!("accepted: {deflate_answer}, {}", FnvTrailer::NAME);

    let mut client = FrameProtocol::<Client, Extensions>::new(client_ext);
    let mut server = FrameProtocol::<Server, Extensions>::new(server_ext);
    println!("{client:?}");

    let message = "{\"event\": \"tick\", \"values\": [1, 2, 3, 4, 5, 6, 7, 8]} ".repeat(20);
    let mut wire = Vec::new();
    client.send_data_into(&message[..500], false, &mut wire)?;
    client.ping_into(b"between fragments", &mut wire)?;
    client.send_data_into(&message[500..], true, &mut wire)?;
    println!(
        "sent {} bytes of text as {} bytes on the wire; first header byte {:#04x} (FIN=0, RSV1 deflate, RSV2 trailer, TEXT)",
        message.len(),
        wire.len(),
        wire[0]
    );

    let mut received = String::new();
    for chunk in wire.chunks(7) {
        server.receive_bytes(chunk);
        for frame in server.received_frames() {
            let frame = frame?;
            if let Some(text) = frame.payload.as_text() {
                received.push_str(text);
            } else {
                println!("server got {frame}");
            }
        }
    }
    assert_eq!(received, message);
    println!("server got the {}-byte text back intact", received.len());

    // Corruption is caught: flip one byte of a compressed, trailer-checked frame.
    let mut fresh_server = FrameProtocol::<Server, Extensions>::new((
        PerMessageDeflate::negotiated(Default::default()),
        FnvTrailer::new(),
    ));
    let mut client = FrameProtocol::<Client, Extensions>::new((
        PerMessageDeflate::negotiated(Default::default()),
        FnvTrailer::new(),
    ));
    let mut wire = client.send_data("integrity matters", true)?;
    let last = wire.len() - 2;
    wire[last] ^= 0x01;
    fresh_server.receive_bytes(&wire);
    let error = fresh_server
        .received_frames()
        .find_map(Result::err)
        .ok_or("corruption went unnoticed")?;
    println!(
        "a corrupted frame fails with {}: {}",
        error.code(),
        error.message()
    );
    Ok(())
}
