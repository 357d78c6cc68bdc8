//! RFC 7692 §7.2 per-message compression and bounded decompression.
//!
//! Both halves work on raw DEFLATE (no zlib header) through `flate2` with the
//! `zlib-rs` backend, which, unlike `miniz_oxide`, honours window sizes.

use std::cmp::min;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::window::Window;
use crate::close_code::CloseReason;
use crate::error::FrameRefused;

/// LEN/NLEN of the empty stored block a sync flush ends with; stripped and restored per §7.2.1/§7.2.2.
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// BFINAL=0, BTYPE=00 plus padding: an empty stored block once `TAIL` follows (§7.2.3.6).
const EMPTY_BLOCK_HEADER: u8 = 0x00;

/// Output produced per inflate call, so the limit is checked long before a bomb can expand.
const INFLATE_STEP: usize = 16 * 1024;

/// zlib's default level, a good speed/ratio balance for chatty JSON traffic.
const DEFAULT_LEVEL: u32 = 6;

/// Why compressing or decompressing a message failed (RFC 7692 §7.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// RFC 7692 §7.2.2: the inflated message would exceed the caller's limit.
    #[error("the inflated message exceeds the limit of {limit} bytes")]
    MessageTooBig {
        /// RFC 7692 §7.2.2: the limit that was passed in, in bytes.
        limit: usize,
    },
    /// RFC 7692 §7.2.2: the payload is not valid DEFLATE data.
    #[error("not a valid DEFLATE stream (RFC 7692 §7.2.2): {0}")]
    Corrupt(String),
    /// RFC 7692 §7.1.2: window bits outside 8..=15 were requested locally.
    #[error("window bits {0} outside the range 8..=15 that RFC 7692 allows")]
    InvalidWindowBits(u8),
    /// RFC 7692 §7.2.1: the compressor misbehaved (never expected in practice).
    #[error("compression failed: {0}")]
    Compress(String),
}

impl CodecError {
    /// RFC 7692 §7.2 failures mapped to RFC 6455 §7.4.1 close codes.
    pub fn close_code(&self) -> CloseReason {
        match self {
            // 1009: "a message that is too big for it to process".
            CodecError::MessageTooBig { .. } => CloseReason::MESSAGE_TOO_BIG,
            // 1007: "data within a message that was not consistent with the type".
            CodecError::Corrupt(_) => CloseReason::INVALID_FRAME_PAYLOAD_DATA,
            // 1011: a local condition, not the peer's fault.
            CodecError::InvalidWindowBits(_) | CodecError::Compress(_) => {
                CloseReason::INTERNAL_ERROR
            }
        }
    }
}

/// A codec failure as a hook reports it: its close code, and its words.
impl From<CodecError> for FrameRefused {
    fn from(error: CodecError) -> Self {
        FrameRefused::new(error.close_code(), error.to_string())
    }
}

/// Picks the window zlib-rs is asked for, given the agreed RFC 7692 §7.1.2 value.
///
/// Window bits 8 cannot be requested directly: flate2 1.1 asserts 9..=15 (it
/// panics on 8) and zlib-rs 0.6 `deflate::init` returns `StreamError` for a raw
/// stream with 8, like madler/zlib 1.2.9+, whose 256-byte window is buggy
/// (madler/zlib#171; it silently used 512 bytes).
///
/// We still honour 8, by asking for 9: every zlib-rs match finder (quick, fast,
/// medium, slow via `longest_match`) refuses distances above `max_dist() =
/// w_size - MIN_LOOKAHEAD = 512 - 262 = 250`, and `State::tally_dist` asserts
/// that bound even in release builds. A 9-bit stream therefore never reaches
/// back more than 250 < 256 bytes and is valid for an 8-bit inflater (the same
/// observation as madler/zlib#291). Evidence: tests/window8.rs inflates our
/// output for levels 0..=9 with an independent decoder that records distances
/// (max seen: 250), and madler zlib 1.2.13 inflating with wbits=-8 one output
/// byte at a time accepts it while rejecting a 10-bit stream. Cost: none, the
/// bytes equal the 9-bit stream (4 KiB JSON: 593 B, ratio 0.145; 15 bits 0.144),
/// whereas flate2 exposes no Huffman-only/RLE strategy (zlib's own reach 0.524)
/// and stored blocks expand (1.001).
///
/// For inflating, a 9-bit window is a superset of an 8-bit one.
fn zlib_window_bits(window_bits: u8) -> Result<u8, CodecError> {
    match window_bits {
        8 => Ok(9),
        9..=15 => Ok(window_bits),
        other => Err(CodecError::InvalidWindowBits(other)),
    }
}

