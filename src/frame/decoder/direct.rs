//! Whole-message mode: the payload of a masked frame being assembled goes from the read
//! straight to its place in the message, unmasked on the way (RFC 6455 §5.3). One pass
//! over the bytes, where copying them into the buffer and unmasking them there took two.

use crate::frame::mask::mask_into;

use super::{DecoderCore, KEEP_CAPACITY, State};

impl DecoderCore {
    /// Takes the first bytes of `data` that continue the payload being assembled, if they
    /// can go straight to the end of the message: whole-message mode, a masked data frame
    /// that its first piece already started (so its order was checked), no extension
    /// transforming it, and no unparsed bytes buffered ahead of them. Returns how many it
    /// took (0 if it does not apply); the text among them is validated by the next
    /// `decode`, before anything else is delivered or waited for.
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
            || piece.consumed == 0
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
        take
    }
}
