//! A small extension that claims RSV2, appends a checksum byte to each data frame and XORs
//! the payload, exercising every hook of `Extension` through `FrameProtocol`.

use std::sync::{Arc, Mutex};

use bytes::{BufMut, BytesMut};
use wsproto::ext::{Extension, ExtensionError, FrameContext, FrameRefused, OutboundFrame};
use wsproto::frame::{Header, RsvBits};
use wsproto::{Client, CloseReason, FrameProtocol, Opcode, SendError, Server};

type Log = Arc<Mutex<Vec<String>>>;

/// Checksum extension: a data frame with RSV2 carries its payload XORed with 0x5A followed
/// by one byte, the XOR of the original payload bytes.
#[derive(Default)]
struct Checksum {
    enabled: bool,
    log: Log,
    /// Whether the frame being received uses the extension.
    active: bool,
    /// Last byte seen so far: the checksum if the frame ends here.
    pending: Option<u8>,
    sum: u8,
}

impl Checksum {
    fn new(log: &Log) -> Self {
        Checksum {
            enabled: true,
            log: log.clone(),
            ..Default::default()
        }
    }
    fn note(&self, what: String) {
        self.log.lock().unwrap().push(what);
    }
}

impl Extension for Checksum {
    const NAME: &'static str = "x-checksum";
    type Rsv = wsproto::rsv::Rsv2;

    fn enabled(&self) -> bool {
        self.enabled
    }
    fn offer(&mut self, params: &mut String) -> bool {
        params.push_str("; algo=xor");
        true
    }
    fn accept(&mut self, offer: &str, params: &mut String) -> bool {
        self.enabled = offer.contains("algo=xor");
        params.push_str("; algo=xor");
        self.enabled
    }
    fn finalize(&mut self, answer: &str) -> Result<(), ExtensionError> {
        self.enabled = answer.contains("algo=xor");
        if self.enabled {
            Ok(())
        } else {
            Err(ExtensionError(format!("unsupported answer {answer:?}")))
        }
    }
    fn inbound_header(
        &mut self,
        _: &FrameContext,
        header: &Header,
    ) -> Result<RsvBits, FrameRefused> {
        self.note(format!("checksum header {}", header.opcode));
        if header.opcode.is_control() {
            self.active = false;
            return if header.rsv.rsv2 {
                Err(CloseReason::PROTOCOL_ERROR.into())
            } else {
                Ok(RsvBits::NONE)
            };
        }
        self.active = header.rsv.rsv2;
        self.pending = None;
        self.sum = 0;
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
        if !self.active || payload.is_empty() {
            return Ok(());
        }
        let mut out = BytesMut::with_capacity(payload.len());
        out.extend(self.pending.take());
        for byte in payload.iter() {
            out.put_u8(byte ^ 0x5a);
        }
        self.pending = out.last().copied();
        out.truncate(out.len() - 1);
        self.sum = out.iter().fold(self.sum, |sum, b| sum ^ b);
        *payload = out;
        Ok(())
    }
    fn inbound_complete(
        &mut self,
        _: &FrameContext,
        fin: bool,
        _: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        self.note(format!("checksum complete fin={fin}"));
        if self.active && self.pending != Some(self.sum) {
            return Err(FrameRefused::new(
                CloseReason::INVALID_FRAME_PAYLOAD_DATA,
                format!("checksum {:?} is not {:#04x}", self.pending, self.sum),
            ));
        }
        Ok(())
    }
    fn outbound(
        &mut self,
        _: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        self.note(format!("checksum outbound {}", frame.opcode));
        if frame.opcode.is_control() {
            return Ok(());
        }
        let sum = frame.payload.iter().fold(0, |sum, b| sum ^ b);
        frame.payload.push(sum);
        frame.payload.iter_mut().for_each(|b| *b ^= 0x5a);
        frame.rsv.rsv2 = true;
        Ok(())
    }
}

/// A second extension that only records the order hooks run in.
struct Recorder(Log);

impl Extension for Recorder {
    const NAME: &'static str = "x-recorder";
    type Rsv = wsproto::rsv::NoRsv;
    fn enabled(&self) -> bool {
        true
    }
    fn inbound_header(
        &mut self,
        _: &FrameContext,
        header: &Header,
    ) -> Result<RsvBits, FrameRefused> {
        self.0
            .lock()
            .unwrap()
            .push(format!("recorder header {}", header.opcode));
        Ok(RsvBits::NONE)
    }
    fn outbound(
        &mut self,
        _: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        self.0
            .lock()
            .unwrap()
            .push(format!("recorder outbound {}", frame.opcode));
        Ok(())
    }
}

type Extensions = (Checksum, Recorder);

fn pair(
    log: &Log,
) -> (
    FrameProtocol<Client, Extensions>,
    FrameProtocol<Server, Extensions>,
) {
    (
        FrameProtocol::new((Checksum::new(log), Recorder(log.clone()))),
        FrameProtocol::new((Checksum::new(log), Recorder(log.clone()))),
    )
}

