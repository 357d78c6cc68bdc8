//! [`Receiver`]: the one receive pipeline. Every received byte goes through the same
//! stages, in order, as soon as it arrives:
//!
//! 1. **header**: parsed from the read (or gathered across reads), with the rules that need
//!    only the header ([`parse_header_prefix`]);
//! 2. **header rules**: the extensions say which RSV bits the frame uses, then the RSV
//!    bits, masking against the role and the limits are checked
//!    ([`header_rules`](crate::receive::header_rules));
//! 3. **message order**: when the frame's payload starts, its place in the message
//!    (RFC 6455 §5.4, [`message_opcode`](crate::message::order::message_opcode));
//! 4. **payload**: copied out of the read once, unmasked on the way, into the payload
//!    buffer (or, for a control frame, beside it);
//! 5. **extensions**: if one that transforms payloads is enabled, each piece passes
//!    through their inbound hooks ([`transform`](crate::receive::transform));
//! 6. **text**: a text message's bytes are validated as they arrive, failing at the first
//!    impossible byte (RFC 6455 §8.1);
//! 7. **delivery**: finished frames, pieces and messages wait in a queue, shaped by the
//!    [`Delivery`] policy, until the application takes them.
//!
//! The pipeline is compiled once: the role and the extension list reach it as plain
//! values (`is_client`) and as one `dyn InboundHooks` object.

use std::collections::VecDeque;

use crate::error::ParseFailed;
use crate::ext::{FrameContext, InboundHooks};
use crate::frame::Header;
use crate::frame::header::{HeaderPrefix, parse_header_prefix};
use crate::limits::Limits;
use crate::opcode::Opcode;
use crate::receive::buffer::{KEEP_CAPACITY, ReceiveBuffer, assembly_growth};
use crate::receive::header_reader::HeaderReader;
use crate::receive::header_rules::{check_limits, check_masking, check_rsv_bits};
use crate::receive::message::MessageState;
use crate::receive::ready::{Delivery, MAX_READY, Ready, ReadyPayload};
use crate::receive::transform::{Transform, extension_failed};

/// Most queue slots kept while idle (a slot is about 50 bytes).
const IDLE_QUEUE: usize = 4;

/// The extension list's receiving hooks, if an extension is enabled.
pub(crate) type Hooks<'a> = Option<&'a mut dyn InboundHooks>;

/// The hooks again, for one more stage.
fn reborrow<'b>(hooks: &'b mut Hooks<'_>) -> Hooks<'b> {
    match hooks {
        Some(hooks) => Some(&mut **hooks),
        None => None,
    }
}

/// The frame whose payload is arriving.
#[derive(Clone, Copy, Debug)]
pub(super) struct InFrame {
    pub(super) header: Header,
    /// Payload bytes received so far.
    pub(super) consumed: u64,
    /// Whether the payload goes through the extensions' hooks.
    pub(super) transform: bool,
    /// Whether the frame's place in the message was checked (its payload has started).
    pub(super) started: bool,
    /// Frame-level delivery: the opcode of the next piece, the frame's own and then
    /// CONTINUATION.
    pub(super) piece_opcode: Opcode,
}

/// The receiving half of an endpoint: bytes in, ready frames out.
pub(crate) struct Receiver {
    pub(super) is_client: bool,
    pub(super) limits: Limits,
    pub(super) delivery: Delivery,
    /// The delivery asked for; it takes effect between messages.
    wanted: Delivery,
    header: HeaderReader,
    pub(super) frame: Option<InFrame>,
    pub(super) message: MessageState,
    pub(super) payloads: ReceiveBuffer,
    /// The payload of a control frame still arriving (at most 125 bytes, RFC 6455 §5.5).
    pub(super) control: Vec<u8>,
    pub(super) transform: Transform,
    pub(super) ready: VecDeque<Ready>,
    /// Received bytes not parsed yet: for the one-step path, or because the queue is full.
    pub(super) unparsed: ReceiveBuffer,
    /// The first broken rule: nothing is parsed after it, and it is reported once the
    /// frames before it have been taken.
    failed: Option<ParseFailed>,
    /// A close frame ended the input (RFC 6455 §5.5.1: no data frame follows it).
    pub(super) closed: bool,
    /// A large message was queued: the rest of the read waits, unparsed, until it is taken,
    /// so that the next message's bytes do not grow its buffer (a copy of the message).
    pub(super) pause: bool,
    /// The frame [`next_frame_ref`](Self::next_frame_ref) lends when it is not in the
    /// payload buffer, until the next call.
    pub(super) held: Option<crate::frame::Frame>,
}

