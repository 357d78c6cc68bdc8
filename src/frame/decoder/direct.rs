//! Whole-message mode: the payload of a masked frame being assembled goes from the read
//! straight to its place in the message, unmasked on the way (RFC 6455 §5.3). One pass
//! over the bytes, where copying them into the buffer and unmasking them there took two.

use bytes::BytesMut;

use crate::ext::ExtensionList;
use crate::frame::header::parse_header_prefix;
use crate::frame::mask::mask_into;
use crate::role::Role;

use super::{DecoderCore, FrameDecoder, KEEP_CAPACITY, State};

impl<R: Role, E: ExtensionList> FrameDecoder<R, E> {
    /// Whole-message mode, between two frames: if `data` starts with the complete header of
    /// a data frame and at least one byte of its payload (and, for a message's first frame,
    /// not all of it: that is the one-step path's), runs
    /// on it what `decode` would (the header's checks, then the frame's place in the
    /// message) and returns its length, so that its payload can go straight to the
    /// message too. An error is kept and returned by the next `decode`, as it would have
    /// been: nothing is buffered ahead of the header. Returns 0, having done nothing, in
    /// every other case, the general path's.
    pub(super) fn header_directly(&mut self, data: &[u8]) -> usize {
        let core = &self.core;
        if E::LEN > 0
            || !core.whole
            || !matches!(core.state, State::Header)
            || core.raw_start() != core.buf.len()
        {
            return 0;
        }
        let Ok(Some(prefix)) = parse_header_prefix(data) else {
            return 0;
        };
        let total = prefix.total_len();
        let header = &prefix.header;
        if header.opcode.is_control() || header.payload_len == 0 || data.len() <= total {
            return 0;
        }
        // The first frame of a message that is all in `data` is the one-step path's
        // (`take_unfragmented`): leave it in the buffer for it.
        let beyond = header.payload_len > (data.len() - total) as u64;
        if core.open.is_none() && !beyond {
            return 0;
        }
        let checked = self
            .check_header(&prefix.header, prefix.masked)
            .and_then(|()| {
                let core = &mut self.core;
                core.buf.extend_from_slice(&data[..total]);
                // The whole header is there, so this consumes it.
                core.start_payload(prefix, false);
                let State::Payload(mut piece) = core.state else {
                    return Ok(());
                };
                core.start_assembling(&piece.header)?;
                piece.started = true;
                core.state = State::Payload(piece);
                Ok(())
            });
        if let Err(error) = checked {
            self.core.failed = Some(error);
            self.core.buf = BytesMut::new();
        }
        total
    }
}

impl DecoderCore {
    /// Takes the first bytes of `data` that continue the payload being assembled, if they
    /// can go straight to the end of the message: whole-message mode, a masked data frame
    /// whose place in the message was checked, no extension
    /// transforming it, and no unparsed bytes buffered ahead of them. Returns how many it
    /// took (0 if it does not apply, all of `data` if its text is invalid: the error is
    /// kept for the next `decode`).
    #[allow(unsafe_code)]
    pub(super) fn receive_payload_directly(&mut self, data: &[u8]) -> usize {
        let State::Payload(mut piece) = self.state else {
            return 0;
        };
        let Some(key) = piece.header.masking_key else {
            return 0;
        };
        if !self.whole
            || piece.transform
            || !piece.started
            || piece.header.opcode.is_control()
            || self.raw_start() != self.buf.len()
        {
            return 0;
        }
        let remaining = piece.header.payload_len - piece.consumed;
        // At most `data.len()`, so the cast back to usize is lossless.
        let take = remaining.min(data.len() as u64) as usize;
        if take == 0 {
            return 0;
        }
        // Everything after the message is consumed (headers of its fragments, control
        // frames between them): the new bytes can close that gap.
        self.buf.truncate(self.assembled);
        self.gap = 0;
        if self.buf.capacity() - self.buf.len() < take {
            self.buf.reserve(take + self.assembly_growth());
            self.oversized |= self.buf.capacity() > KEEP_CAPACITY;
        }
        let offset = (piece.consumed % 4) as usize;
        let end = self.buf.len() + take;
        mask_into(
            &mut self.buf.spare_capacity_mut()[..take],
            &data[..take],
            key,
            offset,
        );
        // SAFETY: the room was reserved above, so `end <= capacity`, and `mask_into`
        // initialised all `take` bytes past the old length.
        unsafe { self.buf.set_len(end) };
        self.assembled = end;
        piece.consumed += take as u64;
        self.message_delivered = self.message_delivered.saturating_add(take as u64);
        self.state = State::Payload(piece);
        // Text is validated now, as `decode` would on these bytes: an impossible byte is
        // kept as the error the next `decode` returns (RFC 6455 §8.1).
        if let Err(error) = self.validate_assembled() {
            self.failed = Some(error);
            self.buf = BytesMut::new();
            return data.len();
        }
        // A fragment that is complete is done with, as `decode` would be, so that the next
        // header in `data` can be taken directly too; the last frame of a message is left
        // for `decode` to deliver.
        if piece.consumed == piece.header.payload_len && !piece.header.fin {
            self.state = State::Header;
        }
        take
    }
}