/// Compresses outgoing messages frame by frame (RFC 7692 §7.2.1).
///
/// zlib's state (about 370 KiB at 15 window bits) is made on first use and can be
/// released between messages ([`release`](Self::release)); under context takeover the
/// compressor keeps a copy of the last 2^bits bytes it compressed, from which it is
/// rebuilt, so that releasing it costs the peer nothing.
pub struct MessageCompressor {
    deflate: Option<Compress>,
    /// zlib's window bits (see `zlib_window_bits`) and level, to rebuild `deflate`.
    bits: u8,
    level: Compression,
    no_context_takeover: bool,
    /// Under context takeover: the window `deflate` refers back into.
    history: Window,
}

impl std::fmt::Debug for MessageCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageCompressor")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("allocated", &self.deflate.is_some())
            .finish_non_exhaustive()
    }
}

impl MessageCompressor {
    /// RFC 7692 §7.2.1 compressor for the agreed window bits and context-takeover mode.
    pub fn new(window_bits: u8, no_context_takeover: bool) -> Result<Self, CodecError> {
        Self::with_level(window_bits, no_context_takeover, DEFAULT_LEVEL)
    }

    /// RFC 7692 §7.2.1 compressor with a zlib level (0..=9, larger values are clamped).
    pub fn with_level(
        window_bits: u8,
        no_context_takeover: bool,
        level: u32,
    ) -> Result<Self, CodecError> {
        let bits = zlib_window_bits(window_bits)?;
        Ok(MessageCompressor {
            deflate: None,
            bits,
            level: Compression::new(min(level, 9)),
            no_context_takeover,
            history: Window::new(1 << bits),
        })
    }

    /// Frees zlib's state between messages; the next message rebuilds it from the kept
    /// window. Rebuilding costs about as much as compressing the window once, so this is
    /// for connections that went quiet, not for every message.
    pub fn release(&mut self) {
        self.deflate = None;
    }

    /// Whether zlib's state is allocated.
    pub fn is_allocated(&self) -> bool {
        self.deflate.is_some()
    }

    /// zlib's state, rebuilt with the kept window as its dictionary if it was released.
    fn deflate(&mut self) -> Result<&mut Compress, CodecError> {
        let deflate = match self.deflate.take() {
            Some(deflate) => deflate,
            None => {
                let mut deflate = Compress::new_with_window_bits(self.level, false, self.bits);
                let history = self.history.make_contiguous();
                if !history.is_empty() {
                    deflate
                        .set_dictionary(history)
                        .map_err(|err| CodecError::Compress(err.to_string()))?;
                }
                deflate
            }
        };
        Ok(self.deflate.insert(deflate))
    }