impl Receiver {
    pub(crate) fn new(is_client: bool, limits: Limits, delivery: Delivery) -> Self {
        Receiver {
            is_client,
            limits,
            delivery,
            wanted: delivery,
            header: HeaderReader::default(),
            frame: None,
            message: MessageState::default(),
            payloads: ReceiveBuffer::default(),
            control: Vec::new(),
            transform: Transform::default(),
            ready: VecDeque::new(),
            unparsed: ReceiveBuffer::default(),
            failed: None,
            closed: false,
            pause: false,
            held: None,
        }
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether the endpoint is a client.
    pub(super) fn is_client(&self) -> bool {
        self.is_client
    }

    pub(crate) fn wanted_delivery(&self) -> Delivery {
        self.wanted
    }

    /// Switches the delivery policy; it takes effect once no message is half received.
    pub(crate) fn set_delivery(&mut self, delivery: Delivery) {
        self.wanted = delivery;
        self.apply_delivery();
    }

    fn apply_delivery(&mut self) {
        if self.message.open().is_none() && self.message.unsent() == 0 {
            self.delivery = self.wanted;
        }
    }

    /// Bytes received and not yet handed out (a partial header, a control payload, data).
    pub(crate) fn buffered_len(&self) -> usize {
        self.header.bytes().len()
            + self.control.len()
            + self.payloads.undelivered()
            + self.unparsed.undelivered()
    }

    /// Runs received bytes through the pipeline. After a close frame or a broken rule they
    /// are dropped: a peer that goes on sending cannot grow any buffer.
    pub(crate) fn receive(&mut self, data: &[u8], hooks: Hooks<'_>) {
        if !self.accepts_input() {
            return;
        }
        if !self.unparsed.is_empty() {
            self.unparsed.extend(data);
            return;
        }
        let used = self.run(data, hooks);
        if self.accepts_input() {
            self.unparsed.extend(&data[used..]);
        }
    }

    /// The next ready frame, piece or message; `None` when more bytes are needed. A broken
    /// rule comes after everything that arrived before it, and then at every call.
    #[inline(always)]
    pub(super) fn next(&mut self, mut hooks: Hooks<'_>) -> Option<Result<Ready, ParseFailed>> {
        self.payloads.settle();
        self.unparsed.settle();
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Some(Ok(ready));
            }
            if self.unparsed.is_empty() || !self.accepts_input() {
                break;
            }
            if let Some(one) = self.take_one_step(hooks.is_some()) {
                return Some(Ok(one.ready()));
            }
            let mut unparsed = std::mem::take(&mut self.unparsed);
            let used = self.run(unparsed.as_slice(), reborrow(&mut hooks));
            unparsed.advance(used);
            self.unparsed = unparsed;
            if !self.accepts_input() {
                self.unparsed = ReceiveBuffer::default();
            }
        }
        if self.send_partial_piece() {
            return self.ready.pop_front().map(Ok);
        }
        if let Some(error) = &self.failed {
            return Some(Err(error.clone()));
        }
        self.release_if_idle();
        None
    }

    /// Everything was handed out: lets go of the memory kept for traffic, so that an idle
    /// connection holds next to none.
    fn release_if_idle(&mut self) {
        self.payloads.release_if_idle();
        self.unparsed.release_if_idle();
        self.transform.release_if_idle();
        if self.ready.capacity() > IDLE_QUEUE {
            self.ready = VecDeque::new();
        }
    }

    /// The payload of a ready item held in a buffer, handed out.
    pub(super) fn take(&mut self, payload: &ReadyPayload) -> bytes::Bytes {
        match *payload {
            ReadyPayload::Buffered { len, .. } => {
                let bytes = self.payloads.take(0, len);
                if len < KEEP_CAPACITY {
                    self.payloads.release_if_oversized();
                }
                bytes
            }
            ReadyPayload::Unparsed { skip, len, .. } => self.unparsed.take(skip, len),
            ReadyPayload::Owned(_) => bytes::Bytes::new(),
        }
    }

    /// The payload of a ready item held in a buffer, lent until the next call.
    pub(super) fn lend(&mut self, payload: &ReadyPayload) -> &[u8] {
        match *payload {
            ReadyPayload::Buffered { len, .. } => self.payloads.lend(0, len),
            ReadyPayload::Unparsed { skip, len, .. } => self.unparsed.lend(skip, len),
            ReadyPayload::Owned(_) => &[],
        }
    }

    /// The delivery in force.
    pub(super) fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// Whether no frame, header or message is half received, and input is still parsed.
    pub(super) fn between_messages(&self) -> bool {
        self.frame.is_none()
            && self.header.is_empty()
            && self.message.open().is_none()
            && self.message.unsent() == 0
            && self.delivery != Delivery::Frames
            && self.accepts_input()
    }

    /// Whether bytes are still parsed: not after a close frame or a broken rule.
    fn accepts_input(&self) -> bool {
        self.failed.is_none() && !self.closed
    }

    fn run(&mut self, mut data: &[u8], mut hooks: Hooks<'_>) -> usize {
        let total = data.len();
        self.pause = false;
        while !data.is_empty()
            && self.accepts_input()
            && self.ready.len() < MAX_READY
            && !self.pause
        {
            let used = match self.frame {
                Some(_) => self.read_payload(data, reborrow(&mut hooks)),
                // A frame the one-step path takes is left for it, with the rest of the read.
                None if self.one_step_header(data, hooks.is_some()).is_some() => break,
                None => self.read_header(data, reborrow(&mut hooks)),
            };
            data = &data[used..];
        }
        total - data.len()
    }

    /// Stages 1 and 2: a frame header, from the read or gathered across reads.
    fn read_header(&mut self, data: &[u8], mut hooks: Hooks<'_>) -> usize {
        if self.header.is_empty() {
            // Most headers arrive whole: parse them from the read, without a copy.
            match parse_header_prefix(data) {
                Ok(Some(prefix)) if data.len() >= prefix.total_len() => {
                    if self.accept_header(&prefix, reborrow(&mut hooks)) {
                        self.start_frame(prefix.with_key(data), hooks);
                    }
                    return prefix.total_len();
                }
                Err(error) => {
                    self.fail(error);
                    return data.len();
                }
                Ok(_) => {}
            }
        }
        let gathered = self.header.gather(data);
        let prefix = match parse_header_prefix(self.header.bytes()) {
            Ok(Some(prefix)) => prefix,
            Ok(None) => return gathered,
            Err(error) => {
                self.fail(error);
                return data.len();
            }
        };
        // The rules are checked once the header's length is known, before its masking key
        // arrives, as Python wsproto does.
        if !self.header.checked {
            self.header.checked = true;
            if !self.accept_header(&prefix, reborrow(&mut hooks)) {
                return data.len();
            }
        }
        let have = self.header.bytes().len();
        if have < prefix.total_len() {
            return gathered;
        }
        let header = prefix.with_key(self.header.bytes());
        self.header.clear();
        self.start_frame(header, hooks);
        // Gathering may have taken bytes past the header's end: they are payload.
        gathered - (have - prefix.total_len())
    }

    /// Stage 2, the header rules, in Python wsproto's order: the extensions claim RSV bits,
    /// then RSV bits, masking, and the limits. `false` (the failure recorded) if one broke.
    #[inline]
    pub(super) fn accept_header(&mut self, prefix: &HeaderPrefix, hooks: Hooks<'_>) -> bool {
        let header = &prefix.header;
        if !header.opcode.is_control() {
            self.message.count_header(header);
        }
        let claimed = match hooks {
            Some(hooks) => hooks
                .inbound_header(&self.context(header.opcode), header)
                .map_err(extension_failed),
            None => Ok(0),
        };
        let checked = claimed
            .and_then(|claimed| check_rsv_bits(header, claimed))
            .and_then(|()| check_masking(prefix.masked, self.is_client))
            .and_then(|()| {
                let (announced, fragments) = self.message.counted();
                check_limits(header, announced, fragments, &self.limits)
            });
        match checked {
            Ok(()) => true,
            Err(error) => {
                self.fail(error);
                false
            }
        }
    }

    fn start_frame(&mut self, header: Header, hooks: Hooks<'_>) {
        self.frame = Some(InFrame {
            header,
            consumed: 0,
            transform: hooks.is_some(),
            started: false,
            piece_opcode: header.opcode,
        });
        if header.payload_len == 0 {
            self.payload(&[], 0, hooks);
        }
    }

    /// Stage 4 onwards, for the bytes of `data` that belong to the frame.
    fn read_payload(&mut self, data: &[u8], hooks: Hooks<'_>) -> usize {
        let Some(frame) = self.frame else { return 0 };
        let remaining = frame.header.payload_len - frame.consumed;
        // At most `data.len()`, so the cast back to usize is lossless.
        let take = remaining.min(data.len() as u64) as usize;
        self.payload(&data[..take], data.len(), hooks);
        take
    }

    /// A chunk of the frame's payload; `read_left` bytes of the read are left, the chunk's
    /// included.
    fn payload(&mut self, chunk: &[u8], read_left: usize, hooks: Hooks<'_>) {
        let Some(mut frame) = self.frame else { return };
        let opcode = frame.header.opcode;
        if !frame.started {
            frame.started = true;
            if !opcode.is_control() && !self.start_message_frame(&frame) {
                return;
            }
        }
        let offset = frame.consumed;
        frame.consumed += chunk.len() as u64;
        let finished = frame.consumed == frame.header.payload_len;
        self.frame = (!finished).then_some(frame);
        if opcode.is_control() {
            self.control_payload(&frame, chunk, offset, finished, hooks);
        } else if let Some(hooks) = hooks.filter(|_| frame.transform) {
            self.transformed_payload(&frame, chunk, offset, finished, read_left, hooks);
        } else {
            self.data_payload(&frame, chunk, offset, finished, read_left);
        }
    }

    /// Stage 3: a data frame's place in the message (RFC 6455 §5.4), checked when its
    /// payload starts: when Python wsproto's FrameDecoder hands out its first piece, so that
    /// a stream cut short fails where it does there.
    fn start_message_frame(&mut self, frame: &InFrame) -> bool {
        if frame.header.opcode != Opcode::Continuation {
            self.apply_delivery();
        }
        let validate = self.delivery.validates_text();
        match self.message.start_frame(frame.header.opcode, validate) {
            Ok(begins) => {
                if begins {
                    self.transform.start_message();
                }
                if self.delivery == Delivery::Whole && !frame.transform {
                    let growth = self.growth(frame);
                    self.payloads
                        .reserve_upfront(frame.header.payload_len, growth);
                }
                true
            }
            Err(error) => {
                self.fail(error);
                false
            }
        }
    }

    /// Stages 4 and 6 for a data frame no extension transforms: into the payload buffer,
    /// unmasked, and validated there as text.
    fn data_payload(
        &mut self,
        frame: &InFrame,
        chunk: &[u8],
        offset: u64,
        finished: bool,
        read_left: usize,
    ) {
        // Room for the rest of the read at once; but a large whole message's last chunk
        // only gets room for itself: the next message's bytes would grow the buffer and
        // copy the message, which is about to be handed out (the rest of the read waits
        // unparsed until it is, see `pause`).
        let ends_large_message = frame.header.fin
            && self.delivery == Delivery::Whole
            && self.message.unsent() + chunk.len() >= KEEP_CAPACITY;
        let incoming = if ends_large_message {
            chunk.len()
        } else {
            read_left
        };
        let growth = self.growth(frame);
        self.payloads.reserve(incoming, growth);
        self.payloads
            .append_unmasked(chunk, frame.header.masking_key, offset);
        self.message.arrived(chunk.len());
        let unsent = self.payloads.tail(self.message.unsent());
        if let Err(error) = self.message.check_text(unsent) {
            self.fail(error);
            return;
        }
        if finished {
            self.end_data_frame(frame);
        }
    }

    /// Whole-message delivery: room to add when the message outgrows the buffer.
    fn growth(&self, frame: &InFrame) -> usize {
        if self.delivery != Delivery::Whole || frame.transform {
            return 0;
        }
        let header = &frame.header;
        let frame_rest = header.payload_len - frame.consumed;
        let message_rest = self
            .limits
            .max_message_size
            .saturating_sub(self.message.delivered);
        assembly_growth(self.message.unsent(), header.fin, frame_rest, message_rest)
    }

    /// What an extension's hook is told about the frame.
    pub(super) fn context(&self, opcode: Opcode) -> FrameContext {
        FrameContext {
            is_client: self.is_client,
            message_opcode: self.message.context_opcode(opcode),
            max_message_size: self.limits.max_message_size,
            message_size: self.message.delivered,
        }
    }

    /// A rule was broken: nothing more is parsed, the message in progress is dropped, and
    /// the error waits behind the frames completed before it.
    pub(super) fn fail(&mut self, error: ParseFailed) {
        let unsent = self.message.abandon();
        self.payloads.drop_tail(unsent);
        self.transform.abandon();
        self.frame = None;
        self.header.clear();
        self.control.clear();
        self.unparsed = ReceiveBuffer::default();
        self.failed = Some(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::encoder::encode_frame;
    use crate::receive::buffer::UPFRONT;
    use crate::role::{Client, MaskingKey};
    use crate::rsv::RsvBits;

    fn client_frame(fin: bool, opcode: Opcode, payload: &[u8], wire: &mut Vec<u8>) {
        let key = MaskingKey([1, 2, 3, 4]);
        encode_frame::<Client>(fin, RsvBits::NONE, opcode, key, payload, wire);
    }

    /// Whole-message delivery of a 1 MiB message in 16 KiB reads: few growth steps, and
    /// never more than four times what arrived (twice before the last fragment).
    #[test]
    fn a_large_message_grows_in_few_steps_within_bounds() {
        // (fragments, most growth steps, most capacity per byte received)
        for (fragments, steps, factor) in [(1, 4, 4), (64, 8, 2)] {
            let message = vec![5u8; 1 << 20];
            let mut wire = Vec::new();
            let step = message.len() / fragments;
            for i in 0..fragments {
                let opcode = if i == 0 {
                    Opcode::Binary
                } else {
                    Opcode::Continuation
                };
                let piece = &message[i * step..(i + 1) * step];
                client_frame(i + 1 == fragments, opcode, piece, &mut wire);
            }
            let mut receiver = Receiver::new(false, Limits::default(), Delivery::Whole);
            let (mut capacity, mut growths, mut received) = (0, 0, 0);
            for read in wire.chunks(16 << 10) {
                receiver.receive(read, None);
                received += read.len();
                let now = receiver.payloads.capacity();
                if now > capacity {
                    growths += 1;
                    capacity = now;
                }
                assert!(
                    now <= (factor * received).max(UPFRONT as usize) + 2 * read.len(),
                    "{fragments} fragments: capacity {now} after {received} bytes"
                );
                if let Some(frame) = receiver.next_frame(None) {
                    assert_eq!(frame.unwrap().payload.len(), 1 << 20);
                }
            }
            assert!(growths <= steps, "{fragments} fragments: {growths} growths");
        }
    }

    /// Large whole messages, one after another in 16 KiB reads: the first grows the buffer,
    /// the next ones reuse it (the application dropped the last), with no growth at all;
    /// a small message after them lets the large buffer go.
    #[test]
    fn large_messages_reuse_one_buffer_and_a_small_one_lets_it_go() {
        let mut wire = Vec::new();
        for _ in 0..3 {
            client_frame(true, Opcode::Binary, &[5; 1 << 20], &mut wire);
        }
        client_frame(true, Opcode::Binary, &[6; 100], &mut wire);
        let mut receiver = Receiver::new(false, Limits::default(), Delivery::Whole);
        let (mut addresses, mut growths, mut capacity) = (Vec::new(), 0, 0);
        for read in wire.chunks(16 << 10) {
            receiver.receive(read, None);
            let now = receiver.payloads.capacity();
            growths += usize::from(now > capacity);
            capacity = now;
            while let Some(frame) = receiver.next_frame(None) {
                let frame = frame.unwrap();
                addresses.push((frame.payload.len(), frame.payload.as_bytes().as_ptr()));
            }
        }
        assert_eq!(addresses.len(), 4);
        assert_eq!(
            addresses[1].1, addresses[0].1,
            "the second message reused the buffer"
        );
        assert_eq!(addresses[2].1, addresses[0].1, "and the third");
        assert!(
            growths <= 4,
            "{growths} growths: only the first message grows it"
        );
        assert!(
            receiver.payloads.capacity() <= KEEP_CAPACITY,
            "released after the small one"
        );
    }
}