#[test]
fn payloads_round_trip_through_every_hook_in_any_chunking() {
    let log = Log::default();
    let (mut client, mut server) = pair(&log);
    let mut wire = client.send_data("héllo wörld", false).unwrap();
    client.ping_into(b"p", &mut wire).unwrap();
    client.send_data_into(" and more", true, &mut wire).unwrap();
    assert_eq!(wire[0] & 0x70, 0x20, "RSV2 set on the data frame");
    for size in 1..wire.len() {
        let (_, mut server) = pair(&Log::default());
        let mut text = String::new();
        for chunk in wire.chunks(size) {
            server.receive_bytes(chunk);
            for frame in server.received_frames() {
                let frame = frame.unwrap();
                text.push_str(frame.payload.as_text().unwrap_or(""));
            }
        }
        assert_eq!(text, "héllo wörld and more", "chunk size {size}");
    }
    server.receive_bytes(&wire);
    assert_eq!(server.received_frames().count(), 3);
}

#[test]
fn hooks_run_in_list_order_inbound_and_reverse_order_outbound() {
    let log = Log::default();
    let (mut client, mut server) = pair(&log);
    let wire = client.send_data("x", true).unwrap();
    server.receive_bytes(&wire);
    server.received_frames().for_each(|f| drop(f.unwrap()));
    assert_eq!(
        *log.lock().unwrap(),
        [
            "recorder outbound TEXT",
            "checksum outbound TEXT",
            "checksum header TEXT",
            "recorder header TEXT",
            "checksum complete fin=true",
        ]
    );
}

#[test]
fn a_corrupted_checksum_fails_with_the_extensions_code() {
    let log = Log::default();
    let (mut client, mut server) = pair(&log);
    let mut wire = client.send_data(b"data", true).unwrap();
    let last = wire.len() - 1;
    wire[last] ^= 1;
    server.receive_bytes(&wire);
    let err = server.received_frames().find_map(Result::err).unwrap();
    assert_eq!(err.code(), CloseReason::INVALID_FRAME_PAYLOAD_DATA);
    // The extension's own words reach the application.
    assert!(
        err.message()
            .starts_with("extension x-checksum rejected the frame: checksum Some("),
        "{err}"
    );
}

#[test]
fn unclaimed_and_misused_rsv_bits_are_protocol_errors() {
    let log = Log::default();
    // RSV3 is claimed by nobody.
    let (_, mut server) = pair(&log);
    server.receive_bytes(&[0x91, 0x80, 0, 0, 0, 0]);
    assert_eq!(
        server.received_frames().next().unwrap().unwrap_err().code(),
        CloseReason::PROTOCOL_ERROR
    );
    // RSV2 on a control frame: the extension refuses it with a bare code, which the
    // protocol words.
    let (_, mut server) = pair(&log);
    server.receive_bytes(&[0xa9, 0x80, 0, 0, 0, 0]);
    let error = server.received_frames().next().unwrap().unwrap_err();
    assert_eq!(error.code(), CloseReason::PROTOCOL_ERROR);
    assert!(
        error.message().contains("breaks its framing rules"),
        "{error}"
    );
    // A disabled extension claims nothing at run time.
    let mut checksum = Checksum::new(&log);
    checksum.enabled = false;
    let mut server = FrameProtocol::<Server, (Checksum,)>::new((checksum,));
    server.receive_bytes(&[0xa1, 0x80, 0, 0, 0, 0]);
    assert_eq!(
        server.received_frames().next().unwrap().unwrap_err().code(),
        CloseReason::PROTOCOL_ERROR
    );
}

#[test]
fn a_disabled_extension_is_skipped_on_send() {
    let log = Log::default();
    let mut checksum = Checksum::new(&log);
    checksum.enabled = false;
    let mut server = FrameProtocol::<Server, (Checksum,)>::new((checksum,));
    assert_eq!(server.send_data("hi", true).unwrap(), b"\x81\x02hi");
    assert!(log.lock().unwrap().is_empty());
}

struct Rogue;

impl Extension for Rogue {
    const NAME: &'static str = "x-rogue";
    type Rsv = wsproto::rsv::NoRsv;
    fn enabled(&self) -> bool {
        true
    }
    fn outbound(
        &mut self,
        _: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        frame.rsv.rsv3 = true;
        Ok(())
    }
}

#[test]
fn an_extension_cannot_set_a_bit_it_does_not_claim() {
    let mut server = FrameProtocol::<Server, (Rogue,)>::new((Rogue,));
    let mut out = Vec::new();
    assert_eq!(
        server.send_data_into("x", true, &mut out),
        Err(SendError::UnclaimedRsvBits { bits: 0x10 })
    );
    assert!(out.is_empty());
}

#[test]
fn negotiation_hooks_exchange_parameters() {
    let log = Log::default();
    let mut client_side = Checksum::new(&log);
    let mut offer = String::from(Checksum::NAME);
    assert!(client_side.offer(&mut offer));
    let mut server_side = Checksum::new(&log);
    let mut answer = String::from(Checksum::NAME);
    assert!(server_side.accept(&offer, &mut answer));
    assert_eq!(answer, "x-checksum; algo=xor");
    assert!(client_side.finalize(&answer).is_ok());
    assert!(client_side.finalize("x-checksum; algo=crc").is_err());
    assert!(!client_side.enabled());
}