    /// RFC 7692 §7.2.1: appends the compressed form of one frame's worth of a message to `out`.
    ///
    /// Every call ends with a sync flush: it closes the current block and
    /// byte-aligns the stream, so the peer can inflate everything sent so far
    /// from this frame alone instead of waiting for later frames (zlib would
    /// otherwise hold back input until a block fills up). Each flush costs
    /// about five bytes and restarts Huffman tables, so prefer large frames.
    pub fn compress(
        &mut self,
        data: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let start = out.len();
        self.sync_flush(data, out)?;
        if !self.no_context_takeover {
            self.history.push(data);
        }
        if !fin {
            return Ok(());
        }
        if out[start..].ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        } else if out.len() != start {
            return Err(CodecError::Compress(
                "sync flush did not end with an empty stored block".into(),
            ));
        }
        if out.len() == start {
            // zlib emits nothing for a flush right after a flush (e.g. an empty
            // message with context takeover). An empty payload plus the receiver's
            // TAIL would leave its inflater inside a stored-block header, so send
            // the single 0x00 of §7.2.3.6 instead.
            out.push(EMPTY_BLOCK_HEADER);
        }
        if self.no_context_takeover
            && let Some(deflate) = self.deflate.as_mut()
        {
            deflate.reset();
        }
        Ok(())
    }

    fn sync_flush(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
        let deflate = self.deflate()?;
        loop {
            // Room for incompressible input plus block overhead, so one pass usually suffices.
            let room = input.len() + input.len() / 16 + 64;
            if out.is_empty() && out.capacity() < room {
                // A fresh buffer: growing an empty one would copy its old capacity.
                *out = Vec::with_capacity(room);
            }
            out.reserve(room);
            let before_in = deflate.total_in();
            let before_len = out.len();
            deflate
                .compress_vec(input, out, FlushCompress::Sync)
                .map_err(|err| CodecError::Compress(err.to_string()))?;
            let consumed = (deflate.total_in() - before_in) as usize;
            input = &input[consumed..];
            // zlib reports a completed flush by leaving output space unused.
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(());
            }
            if consumed == 0 && out.len() == before_len {
                return Err(CodecError::Compress("deflate made no progress".into()));
            }
        }
    }
}

/// Where the inflater is within the current DEFLATE stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InflateState {
    /// No byte of the current message has reached the inflater.
    Idle,
    /// Feeding the message's DEFLATE blocks.
    Streaming,
    /// A BFINAL=1 block ended the stream; the next byte, in this message or the next,
    /// starts a new one (RFC 7692 §7.2.1: "The next DEFLATE block follows the padded data").
    Ended,
}

/// Inflates incoming messages chunk by chunk within a size limit (RFC 7692 §7.2.2).
///
/// A message may go on after a final (BFINAL) block with a new DEFLATE stream (§7.2.1),
/// which may refer back into the output before it.
///
/// zlib's state (about 45 KiB) is made on first use and can be released where a new one,
/// made from the copy of the window kept for final blocks, reads on the same way
/// ([`release`](Self::release)).
pub struct MessageDecompressor {
    inflate: Option<Decompress>,
    /// zlib's window bits, to rebuild `inflate`.
    bits: u8,
    no_context_takeover: bool,
    state: InflateState,
    /// The inflater has read nothing since it was made, reset or restarted, so a new one
    /// made from `window` would read what follows the same way. Between the messages of
    /// a context-takeover stream it has read something, and only zlib knows whether that
    /// ended on a block boundary (a conforming peer's does; a hostile one's need not).
    fresh: bool,
    /// A copy of the LZ77 window, to carry it across a BFINAL block (see `restart`).
    window: Window,
}

impl std::fmt::Debug for MessageDecompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageDecompressor")
            .field("no_context_takeover", &self.no_context_takeover)
            .field("state", &self.state)
            .field("allocated", &self.inflate.is_some())
            .finish_non_exhaustive()
    }
}

impl MessageDecompressor {
    /// RFC 7692 §7.2.2 decompressor for the peer's agreed window bits and context-takeover mode.
    pub fn new(window_bits: u8, no_context_takeover: bool) -> Result<Self, CodecError> {
        let bits = zlib_window_bits(window_bits)?;
        Ok(MessageDecompressor {
            inflate: None,
            bits,
            no_context_takeover,
            state: InflateState::Idle,
            fresh: true,
            window: Window::new(1 << bits),
        })
    }

