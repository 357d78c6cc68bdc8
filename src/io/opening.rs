//! The opening handshake as a transport driver runs it (RFC 6455 §4), without I/O: fed
//! the bytes that arrive, it says what to write and whether the handshake is done or has
//! failed. The tokio and the blocking drivers add reading, writing and the deadline.

use std::io;

use crate::connection::{Connection, ConnectionError, Event, LocalProtocolError, WSConnection};
use crate::ext::ExtensionList;
use crate::handshake::{AcceptConnection, RejectConnection, Request};
use crate::io::{Config, Error};
use crate::role::{Client, Role, Server};

/// What the driver does after feeding bytes.
#[derive(Debug)]
pub(crate) enum Step<T> {
    /// Read more.
    Continue,
    /// Write the bytes; the connection is open.
    Done(T, Vec<u8>),
    /// Write the bytes (a rejection, or nothing), shut the transport down, fail with the
    /// error.
    Fail(Error, Vec<u8>),
}

/// The decision of `accept`: accept, with the first subprotocol the client asked for.
pub(crate) fn accept_any(request: &Request) -> Result<AcceptConnection, RejectConnection> {
    Ok(AcceptConnection {
        subprotocol: request.subprotocols.first().cloned(),
        ..AcceptConnection::default()
    })
}

/// A handshake in progress.
#[derive(Debug)]
pub(crate) struct Opening<R: Role, E: ExtensionList> {
    ws: WSConnection<R, E>,
}

impl<R: Role, E: ExtensionList> Opening<R, E> {
    fn with_config(extensions: E, config: &Config) -> Self {
        Opening {
            ws: WSConnection::with_limits(extensions, config.limits, config.handshake_limits)
                .with_whole_messages(true),
        }
    }

    /// Feeds what arrived; the stream ending (`None`) before the handshake did is an error.
    fn feed(&mut self, data: Option<&[u8]>) -> Result<(), Error> {
        self.ws.receive_data(data)?;
        match data {
            Some(_) => Ok(()),
            None => Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
        }
    }

    /// The open connection, with every byte that followed the handshake.
    pub(crate) fn into_connection(self) -> Result<Connection<R, E>, Error> {
        let state = self.ws.state();
        let not_open = LocalProtocolError::NotInState {
            event: "a message",
            state,
        };
        self.ws.into_connection().ok_or(not_open.into())
    }
}

impl<E: ExtensionList> Opening<Server, E> {
    /// A server waiting for a request.
    pub(crate) fn server(extensions: E, config: &Config) -> Self {
        Self::with_config(extensions, config)
    }

    /// Feeds the client's bytes. Once a valid request is complete, `decide` accepts it (the
    /// 101 is written) or rejects it (the rejection, without a body, is written and the
    /// connection fails with [`Error::Rejected`]). A request that breaks RFC 6455 §4 is
    /// answered with the rejection its error calls for (400, 426, 431).
    pub(crate) fn step<F>(&mut self, data: Option<&[u8]>, decide: &mut Option<F>) -> Step<()>
    where
        F: FnOnce(&Request) -> Result<AcceptConnection, RejectConnection>,
    {
        if let Err(error) = self.feed(data) {
            let hint = match &error {
                Error::Handshake(ConnectionError::Remote(remote)) => remote.event_hint.clone(),
                _ => None,
            };
            let answer = hint.and_then(|hint| self.ws.send(hint).ok());
            return Step::Fail(error, answer.unwrap_or_default());
        }
        while let Some(event) = self.ws.next_event() {
            let (Event::Request(request), Some(decide)) = (event, decide.take()) else {
                continue;
            };
            return match decide(&request) {
                Ok(accept) => match self.ws.send(accept) {
                    Ok(answer) => Step::Done((), answer),
                    Err(error) => Step::Fail(error.into(), Vec::new()),
                },
                Err(reject) => {
                    let reject = RejectConnection {
                        has_body: false,
                        ..reject
                    };
                    let answer = self.ws.send(reject.clone()).unwrap_or_default();
                    Step::Fail(Error::Rejected(reject), answer)
                }
            };
        }
        Step::Continue
    }
}

impl<E: ExtensionList> Opening<Client, E> {
    /// A client that sends `request`: the handshake and the bytes to write first.
    pub(crate) fn client(
        request: Request,
        extensions: E,
        config: &Config,
    ) -> Result<(Self, Vec<u8>), Error> {
        let mut opening = Self::with_config(extensions, config);
        let bytes = opening.ws.send(request)?;
        Ok((opening, bytes))
    }

    /// Feeds the server's bytes until its answer: accepted (RFC 6455 §4.1's checks passed)
    /// or rejected ([`Error::Rejected`]).
    pub(crate) fn step(&mut self, data: Option<&[u8]>) -> Step<AcceptConnection> {
        if let Err(error) = self.feed(data) {
            return Step::Fail(error, Vec::new());
        }
        while let Some(event) = self.ws.next_event() {
            match event {
                Event::AcceptConnection(accept) => return Step::Done(accept, Vec::new()),
                Event::RejectConnection(reject) => {
                    return Step::Fail(Error::Rejected(reject), Vec::new());
                }
                _ => {}
            }
        }
        Step::Continue
    }
}
