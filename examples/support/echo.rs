//! What the echo server and the Autobahn client share: the limits Autobahn's largest cases
//! need. Included with `#[path]`, not an example itself.

use wsproto::Limits;

/// Messages up to 16 MiB, in frames up to 16 MiB (what Autobahn's largest cases send).
pub const LIMITS: Limits = Limits::unlimited()
    .with_max_frame_size(16 << 20)
    .with_max_message_size(16 << 20);
