//! The attacks that hit other WebSocket implementations at the frame layer, each replayed
//! against both roles: the error, its close code, and the peak heap memory, measured with a
//! counting global allocator.
//!
//! Every test takes `MEASURE` first: the allocator counts the whole process, so tests in
//! this binary must not run at the same time.

mod support {
    pub mod frames;
    pub mod wire_gen;
}

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use flate2::{Compress, Compression, FlushCompress};
use wsproto::deflate::{Negotiated, PerMessageDeflate};

use support::frames::{from_client, from_server};
use wsproto::ext::ExtensionList;
use wsproto::{Client, CloseReason, FrameProtocol, Limits, ParseFailed, Payload, Role, Server};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged; only counts bytes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap live now beyond `base`.
fn live_since(base: usize) -> usize {
    LIVE.load(Ordering::Relaxed).saturating_sub(base)
}

static MEASURE: Mutex<()> = Mutex::new(());

/// Serialises the tests of this binary; a failed test must not poison the others.
fn exclusive() -> MutexGuard<'static, ()> {
    MEASURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` and returns its result and the most heap it held at once beyond what was live
/// when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = f();
    (result, PEAK.load(Ordering::Relaxed) - base)
}

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

fn concat(frames: &[Vec<u8>]) -> Vec<u8> {
    frames.concat()
}

/// A frame as `R`'s peer sends it: masked towards a server, plain towards a client.
fn to<R: Role>(first: u8, payload: &[u8]) -> Vec<u8> {
    if R::IS_CLIENT {
        from_server(first, payload)
    } else {
        from_client(first, payload)
    }
}

/// Feeds `batches` of the same bytes (the application drops each frame it is given) until
/// an error or `rounds`; returns the frames delivered and the error.
fn flood<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    batch: &[u8],
    rounds: usize,
) -> (usize, Option<ParseFailed>) {
    let mut delivered = 0;
    for _ in 0..rounds {
        proto.receive_bytes(batch);
        for frame in proto.received_frames() {
            match frame {
                Ok(_) => delivered += 1,
                Err(error) => return (delivered, Some(error)),
            }
        }
    }
    (delivered, None)
}

// --- A huge announced length (rust-websocket RUSTSEC-2022-0035 allocated it up front) ---

fn huge_length_header<R: Role>(len: u64) -> Vec<u8> {
    let mut wire = vec![0x82, if R::IS_CLIENT { 0x7f } else { 0xff }];
    wire.extend_from_slice(&len.to_be_bytes());
    if !R::IS_CLIENT {
        wire.extend_from_slice(&[0, 0, 0, 0]);
    }
    wire
}

fn huge_length<R: Role>() {
    let _guard = exclusive();
    for len in [(1u64 << 63) - 1, 1 << 62, (16 << 20) + 1] {
        // Default limits: refused at the header, before any payload byte is buffered.
        let ((frames, error), peak) = peak_during(|| {
            let mut proto = FrameProtocol::<R>::new(());
            flood(&mut proto, &huge_length_header::<R>(len), 1)
        });
        let error = error.expect("refused");
        assert_eq!((frames, error.code()), (0, CloseReason::MESSAGE_TOO_BIG));
        assert!(
            error.message().contains(&len.to_string())
                && error.message().contains("Limits::max_frame_size"),
            "{error}"
        );
        println!(
            "{}: header announcing {len} bytes refused, peak {peak} bytes",
            R::NAME
        );
        assert!(peak < 8 * KIB, "{peak} bytes for a refused header");

        // No limits (Python wsproto's behaviour): streamed in pieces, never allocated.
        let (delivered, peak) = peak_during(|| {
            let mut proto = FrameProtocol::<R>::with_limits((), Limits::unlimited());
            proto.receive_bytes(&huge_length_header::<R>(len));
            let chunk = vec![7u8; 64 * KIB];
            let mut delivered = 0;
            for _ in 0..64 {
                proto.receive_bytes(&chunk);
                for frame in proto.received_frames() {
                    delivered += frame.expect("a valid partial frame").payload.len();
                }
            }
            delivered
        });
        assert_eq!(delivered, 64 * 64 * KIB);
        println!(
            "{}: 4 MiB of a {len}-byte frame streamed, peak {peak} bytes",
            R::NAME
        );
        assert!(
            peak < 256 * KIB,
            "{peak} bytes to stream 4 MiB of a {len}-byte frame"
        );
    }
}

/// Whole-message delivery assembles the message in the receive buffer: what a header
/// announces must not be reserved before it arrives.
fn huge_length_whole<R: Role>() {
    let _guard = exclusive();
    for (limits, len) in [
        (Limits::unlimited(), (1u64 << 63) - 1),
        (Limits::unlimited(), 0x68fe_ff00_0000_0000),
        (Limits::default(), 16 << 20),
    ] {
        let ((frames, error), peak) = peak_during(|| {
            let mut proto = FrameProtocol::<R>::with_limits((), limits).with_whole_messages(true);
            proto.receive_bytes(&to::<R>(0x01, b"open"));
            flood(&mut proto, &huge_length_header::<R>(len)[..], 1)
        });
        assert_eq!((frames, error), (0, None));
        println!(
            "{}: whole messages, header announcing {len} bytes, peak {peak} bytes",
            R::NAME
        );
        assert!(
            peak < 128 * KIB,
            "{peak} bytes reserved for {len} announced"
        );
    }
}

#[test]
fn a_huge_announced_length_is_never_reserved_by_a_whole_message_server() {
    huge_length_whole::<Server>();
}

#[test]
fn a_huge_announced_length_is_never_reserved_by_a_whole_message_client() {
    huge_length_whole::<Client>();
}

#[test]
fn a_huge_announced_length_is_never_allocated_by_a_server() {
    huge_length::<Server>();
}

#[test]
fn a_huge_announced_length_is_never_allocated_by_a_client() {
    huge_length::<Client>();
}

// --- An inflate bomb (Python websockets #407) ---

/// A compressed message of `inflated` zero bytes (a multiple of 4 MiB), made cheaply: once
/// the window holds only zeros, every copy of a sync-flushed segment inflates to zeros.
fn zeros_bomb(inflated: usize) -> Vec<u8> {
    let segment = 4 * MIB;
    let zeros = vec![0u8; segment];
    let mut compress = Compress::new(Compression::best(), false);
    let mut first = Vec::with_capacity(segment / 500 + KIB);
    compress
        .compress_vec(&zeros, &mut first, FlushCompress::Sync)
        .unwrap();
    let mut repeated = Vec::with_capacity(segment / 500 + KIB);
    compress
        .compress_vec(&zeros, &mut repeated, FlushCompress::Sync)
        .unwrap();
    let mut bomb = first;
    for _ in 1..inflated / segment {
        bomb.extend_from_slice(&repeated);
    }
    assert!(bomb.ends_with(&[0, 0, 0xff, 0xff]));
    bomb.truncate(bomb.len() - 4); // RFC 7692 §7.2.1: the sender strips the tail
    bomb
}

fn inflate_bomb<R: Role>() {
    let _guard = exclusive();
    let bomb = zeros_bomb(256 * MIB);
    let wire = to::<R>(0xc2, &bomb); // FIN, RSV1 (compressed), BINARY
    let limit = MIB;
    let ((delivered, error), peak) = peak_during(|| {
        let limits = Limits::default().with_max_message_size(limit as u64);
        let deflate = PerMessageDeflate::negotiated(Negotiated::default());
        let mut proto = FrameProtocol::<R, _>::with_limits((deflate,), limits);
        let mut delivered = 0;
        for chunk in wire.chunks(16 * KIB) {
            proto.receive_bytes(chunk);
            for frame in proto.received_frames() {
                match frame {
                    Ok(frame) => delivered += frame.payload.len(),
                    Err(error) => return (delivered, Some(error)),
                }
            }
        }
        (delivered, None)
    });
    let error = error.expect("the bomb is refused");
    println!(
        "{}: 256 MiB bomb ({} bytes) refused, peak {peak} bytes",
        R::NAME,
        bomb.len()
    );
    assert_eq!(error.code(), CloseReason::MESSAGE_TOO_BIG);
    assert_eq!(delivered, limit, "what fits is delivered before the error");
    assert!(
        error.message().contains("Limits::max_message_size"),
        "{error}"
    );
    // The limit's worth of output, the inflater's window and state, a chunk of input.
    assert!(
        peak < limit + 512 * KIB,
        "{peak} bytes to refuse a 256 MiB bomb ({} bytes compressed)",
        bomb.len()
    );
}

#[test]
fn an_inflate_bomb_stops_at_the_message_limit_on_a_server() {
    inflate_bomb::<Server>();
}

#[test]
fn an_inflate_bomb_stops_at_the_message_limit_on_a_client() {
    inflate_bomb::<Client>();
}

// --- Many tiny fragments (Node ws CVE-2026-48779) ---

fn fragment_flood<R: Role>(continuation_payload: &[u8]) {
    let _guard = exclusive();
    let first = to::<R>(0x02, b"x"); // BINARY, FIN clear
    let fragment = to::<R>(0x00, continuation_payload);
    let batch = fragment.repeat(1024);

    // Default limits: the 131 073rd fragment's header fails the message.
    let ((delivered, error), peak) = peak_during(|| {
        let mut proto = FrameProtocol::<R>::new(());
        proto.receive_bytes(&first);
        flood(&mut proto, &batch, 1 << 10)
    });
    let error = error.expect("too many fragments");
    let size = continuation_payload.len();
    println!(
        "{}: {size}-byte fragments refused at 131 073, peak {peak} bytes",
        R::NAME
    );
    assert_eq!(error.code(), CloseReason::MESSAGE_TOO_BIG);
    assert_eq!(
        delivered, 131_072,
        "every fragment within the limit is delivered"
    );
    assert!(
        error.message().contains("131073") && error.message().contains("max_fragments_per_message"),
        "{error}"
    );
    assert!(peak < batch.len() + 16 * KIB, "{peak} bytes");

    // Without the limit, a never-ending message costs the crate nothing per fragment.
    let ((delivered, error), peak) = peak_during(|| {
        let mut proto = FrameProtocol::<R>::with_limits((), Limits::unlimited());
        proto.receive_bytes(&first);
        flood(&mut proto, &batch, 1 << 10)
    });
    assert!(error.is_none());
    assert_eq!(delivered, 1 + (1 << 20));
    println!(
        "{}: a million {size}-byte fragments, no limit, peak {peak} bytes",
        R::NAME
    );
    assert!(
        peak < batch.len() + 16 * KIB,
        "{peak} bytes for a million fragments"
    );

    // Whole-message delivery holds the message, not the headers: a million empty or 1-byte
    // fragments cost what their payload adds up to.
    let ((delivered, error), peak) = peak_during(|| {
        let mut proto =
            FrameProtocol::<R>::with_limits((), Limits::unlimited()).with_whole_messages(true);
        proto.receive_bytes(&first);
        flood(&mut proto, &batch, 1 << 10)
    });
    assert_eq!((delivered, error), (0, None));
    println!(
        "{}: a million {size}-byte fragments, whole messages, peak {peak} bytes",
        R::NAME
    );
    let payload = (1 << 20) * continuation_payload.len();
    assert!(
        peak < 2 * payload + 2 * batch.len() + 64 * KIB,
        "{peak} bytes"
    );
}

#[test]
fn a_flood_of_one_byte_fragments_is_refused_in_bounded_memory_by_a_server() {
    fragment_flood::<Server>(b"y");
}

#[test]
fn a_flood_of_one_byte_fragments_is_refused_in_bounded_memory_by_a_client() {
    fragment_flood::<Client>(b"y");
}

#[test]
fn a_flood_of_empty_fragments_is_refused_in_bounded_memory_by_a_server() {
    fragment_flood::<Server>(b"");
}

#[test]
fn a_flood_of_empty_fragments_is_refused_in_bounded_memory_by_a_client() {
    fragment_flood::<Client>(b"");
}

#[test]
fn a_lower_fragment_limit_is_enforced_at_the_continuation_header() {
    let _guard = exclusive();
    let limits = Limits::default().with_max_fragments_per_message(3);
    let mut server = FrameProtocol::<Server>::with_limits((), limits);
    // The 4th fragment's header alone (no payload yet) is refused.
    let wire = concat(&[
        from_client(0x01, b"a"),
        from_client(0x00, b"b"),
        from_client(0x00, b""),
        from_client(0x00, b"ccc")[..6].to_vec(),
    ]);
    let (delivered, error) = flood(&mut server, &wire, 1);
    assert_eq!(delivered, 3);
    let error = error.expect("4 fragments");
    assert_eq!(error.code(), CloseReason::MESSAGE_TOO_BIG);
    assert!(error.message().contains("at least 4 fragments"), "{error}");
    // The count starts again with each message; control frames do not count.
    let mut server = FrameProtocol::<Server>::with_limits((), limits);
    let message = concat(&[
        from_client(0x01, b"a"),
        from_client(0x89, b"ping"),
        from_client(0x00, b"b"),
        from_client(0x8a, b""),
        from_client(0x80, b"c"),
    ]);
    let (delivered, error) = flood(&mut server, &message, 100);
    assert_eq!((delivered, error), (500, None));
    // 1 refuses every fragmented message, and 0 acts as 1.
    for limit in [0, 1] {
        let limits = Limits::default().with_max_fragments_per_message(limit);
        let mut server = FrameProtocol::<Server>::with_limits((), limits);
        let wire = concat(&[
            from_client(0x81, b"whole"),
            from_client(0x01, b"a"),
            from_client(0x80, b"b"),
        ]);
        let (delivered, error) = flood(&mut server, &wire, 1);
        assert_eq!(delivered, 2);
        assert_eq!(error.unwrap().code(), CloseReason::MESSAGE_TOO_BIG);
    }
}

// --- Ping floods ---

fn ping_flood<R: Role>() {
    let _guard = exclusive();
    let batch = concat(&[
        to::<R>(0x89, &[b'p'; 125]),
        to::<R>(0x89, b""),
        to::<R>(0x8a, b"pong"),
    ])
    .repeat(512);
    let ((delivered, error), peak) = peak_during(|| {
        let mut proto = FrameProtocol::<R>::new(());
        // Between the fragments of a message, too (RFC 6455 §5.4).
        proto.receive_bytes(&to::<R>(0x01, b"open"));
        flood(&mut proto, &batch, 2048)
    });
    assert_eq!((delivered, error), (1 + 3 * 512 * 2048, None));
    println!("{}: 3 million control frames, peak {peak} bytes", R::NAME);
    // The batch, and the copy of its last frames when a buffer past 64 KiB is released.
    assert!(
        peak < 2 * batch.len() + 16 * KIB,
        "{peak} bytes for 3 million control frames"
    );
}

/// Whole-message delivery keeps a message's payload together in the receive buffer; the
/// headers and control frames between its fragments must not pile up behind it while the
/// message stays open.
fn ping_flood_inside_a_whole_message<R: Role>() {
    let _guard = exclusive();
    let batch = concat(&[to::<R>(0x89, &[b'p'; 125]), to::<R>(0x00, b"")]).repeat(512);
    let ((delivered, error), peak) = peak_during(|| {
        let mut proto =
            FrameProtocol::<R>::with_limits((), Limits::unlimited()).with_whole_messages(true);
        proto.receive_bytes(&to::<R>(0x01, b"open"));
        flood(&mut proto, &batch, 2048)
    });
    assert_eq!((delivered, error), (512 * 2048, None));
    println!(
        "{}: a million pings inside a whole message, peak {peak} bytes",
        R::NAME
    );
    assert!(peak < 2 * batch.len() + 16 * KIB, "{peak} bytes");
}

#[test]
fn a_ping_flood_inside_a_whole_message_costs_bounded_memory_on_a_server() {
    ping_flood_inside_a_whole_message::<Server>();
}

#[test]
fn a_ping_flood_inside_a_whole_message_costs_bounded_memory_on_a_client() {
    ping_flood_inside_a_whole_message::<Client>();
}

#[test]
fn a_ping_flood_costs_bounded_memory_on_a_server() {
    ping_flood::<Server>();
}

#[test]
fn a_ping_flood_costs_bounded_memory_on_a_client() {
    ping_flood::<Client>();
}

// --- What the crate keeps after the input ended, and what a held piece keeps alive ---

fn after_the_end<R: Role>() {
    let _guard = exclusive();
    let junk = vec![0x42u8; 64 * KIB];
    for ending in [
        to::<R>(0x88, b"\x03\xe8bye"),
        to::<R>(0x83, b"reserved opcode"),
    ] {
        let ((delivered, error), peak) = peak_during(|| {
            let mut proto = FrameProtocol::<R>::new(());
            proto.receive_bytes(&ending);
            let mut delivered = 0;
            let mut error = None;
            // A peer that goes on sending after a close frame, or after its error: the
            // application keeps reading until the connection closes.
            for _ in 0..256 {
                proto.receive_bytes(&junk);
                for frame in proto.received_frames() {
                    match frame {
                        Ok(_) => delivered += 1,
                        Err(e) => error = Some(e),
                    }
                }
            }
            (delivered, error)
        });
        assert_eq!(delivered + usize::from(error.is_some()), 1);
        println!("{}: 16 MiB after the end, peak {peak} bytes", R::NAME);
        assert!(
            peak < 2 * junk.len(),
            "{peak} bytes kept after the end of the input"
        );
    }
}

#[test]
fn bytes_after_a_close_frame_or_an_error_are_not_kept_by_a_server() {
    after_the_end::<Server>();
}

#[test]
fn bytes_after_a_close_frame_or_an_error_are_not_kept_by_a_client() {
    after_the_end::<Client>();
}

/// The payload's bytes without copying, as an application joining pieces keeps them.
fn payload_bytes(payload: Payload) -> Bytes {
    match payload {
        Payload::Bytes(bytes) => bytes,
        Payload::Text(text) | Payload::Close(_, text) => text.into_bytes(),
    }
}

/// An application that keeps every piece of a message until it ends (to join them without
/// copying) while the peer sends one tiny fragment per read: the memory the pieces keep
/// alive must stay proportional to the bytes received, not to the buffers they came from.
const ROUNDS: usize = 60_000;

fn held_pieces<R: Role, E: ExtensionList>(
    make: impl FnOnce() -> FrameProtocol<R, E>,
    first: &[u8],
    fragment: &[u8],
) -> (usize, usize) {
    let _guard = exclusive();
    let base = LIVE.load(Ordering::Relaxed);
    let mut proto = make();
    // A large read first, as at the start of a busy connection: the receive buffer grows.
    let warm = to::<R>(0x82, &vec![1u8; 60 * KIB]);
    proto.receive_bytes(&warm);
    for frame in proto.received_frames() {
        drop(frame.unwrap());
    }
    drop(warm);
    proto.receive_bytes(first);
    let mut held: Vec<Bytes> = Vec::new();
    let mut wire = first.len();
    // Enough reads to fill several receive buffers.
    for _ in 0..ROUNDS {
        proto.receive_bytes(fragment);
        wire += fragment.len();
        for frame in proto.received_frames() {
            held.push(payload_bytes(frame.unwrap().payload));
        }
    }
    let kept = live_since(base).saturating_sub(held.capacity() * size_of::<Bytes>());
    assert!(held.len() >= ROUNDS);
    println!(
        "{} held pieces from {wire} bytes received keep {kept} bytes",
        held.len()
    );
    (kept, wire)
}

#[test]
fn held_pieces_keep_memory_proportional_to_what_was_received() {
    let (kept, wire) = held_pieces(
        || FrameProtocol::<Server>::new(()),
        &from_client(0x02, b"x"),
        &from_client(0x00, b"y"),
    );
    assert!(kept < 2 * wire + 128 * KIB, "{kept} bytes");
    let (kept, wire) = held_pieces(
        || FrameProtocol::<Client>::new(()),
        &from_server(0x02, b"x"),
        &from_server(0x00, b"y"),
    );
    assert!(kept < 2 * wire + 128 * KIB, "{kept} bytes");
}

#[test]
fn held_inflated_pieces_keep_memory_proportional_to_what_was_received() {
    let _guard = exclusive();
    let deflate = || (PerMessageDeflate::negotiated(Negotiated::default()),);
    // One compressed message whose payload arrives a byte per read, each byte inflating
    // to a few bytes or none.
    let mut sender = FrameProtocol::<Client, _>::new(deflate());
    let text = "a fairly compressible line of text, again and again. ".repeat(200);
    let wire = sender.send_data(text.as_str(), true).unwrap();
    let (header, payload) = wire.split_at(6);
    let mut proto = FrameProtocol::<Server, _>::new(deflate());
    let base = LIVE.load(Ordering::Relaxed);
    proto.receive_bytes(header);
    let mut held: Vec<Bytes> = Vec::with_capacity(payload.len() + 1);
    let mut text_out = Vec::new();
    for byte in payload {
        proto.receive_bytes(std::slice::from_ref(byte));
        for frame in proto.received_frames() {
            let frame = frame.unwrap();
            text_out.extend_from_slice(frame.payload.as_bytes());
            held.push(payload_bytes(frame.payload));
        }
    }
    assert_eq!(text_out, text.as_bytes());
    let kept =
        live_since(base).saturating_sub(held.capacity() * size_of::<Bytes>() + text_out.capacity());
    println!(
        "{} inflated pieces of a {}-byte message keep {kept} bytes",
        held.len(),
        text.len()
    );
    assert!(
        kept < 4 * (text.len() + wire.len()) + 64 * KIB,
        "{kept} bytes"
    );
}

// --- 100 MB of valid and mutated frames through both roles, with and without deflate ---

/// xorshift64*: cheap enough to make 100 MB of input in a debug build.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// Message payloads to draw from: (is_text, bytes on the wire). With `compress`, each is
/// compressed without context takeover, so any one can follow any other.
fn payload_pool(rng: &mut Rng, compress: bool) -> Vec<(bool, Vec<u8>)> {
    let mut compressor = wsproto::deflate::MessageCompressor::new(15, true).unwrap();
    (0..48)
        .map(|i| {
            let len = [0, 1, 125, 126, 3000, 20_000, 65_536][i % 7];
            let is_text = i % 2 == 0;
            let mut bytes = vec![0u8; len];
            rng.fill(&mut bytes);
            if is_text {
                // Printable ASCII, with a few multi-byte characters.
                for byte in &mut bytes {
                    *byte = b' ' + *byte % 95;
                }
                bytes.extend_from_slice("é€𝄞".as_bytes());
            } else if i % 4 == 1 {
                bytes.iter_mut().step_by(3).for_each(|b| *b = 0);
            }
            if compress {
                let mut out = Vec::new();
                compressor.compress(&bytes, true, &mut out).unwrap();
                bytes = out;
            }
            (is_text, bytes)
        })
        .collect()
}

/// About `size` bytes of one connection's frames towards `R`: messages in 1 to 3 fragments
/// with pings between them, and now and then a byte changed.
fn connection<R: Role>(
    rng: &mut Rng,
    pool: &[(bool, Vec<u8>)],
    compressed: bool,
    size: usize,
) -> Vec<u8> {
    let mut wire = Vec::with_capacity(size + 70_000);
    while wire.len() < size {
        let (is_text, payload) = &pool[rng.below(pool.len())];
        let fragments = 1 + rng.below(3);
        let mut at = 0;
        for i in 0..fragments {
            let end = if i + 1 == fragments {
                payload.len()
            } else {
                at + rng.below(payload.len() - at + 1)
            };
            let mut first = if i > 0 {
                0x00
            } else if *is_text {
                0x01
            } else {
                0x02
            };
            if i == 0 && compressed {
                first |= 0x40;
            }
            if i + 1 == fragments {
                first |= 0x80;
            }
            wire.extend(to::<R>(first, &payload[at..end]));
            at = end;
            if rng.below(4) == 0 {
                wire.extend(to::<R>(0x89, &payload[..payload.len().min(rng.below(126))]));
            }
        }
        if rng.below(24) == 0 {
            let at = rng.below(wire.len());
            wire[at] ^= 1 << rng.below(8);
        }
    }
    wire
}

/// Feeds `wire` in random chunks until it ends or fails; returns the bytes parsed.
fn feed<R: Role, E: ExtensionList>(
    proto: &mut FrameProtocol<R, E>,
    rng: &mut Rng,
    wire: &[u8],
) -> usize {
    let mut at = 0;
    while at < wire.len() {
        let end = (at + 1 + rng.below(64 * KIB)).min(wire.len());
        proto.receive_bytes(&wire[at..end]);
        at = end;
        for frame in proto.received_frames() {
            if frame.is_err() {
                return at;
            }
        }
    }
    at
}

fn hundred_megabytes<R: Role>(compressed: bool, bytes: usize) -> (usize, usize) {
    let mut rng = Rng(0x1234_5678_9abc_def1 ^ u64::from(compressed) ^ u64::from(R::IS_CLIENT) << 1);
    let pool = payload_pool(&mut rng, compressed);
    let limits = Limits::default()
        .with_max_frame_size(128 * KIB as u64)
        .with_max_message_size(256 * KIB as u64);
    let (mut fed, mut peak) = (0, 0);
    while fed < bytes {
        let wire = connection::<R>(&mut rng, &pool, compressed, 4 * MIB);
        let (parsed, connection_peak) = peak_during(|| {
            if compressed {
                let mut proto = FrameProtocol::<R, _>::with_limits(
                    (PerMessageDeflate::negotiated(Negotiated {
                        client_no_context_takeover: true,
                        server_no_context_takeover: true,
                        ..Negotiated::default()
                    }),),
                    limits,
                );
                feed(&mut proto, &mut rng, &wire)
            } else {
                feed(
                    &mut FrameProtocol::<R>::with_limits((), limits),
                    &mut rng,
                    &wire,
                )
            }
        });
        fed += parsed;
        peak = peak.max(connection_peak);
    }
    (fed, peak)
}

#[test]
fn a_hundred_megabytes_of_valid_and_mutated_frames_cost_bounded_memory() {
    let _guard = exclusive();
    let started = std::time::Instant::now();
    let mut total = 0;
    for (name, run) in [
        (
            "server",
            hundred_megabytes::<Server> as fn(bool, usize) -> (usize, usize),
        ),
        ("client", hundred_megabytes::<Client>),
    ] {
        for compressed in [false, true] {
            let (fed, peak) = run(compressed, 25 * MIB);
            total += fed;
            println!("{name}, deflate {compressed}: {fed} bytes parsed, peak {peak} bytes");
            // A read (64 KiB) and its pieces, a message's inflated output (256 KiB), the
            // inflater's state and window.
            assert!(
                peak < MIB,
                "{name}, deflate {compressed}: peak {peak} bytes"
            );
        }
    }
    assert!(total >= 100 * MIB);
    println!("{total} bytes in {:?}", started.elapsed());
}

// --- The opening handshake ---

const REQUEST_HEAD: &str = "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

#[test]
fn a_header_trickled_in_byte_by_byte_is_refused_at_the_size_limit() {
    // tungstenite RUSTSEC-2023-0065: a header that never ends, in thousands of pieces.
    let _guard = exclusive();
    let (error, peak) = peak_during(|| {
        let mut server = wsproto::WSConnection::<Server>::new(());
        server
            .receive_data(Some(b"GET / HTTP/1.1\r\nX-Endless: "))
            .unwrap();
        for _ in 0..1_000_000 {
            if let Err(error) = server.receive_data(Some(b"a")) {
                return error;
            }
        }
        panic!("a megabyte of header was buffered");
    });
    let wsproto::connection::ConnectionError::Remote(error) = error else {
        panic!("{error}")
    };
    assert_eq!(error.event_hint.as_ref().unwrap().status_code, 431);
    assert_eq!(
        error.cause,
        wsproto::handshake::RemoteHandshakeError::HeadTooLarge { limit: 16384 }
    );
    // The 16 KiB head, doubled once by the buffer's growth, and the connection.
    assert!(peak < 64 * KIB, "peak {peak} bytes");
}

#[test]
fn too_many_header_fields_are_refused_with_431() {
    let _guard = exclusive();
    let fields: String = (0..65).map(|i| format!("X-{i}: v\r\n")).collect();
    let request = format!("{REQUEST_HEAD}{fields}\r\n");
    let (result, peak) = peak_during(|| {
        wsproto::WSConnection::<Server>::new(()).receive_data(Some(request.as_bytes()))
    });
    let Err(wsproto::connection::ConnectionError::Remote(error)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(error.event_hint.as_ref().unwrap().status_code, 431);
    assert_eq!(
        error.cause,
        wsproto::handshake::RemoteHandshakeError::TooManyHeaders { limit: 64 }
    );
    assert!(peak < 64 * KIB, "peak {peak} bytes");
}

#[test]
fn a_header_built_for_backtracking_is_split_in_one_pass() {
    // Node ws CVE-2021-32640: a Sec-WebSocket-Protocol value that makes a regex backtrack.
    // Here the list is split by one linear scan; the request is handled, and costs about
    // its own size.
    let _guard = exclusive();
    let hostile = format!(
        "Sec-WebSocket-Protocol: {}x\r\n",
        "a,".repeat(5_000) + &" ".repeat(4_000)
    );
    let request = format!("{REQUEST_HEAD}{hostile}\r\n");
    let (event, peak) = peak_during(|| {
        let mut server = wsproto::WSConnection::<Server>::new(());
        server.receive_data(Some(request.as_bytes())).unwrap();
        server.next_event()
    });
    let Some(wsproto::Event::Request(parsed)) = event else {
        panic!("{event:?}")
    };
    assert_eq!(parsed.subprotocols.len(), 5_001);
    assert_eq!(parsed.subprotocols[5_000], "x");
    assert!(peak < 1024 * KIB, "peak {peak} bytes");
}

#[test]
fn a_server_that_rejected_buffers_nothing_the_client_sends_after() {
    // Found while fixing a fuzz finding: a server sending a rejection kept buffering what
    // the client went on sending, without bound.
    let _guard = exclusive();
    let mut server = wsproto::WSConnection::<Server>::new(());
    server
        .send(wsproto::events::RejectConnection {
            has_body: true,
            ..Default::default()
        })
        .unwrap();
    let chunk = vec![0u8; 64 * KIB];
    let ((), peak) = peak_during(|| {
        for _ in 0..16 {
            server.receive_data(Some(&chunk)).unwrap();
        }
    });
    assert!(
        peak < 16 * KIB,
        "peak {peak} bytes for 1 MiB sent after the rejection"
    );
    assert!(server.next_event().is_none());
}
