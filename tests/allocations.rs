//! Steady-state allocation counts, measured with a counting global allocator: receiving and
//! sending small frames must not touch the heap once buffers are warm.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wsproto::connection::PingPolicy;
use wsproto::events::Ping;
use wsproto::{Client, Connection, Event, FrameProtocol, Server};

struct Counting;

thread_local! {
    /// Allocations on this thread while counting; `None` when not counting. Per thread, so
    /// that the test harness's own threads (output capture, timers) do not add to the count.
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
    /// Bytes allocated on this thread and not freed yet.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get().map(|n| n + 1)));
}

fn live(bytes: isize) {
    let _ = LIVE.try_with(|n| n.set(n.get() + bytes));
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        live(layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-(layout.size() as isize));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        live(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on the calling thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(Some(0)));
    f();
    ALLOCATIONS.with(|n| n.replace(None)).unwrap_or(0)
}

#[test]
fn small_frames_cost_no_allocation_in_steady_state() {
    let mut client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    let mut server = FrameProtocol::<Server>::new(());
    let mut wire = Vec::with_capacity(4096);
    let mut run = |client: &mut FrameProtocol<Client>, server: &mut FrameProtocol<Server>| {
        let mut delivered = 0;
        for i in 0..1000 {
            wire.clear();
            if i % 2 == 0 {
                client
                    .send_data_into("sixteen bytes!!!", true, &mut wire)
                    .unwrap();
            } else {
                client.send_data_into(&[7u8; 125], true, &mut wire).unwrap();
            }
            server.receive_bytes(&wire);
            for frame in server.received_frames() {
                delivered += frame.unwrap().payload.len();
            }
        }
        assert_eq!(delivered, 500 * 16 + 500 * 125);
    };
    run(&mut client, &mut server); // warm up the buffers
    let count = allocations_in(|| run(&mut client, &mut server));
    assert_eq!(
        count, 0,
        "allocations for 1000 small frames in steady state"
    );

    // The server's sending side, with the OS key source on the client for good measure.
    let mut client = FrameProtocol::<Client>::new(());
    let mut out = Vec::with_capacity(4096);
    client.send_data_into(b"warm", true, &mut out).unwrap();
    let count = allocations_in(|| {
        for _ in 0..1000 {
            out.clear();
            server.send_data_into("reply", true, &mut out).unwrap();
            client.send_data_into("more", true, &mut out).unwrap();
        }
    });
    assert_eq!(count, 0, "allocations for 2000 encoded frames");
}

#[test]
fn borrowed_frames_cost_no_allocation_and_large_messages_few() {
    let mut client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    let mut server = FrameProtocol::<Server>::new(()).with_whole_messages(true);
    let mut wire = Vec::with_capacity(4096);
    let mut run = |client: &mut FrameProtocol<Client>, server: &mut FrameProtocol<Server>| {
        let mut delivered = 0;
        for i in 0..1000 {
            wire.clear();
            let size = if i % 2 == 0 { 16 } else { 125 };
            client
                .send_data_into(&[7u8; 125][..size], true, &mut wire)
                .unwrap();
            server.receive_bytes(&wire);
            while let Some(frame) = server.next_frame_ref().unwrap() {
                delivered += frame.payload.as_bytes().len();
            }
        }
        assert_eq!(delivered, 500 * 16 + 500 * 125);
    };
    run(&mut client, &mut server);
    let count = allocations_in(|| run(&mut client, &mut server));
    assert_eq!(count, 0, "allocations for 1000 borrowed small frames");

    // A 1 MiB message in 16 KiB reads: the buffer grows to the announced size in a few
    // steps, the shared handle of the `Bytes` the message is handed out as included
    // (doubling from the warm 32 KiB buffer measured 6).
    let mut big = Vec::new();
    client
        .send_data_into(&vec![5u8; 1 << 20][..], true, &mut big)
        .unwrap();
    let mut delivered = 0;
    let count = allocations_in(|| {
        for read in big.chunks(16 << 10) {
            server.receive_bytes(read);
            while let Some(frame) = server.next_frame_ref().unwrap() {
                delivered += frame.payload.as_bytes().len();
            }
        }
    });
    assert_eq!(delivered, 1 << 20);
    assert!(count <= 4, "{count} allocations for a 1 MiB message");
}

/// Heap bytes that `f` leaves allocated on the calling thread.
fn held_after(f: impl FnOnce()) -> isize {
    let before = LIVE.with(Cell::get);
    f();
    LIVE.with(Cell::get) - before
}

/// A connection whose buffers are drained holds (almost) no receive buffer, whether the
/// traffic before was small messages or one large message, in either delivery mode.
#[test]
fn a_drained_protocol_holds_at_most_a_kibibyte() {
    let mut client = FrameProtocol::<Client>::new(()).with_mask_key_source(|| [1, 2, 3, 4]);
    let mut small = Vec::new();
    for i in 0..1000u32 {
        let payload = [i as u8; 100];
        client
            .send_data_into(&payload[..], true, &mut small)
            .unwrap();
    }
    let mut large = Vec::new();
    client
        .send_data_into(&vec![7u8; 4 << 20][..], true, &mut large)
        .unwrap();
    for whole in [false, true] {
        let mut server = FrameProtocol::<Server>::new(()).with_whole_messages(whole);
        let feed = |server: &mut FrameProtocol<Server>, wire: &[u8]| {
            for read in wire.chunks(16 << 10) {
                server.receive_bytes(read);
                for frame in server.received_frames() {
                    drop(frame.unwrap());
                }
            }
        };
        let after_small = held_after(|| feed(&mut server, &small));
        assert!(
            after_small <= 1024,
            "whole {whole}: {after_small} bytes held"
        );
        let after_large = held_after(|| feed(&mut server, &large));
        assert!(
            after_small + after_large <= 1024,
            "whole {whole}: {} bytes held after a large message",
            after_small + after_large
        );
    }
}

/// A peer floods pings while the application writes nothing (the RUSTSEC-2020-0043
/// pattern): under `PingPolicy::AnswerLatest` the connection owes one pong, for the latest
/// ping (RFC 6455 §5.5.3), and holds no heap for it, however many pings came.
#[test]
fn a_ping_flood_holds_one_pong() {
    let mut client = Connection::<Client>::new(());
    let mut wire = Vec::new();
    for i in 0..10_000u32 {
        let payload = bytes::Bytes::copy_from_slice(&[i as u8; 125]);
        client.send_into(Ping { payload }, &mut wire).unwrap();
    }
    let mut server = Connection::<Server>::new(()).with_ping_policy(PingPolicy::AnswerLatest);
    let mut pings = 0;
    let held = held_after(|| {
        for read in wire.chunks(16 << 10) {
            server.receive_data(Some(read)).unwrap();
            pings += server
                .events()
                .filter(|event| matches!(event, Event::Ping(_)))
                .count();
        }
    });
    assert_eq!(pings, 10_000);
    assert!(held <= 1024, "{held} bytes held after 10,000 pings");
    assert!(server.pong_owed());
    let mut out = Vec::new();
    assert!(server.take_pong_into(&mut out).unwrap());
    assert_eq!(out[..2], [0x8a, 125], "one pong frame");
    assert_eq!(out[2..], [(9_999u32 as u8); 125], "for the latest ping");
    assert!(!server.take_pong_into(&mut out).unwrap());
    assert_eq!(out.len(), 127, "and only one");
}
