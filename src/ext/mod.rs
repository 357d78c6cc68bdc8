//! Extensions (RFC 6455 §9): the [`Extension`] trait extension authors implement, and the
//! type-level list of extensions a [`FrameProtocol`](crate::FrameProtocol) is built with.

#[cfg(feature = "deflate")]
pub mod deflate;
mod extension;
mod list;

pub use extension::{Extension, ExtensionError, FrameContext, OutboundFrame};
pub use list::ExtensionList;
// What a hook returns to refuse a frame.
pub use crate::error::FrameRefused;
pub(crate) use list::{AnswerError, InboundHooks, OutboundHooks, inbound_hooks, outbound_hooks};

/// The names of a list's enabled extensions, in list order.
pub(crate) fn enabled_names<E: ExtensionList>(list: &E) -> Vec<&'static str> {
    let mut names = Vec::new();
    list.for_each_name(&mut |name, enabled| {
        if enabled {
            names.push(name);
        }
    });
    names
}

/// Writes `[name, name]` for `Debug` output: the enabled extensions of a list.
pub(crate) fn write_names<E: ExtensionList>(
    list: &E,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    write!(f, "[{}]", enabled_names(list).join(", "))
}
