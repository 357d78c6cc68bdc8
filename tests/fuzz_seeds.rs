//! The fuzzers' seed corpus (fuzz/seeds/<target>/), made of valid frames in each byte-stream
//! target's input layout (see tests/support/harness.rs). This test checks that the committed
//! files are what the generator makes; `WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_seeds`
//! rewrites them. The structured targets (message_decoder, roundtrip, deflate_params) build
//! their inputs with `arbitrary` and start from nothing.
#![cfg(feature = "deflate")]

mod support {
    pub mod frames;
    pub mod wire_gen;
}

use std::collections::BTreeMap;
use std::path::Path;

use support::frames::frame;
use support::wire_gen::{Rng, valid_stream};
use wsproto::deflate::{MessageCompressor, Negotiated, PerMessageDeflate};
use wsproto::{Client, FrameProtocol, Role, Server};

/// Seeds per target: file name to contents.
type Seeds = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

/// `[split_lo, split_hi, config, stream...]`.
fn stream_input(split: u16, config: u8, stream: &[u8]) -> Vec<u8> {
    let mut input = split.to_le_bytes().to_vec();
    input.push(config);
    input.extend_from_slice(stream);
    input
}

/// Frames that exercise the header's corners, as `client_sends` says.
fn corner_frames(client_sends: bool) -> Vec<Vec<u8>> {
    let key = client_sends.then_some([1, 2, 3, 4]);
    vec![
        // A text message in three fragments with a ping and a pong between them.
        [
            frame(0x01, "caf".as_bytes(), key),
            frame(0x89, b"ping", key),
            frame(0x00, b"\xc3", key),
            frame(0x8a, b"", key),
            frame(0x80, "\u{a9} \u{1d11e}".as_bytes(), key),
        ]
        .concat(),
        // 2-byte and 8-byte lengths.
        frame(0x82, &[7; 126], key),
        frame(0x82, &[8; 65_536], key)[..14].to_vec(),
        // A close frame with a code and a reason, then bytes after it.
        [frame(0x88, b"\x03\xe8bye", key), frame(0x81, b"after", key)].concat(),
        // Empty frames.
        [
            frame(0x02, b"", key),
            frame(0x00, b"", key),
            frame(0x80, b"", key),
        ]
        .concat(),
    ]
}

fn stream_seeds(client_sends: bool, role_bit: u8) -> BTreeMap<String, Vec<u8>> {
    let mut seeds = BTreeMap::new();
    let mut rng = Rng(0x5eed ^ u64::from(client_sends));
    for i in 0..12 {
        let stream = valid_stream(&mut rng, client_sends);
        let config = role_bit | (i % 4) as u8;
        let split = rng.next_u64() as u16;
        seeds.insert(
            format!("stream-{i:02}"),
            stream_input(split, config, &stream),
        );
    }
    for (i, stream) in corner_frames(client_sends).iter().enumerate() {
        let split = (stream.len() / 2) as u16;
        seeds.insert(
            format!("corner-{i:02}"),
            stream_input(split, role_bit, stream),
        );
    }
    seeds
}

/// The deflate parameters `config` picks for the fuzz targets.
fn agreed(config: u8) -> (PerMessageDeflate,) {
    let bits = 8 + ((config >> 2) & 0b111);
    let no_context_takeover = config & 0x20 != 0;
    let agreed = Negotiated {
        client_no_context_takeover: no_context_takeover,
        server_no_context_takeover: no_context_takeover,
        client_max_window_bits: bits,
        server_max_window_bits: bits,
    };
    (PerMessageDeflate::negotiated(agreed),)
}

/// Compressed messages, one fragmented with a ping inside, and an empty one.
fn deflate_stream<S: Role>(
    mut sender: FrameProtocol<S, (PerMessageDeflate,)>,
    rng: &mut Rng,
) -> Vec<u8> {
    let mut wire = Vec::new();
    let text = "compressible text, compressible text, ".repeat(1 + rng.below(4));
    sender
        .send_data_into(text.as_str(), true, &mut wire)
        .unwrap();
    let mut message = sender.binary_message().unwrap();
    message.fragment(&[0u8; 300], &mut wire).unwrap();
    message.ping(b"between", &mut wire).unwrap();
    message.finish(b"end end end", &mut wire).unwrap();
    sender.send_data_into("", true, &mut wire).unwrap();
    wire
}

fn seeds() -> Seeds {
    let mut seeds = Seeds::new();
    seeds.insert("frame_decoder_server", stream_seeds(true, 0));
    seeds.insert("frame_decoder_client", stream_seeds(false, 0));
    let mut protocol = stream_seeds(true, 0);
    for (name, input) in stream_seeds(false, 0x80) {
        protocol.insert(format!("client-{name}"), input);
    }
    seeds.insert("protocol", protocol);

    let mut rng = Rng(0xdef1a7e);
    let mut deflate = BTreeMap::new();
    for i in 0..16u8 {
        // Limits (bits 0-1), window bits (2-4), no context takeover (5), role (7).
        let config = (i % 4) | (((i * 3) % 8) << 2) | ((i & 4) << 3) | ((i & 1) << 7);
        let stream = if config & 0x80 != 0 {
            deflate_stream(FrameProtocol::<Server, _>::new(agreed(config)), &mut rng)
        } else {
            let client = FrameProtocol::<Client, _>::new(agreed(config))
                .with_mask_key_source(|| [9, 8, 7, 6]);
            deflate_stream(client, &mut rng)
        };
        let split = (stream.len() / 3) as u16;
        deflate.insert(
            format!("messages-{i:02}"),
            stream_input(split, config, &stream),
        );
    }
    seeds.insert("protocol_deflate", deflate);

    let mut inflate = BTreeMap::new();
    for i in 0..16u8 {
        // Window bits (bits 0-2), no context takeover (3), limit (4-5).
        let config = (i % 8) | ((i & 1) << 3) | ((i % 4) << 4);
        let mut compressor = MessageCompressor::new(8 + (config & 7), config & 8 != 0).unwrap();
        let mut input = vec![config, i, 0];
        for message in ["hello hello hello", "", "\u{e9}t\u{e9} \u{e9}t\u{e9}"] {
            let mut compressed = Vec::new();
            let body = message.repeat(1 + usize::from(i));
            compressor
                .compress(body.as_bytes(), true, &mut compressed)
                .unwrap();
            input.extend_from_slice(&(compressed.len() as u16).to_le_bytes());
            input.extend_from_slice(&compressed);
        }
        inflate.insert(format!("messages-{i:02}"), input);
    }
    seeds.insert("inflate", inflate);
    seeds
}

#[test]
fn committed_seeds_are_what_the_generator_makes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let write = std::env::var_os("WRITE_FUZZ_SEEDS").is_some();
    let seeds = seeds();
    let total: usize = seeds.values().map(BTreeMap::len).sum();
    assert!(
        total < 200,
        "keep the committed corpus small: {total} files"
    );
    for (target, files) in &seeds {
        let dir = root.join(target);
        if write {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in files {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
        let mut on_disk = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            on_disk.insert(name, std::fs::read(entry.path()).unwrap());
        }
        assert!(
            on_disk == *files,
            "fuzz/seeds/{target} is not what the generator makes: run WRITE_FUZZ_SEEDS=1 cargo test --test fuzz_seeds"
        );
    }
}
