//! What the pipeline knows about the message whose frames are arriving: its place in the
//! fragment order (RFC 6455 §5.4), its size so far (for the limits), and how much of its
//! text is known to be valid (RFC 6455 §8.1).

use crate::error::ParseFailed;
use crate::frame::Header;
use crate::message::order::message_opcode;
use crate::message::utf8::{check_text_ends, check_text_so_far};
use crate::opcode::Opcode;

/// The message in progress.
#[derive(Debug)]
pub(crate) struct MessageState {
    /// Opcode of the message whose frames are arriving, from its first frame's first
    /// payload byte until its last frame ends.
    open: Option<Opcode>,
    /// Opcode of the latest message begun, for the extensions' context.
    latest: Opcode,
    /// Wire payload bytes announced so far by the message's frames.
    pub(crate) announced: u64,
    /// Payload bytes of the message received so far (after extensions, if any transform it).
    pub(crate) delivered: u64,
    /// Data frames of the message so far, for `Limits::max_fragments_per_message`.
    pub(crate) fragments: u64,
    /// Whether the message's text is validated as it arrives.
    text: bool,
    /// Bytes of the message at the end of the payload buffer not yet handed out.
    unsent: usize,
    /// Of those, how many are known to be whole characters (all of them for binary data).
    checked: usize,
    /// Whether bytes arrived since the last piece was handed out.
    fresh: bool,
}

impl Default for MessageState {
    fn default() -> Self {
        MessageState {
            open: None,
            latest: Opcode::Binary,
            announced: 0,
            delivered: 0,
            fragments: 0,
            text: false,
            unsent: 0,
            checked: 0,
            fresh: false,
        }
    }
}

impl MessageState {
    /// Counts a data frame's header towards the message's limits; a TEXT or BINARY frame
    /// begins a new count. So does a CONTINUATION with no message open: message order
    /// (RFC 6455 §5.4) refuses it next, and a finished message's count must not turn that
    /// into a limit error, or the close code would depend on how the last message was
    /// taken (in one step, which counts nothing here, or frame by frame).
    pub(crate) fn count_header(&mut self, header: &Header) {
        let begins_count = header.opcode != Opcode::Continuation || self.open.is_none();
        if begins_count {
            if header.opcode != Opcode::Continuation {
                self.latest = header.opcode;
            }
            self.announced = 0;
            self.delivered = 0;
            self.fragments = 0;
        }
        self.announced = self.announced.saturating_add(header.payload_len);
        self.fragments = self.fragments.saturating_add(1);
    }

    /// Wire bytes announced and data frames counted for the message so far.
    pub(crate) fn counted(&self) -> (u64, u64) {
        (self.announced, self.fragments)
    }

    /// Places a data frame in the message once its payload starts (RFC 6455 §5.4); `Ok`
    /// with `true` if the frame begins a message. `validate` says whether a text message's
    /// bytes are validated here (not for frame-level delivery).
    pub(crate) fn start_frame(
        &mut self,
        opcode: Opcode,
        validate: bool,
    ) -> Result<bool, ParseFailed> {
        let begins = self.open.is_none();
        let message = message_opcode(self.open, opcode)?;
        if begins {
            self.open = Some(message);
            self.text = validate && message == Opcode::Text;
        }
        Ok(begins)
    }

    /// The opcode of the message in progress, if one is.
    pub(crate) fn open(&self) -> Option<Opcode> {
        self.open
    }

    /// The opcode an extension is told a frame belongs to.
    pub(crate) fn context_opcode(&self, frame: Opcode) -> Opcode {
        if frame.is_control() {
            frame
        } else {
            self.latest
        }
    }

    /// Whether the message is validated as text.
    pub(crate) fn is_text(&self) -> bool {
        self.text
    }

    /// `len` payload bytes arrived at the end of the buffer.
    pub(crate) fn arrived(&mut self, len: usize) {
        self.unsent += len;
        self.delivered = self.delivered.saturating_add(len as u64);
        self.fresh = true;
        if !self.text {
            self.checked = self.unsent;
        }
    }

    /// Validates the text that arrived since the last check; `unsent` are the message's
    /// bytes not handed out yet. Fails at the first byte that no continuation can make
    /// valid; an unfinished character waits for its continuation (RFC 6455 §8.1).
    pub(crate) fn check_text(&mut self, unsent: &[u8]) -> Result<(), ParseFailed> {
        if !self.text {
            return Ok(());
        }
        let position = self.position(self.checked);
        self.checked += check_text_so_far(&unsent[self.checked..], position)?;
        Ok(())
    }

    /// The message's last frame ended: its text must not end inside a character.
    pub(crate) fn check_text_complete(&self) -> Result<(), ParseFailed> {
        check_text_ends(self.checked, self.unsent, self.position(0))
    }

    /// Position in the message of the unsent byte at `at`, for error messages.
    fn position(&self, at: usize) -> u64 {
        self.delivered - (self.unsent - at) as u64
    }

    /// Bytes not handed out yet.
    pub(crate) fn unsent(&self) -> usize {
        self.unsent
    }

    /// Bytes that can be handed out as a piece: whole characters for text.
    pub(crate) fn sendable(&self) -> usize {
        self.checked
    }

    /// Whether bytes arrived since the last piece.
    pub(crate) fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The first `len` unsent bytes were handed out.
    pub(crate) fn sent(&mut self, len: usize) {
        self.unsent -= len;
        self.checked -= len.min(self.checked);
        self.fresh = false;
    }

    /// The message's last frame ended.
    pub(crate) fn end(&mut self) {
        self.open = None;
        self.text = false;
        self.fresh = false;
    }

    /// The message will not be delivered (a rule was broken): forget its unsent bytes.
    pub(crate) fn abandon(&mut self) -> usize {
        let unsent = self.unsent;
        self.unsent = 0;
        self.checked = 0;
        self.end();
        unsent
    }
}