    /// RFC 7692 §7.2.2: inflates one chunk of a message's payload, keeping `out.len() <= limit`.
    ///
    /// Chunks may split frames anywhere. `out` grows by at most 16 KiB per
    /// inflate step and its capacity never passes `limit + 1` (beyond what it
    /// already had), so a compression bomb costs at most `limit` bytes of memory
    /// and the time to inflate them. After an error the decompressor is
    /// unusable; the caller fails the connection.
    pub fn decompress(
        &mut self,
        mut data: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), CodecError> {
        let mut recorded = out.len();
        while !data.is_empty() {
            if self.state == InflateState::Ended {
                self.window.push(&out[recorded..]);
                recorded = out.len();
                self.restart()?;
            }
            self.state = InflateState::Streaming;
            self.fresh = false;
            data = self.inflate_bounded(data, out, limit)?;
        }
        self.window.push(&out[recorded..]);
        Ok(())
    }

    /// RFC 7692 §7.2.2: feeds the stripped `00 00 ff ff` tail and ends the message.
    pub fn finish_message(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<(), CodecError> {
        if self.state == InflateState::Streaming {
            let start = out.len();
            // Tail bytes left after a final block are ours, not the peer's: ignored.
            self.inflate_bounded(&TAIL, out, limit)?;
            self.window.push(&out[start..]);
        }
        // Otherwise the stream has not begun: the message was empty, or it ended with a
        // final block (§7.2.3.4, with or without the 0x00 after it). An empty payload plus
        // TAIL would leave the inflater inside a stored-block header and garble the next
        // message, so it is read as the empty message its sender meant.
        if self.no_context_takeover {
            if let Some(inflate) = self.inflate.as_mut() {
                inflate.reset(false);
            }
            self.fresh = true;
            self.window.clear();
            self.state = InflateState::Idle;
        } else if self.state == InflateState::Streaming {
            self.state = InflateState::Idle;
        }
        Ok(())
    }

    /// Starts the DEFLATE stream that follows a BFINAL block, with the window it ended with.
    ///
    /// RFC 7692 §7.2.2 keeps one LZ77 window across messages under context takeover
    /// ("MUST decompress each new message using the LZ77 sliding window used to process
    /// the last compressed message"), and neither §7.2.1 nor §7.2.3.4 says a final block
    /// empties it. A peer flushing with final blocks (§7.2.3.4) may therefore refer back
    /// across one, as §7.2.3.4's message followed by §7.2.3.2's second one does. Within a
    /// message the window is kept in both modes, as between the blocks of one stream;
    /// without context takeover `finish_message` drops it at the end of the message.
    ///
    /// flate2 cannot restart a finished inflater without emptying its window, nor read the
    /// window out, so `window` keeps a copy of the last 2^bits bytes inflated: every call
    /// copies its output (at most 2^bits bytes of it), the price of reading such peers
    /// right. A restart is a reset and one copy of the window, about a microsecond; empty
    /// final blocks force one every two bytes, still less work per input byte than
    /// inflating a bomb.
    fn restart(&mut self) -> Result<(), CodecError> {
        let inflate = self.inflate.take();
        self.inflate = Some(self.with_window(inflate)?);
        self.fresh = true;
        Ok(())
    }

    /// Frees zlib's state where a new inflater made from the kept window (a copy of at most
    /// 2^bits bytes) reads what follows the same way: after a final block, without context
    /// takeover, or before the first byte. Otherwise the state is kept: a context-takeover
    /// stream between sync-flushed messages (RFC 7692 §7.2.1) is mid-stream, and zlib does
    /// not say whether the peer's last message ended on a block boundary.
    pub fn release(&mut self) {
        if self.fresh || self.state == InflateState::Ended {
            self.inflate = None;
            // A new inflater holding the window is what `restart` would make.
            self.state = InflateState::Idle;
            self.fresh = true;
        }
    }

    /// Whether zlib's state is allocated.
    pub fn is_allocated(&self) -> bool {
        self.inflate.is_some()
    }

    /// `inflate` reset (or a new one if there is none), holding the kept window.
    fn with_window(&self, inflate: Option<Decompress>) -> Result<Decompress, CodecError> {
        let mut inflate = match inflate {
            Some(mut inflate) => {
                inflate.reset(false);
                inflate
            }
            None => Decompress::new_with_window_bits(false, self.bits),
        };
        let (older, newer) = self.window.oldest_first();
        for part in [older, newer].into_iter().filter(|part| !part.is_empty()) {
            // Only a zlib- or gzip-wrapped stream can refuse a dictionary; ours are raw.
            inflate
                .set_dictionary(part)
                .map_err(|err| CodecError::Corrupt(format!("cannot restore the window: {err}")))?;
        }
        Ok(inflate)
    }

    /// Inflates `input` (see [`inflate_steps`]), rebuilding zlib's state first if it was
    /// released; returns input left after a BFINAL block.
    fn inflate_bounded<'a>(
        &mut self,
        input: &'a [u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<&'a [u8], CodecError> {
        let inflate = match self.inflate.take() {
            Some(inflate) => inflate,
            None => self.with_window(None)?,
        };
        let (left, ended) = inflate_steps(self.inflate.insert(inflate), input, out, limit)?;
        if ended {
            self.state = InflateState::Ended;
        }
        Ok(left)
    }
}

/// Inflates `input` in steps of at most `INFLATE_STEP` bytes; returns the input left after
/// a BFINAL block, and whether one ended the stream.
fn inflate_steps<'a>(
    inflate: &mut Decompress,
    mut input: &'a [u8],
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<(&'a [u8], bool), CodecError> {
    loop {
        if out.len() > limit {
            return Err(CodecError::MessageTooBig { limit });
        }
        // One byte past the limit is enough to prove the message is too big.
        let step = min(INFLATE_STEP, (limit - out.len()).saturating_add(1));
        reserve_bounded(out, step, limit);
        // Inflates into the spare capacity, which is not zeroed first: zeroing a 16 KiB
        // step cost more than inflating a small message. A reused buffer may offer more
        // than a step; that memory is already allocated, and the check below still
        // stops the message just past the limit.
        let (before_in, before_out) = (inflate.total_in(), inflate.total_out());
        let result = inflate.decompress_vec(input, out, FlushDecompress::None);
        // The totals only grow, by at most the input and output given (zlib's contract,
        // which the slicing below relies on).
        let consumed = (inflate.total_in() - before_in) as usize;
        let produced = (inflate.total_out() - before_out) as usize;
        // Output that passed the limit came before any corruption the same call found
        // further on: report the first fault in stream order, as a caller feeding the
        // bytes in smaller pieces would see it.
        if out.len() > limit {
            return Err(CodecError::MessageTooBig { limit });
        }
        let status = result.map_err(|err| {
            CodecError::Corrupt(err.message().unwrap_or("inflate failed").to_owned())
        })?;
        input = &input[consumed..];
        if status == Status::StreamEnd {
            return Ok((input, true));
        }
        // Output space left over means the inflater wants input, not room.
        if input.is_empty() && (out.len() < out.capacity() || produced == 0) {
            return Ok((input, false));
        }
        if produced == 0 && consumed == 0 {
            return Err(CodecError::Corrupt("inflater made no progress".into()));
        }
    }
}

/// Grows like `Vec` (amortised doubling) but never past `limit + 1`, whatever the input claims.
fn reserve_bounded(out: &mut Vec<u8>, step: usize, limit: usize) {
    let needed = out.len() + step;
    if needed <= out.capacity() {
        return;
    }
    let target = out
        .capacity()
        .saturating_mul(2)
        .min(limit.saturating_add(1))
        .max(needed);
    out.reserve_exact(target - out.len());
}