#[test]
fn debug_output_lists_enabled_extensions() {
    let log = Log::default();
    let (client, _) = pair(&log);
    assert_eq!(
        format!("{client:?}"),
        "FrameProtocol<Client, [x-checksum, x-recorder]>"
    );
    assert_eq!(Opcode::Text.to_string(), "TEXT");
}

/// Appends `!` when a frame ends, like a decompressor flushing its tail.
struct Appender;

impl Extension for Appender {
    const NAME: &'static str = "x-appender";
    type Rsv = wsproto::rsv::NoRsv;
    fn enabled(&self) -> bool {
        true
    }
    fn inbound_complete(
        &mut self,
        _: &FrameContext,
        _: bool,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        payload.put_u8(b'!');
        Ok(())
    }
}

/// Records every byte its `inbound_payload` sees.
struct Witness(Arc<Mutex<Vec<u8>>>);

impl Extension for Witness {
    const NAME: &'static str = "x-witness";
    type Rsv = wsproto::rsv::NoRsv;
    fn enabled(&self) -> bool {
        true
    }
    fn inbound_payload(
        &mut self,
        _: &FrameContext,
        payload: &mut BytesMut,
    ) -> Result<(), FrameRefused> {
        self.0.lock().unwrap().extend_from_slice(payload);
        Ok(())
    }
}

#[test]
fn bytes_an_extension_appends_flow_through_the_next_one() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut server =
        FrameProtocol::<Server, (Appender, Witness)>::new((Appender, Witness(seen.clone())));
    server.receive_bytes(&[0x82, 0x82, 0, 0, 0, 0, b'h', b'i']);
    let frame = server.received_frames().next().unwrap().unwrap();
    assert_eq!(frame.payload.as_bytes(), b"hi!");
    assert_eq!(
        *seen.lock().unwrap(),
        b"hi!",
        "the witness must see the appended byte"
    );
}

/// An extension that refuses every data frame it is asked to send, saying why.
#[derive(Default)]
struct Refuser;

impl Extension for Refuser {
    const NAME: &'static str = "x-refuser";
    type Rsv = wsproto::rsv::NoRsv;
    fn enabled(&self) -> bool {
        true
    }
    fn outbound(
        &mut self,
        _: &FrameContext,
        frame: &mut OutboundFrame,
    ) -> Result<(), FrameRefused> {
        if frame.opcode.is_control() {
            return Ok(());
        }
        Err(FrameRefused::new(
            CloseReason::INTERNAL_ERROR,
            "sends no data today",
        ))
    }
}

/// A send refused by an extension keeps its name, code and reason as data.
#[test]
fn a_refused_send_keeps_the_extensions_reason() {
    let mut server = FrameProtocol::<Server, (Refuser,)>::new((Refuser,));
    let mut out = Vec::new();
    let error = server.send_data_into("hi", true, &mut out).unwrap_err();
    let SendError::Extension { name, refused } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*name, "x-refuser");
    assert_eq!(refused.code(), CloseReason::INTERNAL_ERROR);
    assert_eq!(refused.reason(), Some("sends no data today"));
    assert_eq!(
        error.to_string(),
        "extension x-refuser could not encode the frame: sends no data today (close code 1011 (INTERNAL_ERROR))"
    );
    assert!(out.is_empty());
    assert!(
        server.ping_into(b"", &mut out).is_ok(),
        "control frames pass"
    );
}

/// An extension author's unit test: the hooks called directly, with a context and a frame
/// built by hand, no protocol around them.
#[test]
fn hooks_can_be_tested_without_a_protocol() {
    let log = Log::default();
    let mut checksum = Checksum::new(&log);
    let ctx = FrameContext::new(true, Opcode::Binary).with_message_size(1 << 20, 0);
    assert_eq!((ctx.max_message_size, ctx.message_size), (1 << 20, 0));
    let mut frame = OutboundFrame::new(Opcode::Binary, true, vec![1, 2, 4]);
    checksum.outbound(&ctx, &mut frame).unwrap();
    assert!(frame.rsv.rsv2);
    // The payload and its XOR sum, each byte XORed with 0x5a.
    assert_eq!(frame.payload, [1 ^ 0x5a, 2 ^ 0x5a, 4 ^ 0x5a, 7 ^ 0x5a]);
    // And back: the header claims RSV2, the payload loses its checksum byte.
    let header = Header {
        fin: true,
        rsv: RsvBits::RSV2,
        opcode: Opcode::Binary,
        payload_len: 4,
        masking_key: None,
    };
    assert_eq!(
        checksum.inbound_header(&ctx, &header).unwrap(),
        RsvBits::RSV2
    );
    let mut payload = BytesMut::from(&frame.payload[..]);
    checksum.inbound_payload(&ctx, &mut payload).unwrap();
    checksum.inbound_complete(&ctx, true, &mut payload).unwrap();
    assert_eq!(payload[..], [1, 2, 4]);
}
