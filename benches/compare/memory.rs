//! Memory figures: peak heap while receiving one 16 MiB message, and what an idle
//! `FrameProtocol` holds.

use bytes::Bytes;
use wsproto::{FrameProtocol, Server};

use crate::alloc;
use crate::input::{self, READ_SIZE, Rng, Task, Workload};
use crate::sink::Sink;
use crate::{ReceiveFn, with_fastwebsockets, with_tungstenite, with_wsproto};

const MIB: f64 = (1 << 20) as f64;

pub fn report() {
    let size = 16 << 20;
    let message = Bytes::from(input::binary(&mut Rng::new(3), size));
    let (wire, _) = input::client_wire(&mut Rng::new(4), std::slice::from_ref(&message), false, 1);
    let w = Workload {
        name: String::new(),
        task: Task::Receive,
        text: false,
        messages: vec![message],
        wire: Vec::new(),
        half_wire: 0,
        payload_bytes: size,
    };
    println!(
        "Peak heap while receiving one 16 MiB binary message in 16 KiB reads (input excluded):"
    );
    println!();
    println!("| crate | peak | ÷ message size |");
    println!("|---|---:|---:|");
    let crates: [(&str, ReceiveFn); 4] = [
        (crate::OURS, with_wsproto::receive_whole_plain),
        (
            "wsproto (pieces, app joins)",
            with_wsproto::receive_pieces_plain,
        ),
        ("tungstenite", with_tungstenite::receive),
        ("fastwebsockets", with_fastwebsockets::receive),
    ];
    for (name, f) in crates {
        let base = alloc::reset_peak();
        f(&w, &wire, 1, &mut Sink::new(false)).expect("receive");
        let peak = alloc::peak() - base;
        println!(
            "| {name} | {:.1} MiB | {:.2} |",
            peak as f64 / MIB,
            peak as f64 / size as f64
        );
    }
    println!();
    let held = |f: &mut dyn FnMut()| {
        let before = alloc::live();
        f();
        alloc::live() as isize - before as isize
    };
    let mut proto = None;
    let fresh =
        held(&mut || proto = Some(FrameProtocol::<Server>::new(()).with_whole_messages(true)));
    let mut proto = proto.expect("created");
    let small: Vec<Bytes> = (0..1000).map(|i| Bytes::from(vec![i as u8; 100])).collect();
    let (small_wire, _) = input::client_wire(&mut Rng::new(5), &small, false, 1);
    let after_small = held(&mut || with_wsproto::feed(&mut proto, &small_wire));
    let after_big = held(&mut || with_wsproto::feed(&mut proto, &wire));
    println!(
        "Idle `FrameProtocol<Server>`: size_of {} B; heap {} B new, {} B after 1000 messages of 100 B, {} B after the 16 MiB message (its bytes dropped).",
        size_of::<FrameProtocol<Server>>(),
        fresh,
        fresh + after_small,
        fresh + after_small + after_big
    );
    let _ = READ_SIZE;
}
