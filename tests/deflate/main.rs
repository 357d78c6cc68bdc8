//! permessage-deflate (RFC 7692): negotiation, the codec, bombs, window bits 8, the
//! extension inside `FrameProtocol`, and interop with Python wsproto's implementation.
#![cfg(feature = "deflate")]

#[path = "../support/python.rs"]
mod python;

mod bomb;
mod codec;
mod final_blocks;
mod idle_release;
mod interop;
mod params_client;
mod params_server;
mod protocol;
mod python_differences;
mod window8;
