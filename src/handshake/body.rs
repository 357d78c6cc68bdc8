//! A rejection's body (RFC 7230 §3.3): read on the client by `Content-Length`, chunked
//! transfer coding or until the stream ends; written by the server, chunked unless the
//! application gave a length.

use bytes::{Bytes, BytesMut};

use crate::handshake::Headers;
use crate::handshake::http::header;
use crate::token_list::has_token;

/// How the body of a received rejection is delimited.
#[derive(Debug)]
pub(crate) enum BodyReader {
    /// `Content-Length`: bytes still to come.
    Length(u64),
    /// Chunked transfer coding.
    Chunked(ChunkState),
    /// Neither: the body runs until the stream ends.
    UntilClose,
}

#[derive(Debug)]
pub(crate) enum ChunkState {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk's data.
    Data(u64),
    /// Expecting the CRLF after a chunk's data.
    DataEnd,
    /// After the last chunk: skipping trailer lines up to the empty one.
    Trailer,
}

/// A body piece, and whether the body is complete.
pub(crate) type BodyPiece = (Bytes, bool);

impl BodyReader {
    /// The framing the response head declares (RFC 7230 §3.3.3), `None` for a bad length.
    pub(crate) fn for_response(headers: &Headers) -> Option<BodyReader> {
        if header(headers, "transfer-encoding").is_some_and(|v| has_token(v, "chunked")) {
            return Some(BodyReader::Chunked(ChunkState::Size));
        }
        match header(headers, "content-length") {
            Some(value) => std::str::from_utf8(value)
                .ok()?
                .trim()
                .parse()
                .ok()
                .map(BodyReader::Length),
            None => Some(BodyReader::UntilClose),
        }
    }

    /// Takes body bytes out of `buf`. `Err` on a malformed chunked body.
    pub(crate) fn read(&mut self, buf: &mut BytesMut) -> Result<BodyPiece, String> {
        match self {
            BodyReader::Length(left) => {
                let take = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                *left -= take as u64;
                Ok((buf.split_to(take).freeze(), *left == 0))
            }
            BodyReader::UntilClose => Ok((buf.split().freeze(), false)),
            BodyReader::Chunked(state) => read_chunked(state, buf),
        }
    }
}

fn read_chunked(state: &mut ChunkState, buf: &mut BytesMut) -> Result<BodyPiece, String> {
    let mut data = BytesMut::new();
    loop {
        match state {
            ChunkState::Size => match httparse::parse_chunk_size(buf) {
                Ok(httparse::Status::Complete((used, size))) => {
                    let _ = buf.split_to(used);
                    *state = if size == 0 {
                        ChunkState::Trailer
                    } else {
                        ChunkState::Data(size)
                    };
                }
                Ok(httparse::Status::Partial) => return Ok((data.freeze(), false)),
                Err(_) => return Err("malformed chunk size in the rejection body".into()),
            },
            ChunkState::Data(left) => {
                let take = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                data.extend_from_slice(&buf.split_to(take));
                *left -= take as u64;
                if *left > 0 {
                    return Ok((data.freeze(), false));
                }
                *state = ChunkState::DataEnd;
            }
            ChunkState::DataEnd => {
                if buf.len() < 2 {
                    return Ok((data.freeze(), false));
                }
                if &buf[..2] != b"\r\n" {
                    return Err("chunk data not followed by CRLF in the rejection body".into());
                }
                let _ = buf.split_to(2);
                *state = ChunkState::Size;
            }
            ChunkState::Trailer => {
                let Some(end) = buf.windows(2).position(|w| w == b"\r\n") else {
                    return Ok((data.freeze(), false));
                };
                let _ = buf.split_to(end + 2);
                if end == 0 {
                    return Ok((data.freeze(), true));
                }
            }
        }
    }
}

/// Appends one chunk of a chunked body (an empty `data` writes nothing: an empty chunk
/// would end the body).
pub(crate) fn write_chunk(out: &mut Vec<u8>, data: &[u8]) {
    if !data.is_empty() {
        out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends the last chunk, ending a chunked body.
pub(crate) fn write_last_chunk(out: &mut Vec<u8>) {
    out.extend_from_slice(b"0\r\n\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mut reader: BodyReader, wire: &[u8], step: usize) -> (Vec<u8>, bool) {
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        for piece in wire.chunks(step) {
            buf.extend_from_slice(piece);
            let (data, done) = reader.read(&mut buf).unwrap();
            body.extend_from_slice(&data);
            if done {
                return (body, true);
            }
        }
        (body, false)
    }

    #[test]
    fn chunked_bodies_decode_in_any_split() {
        let mut wire = Vec::new();
        write_chunk(&mut wire, b"hello ");
        write_chunk(&mut wire, b"");
        write_chunk(&mut wire, b"world");
        write_last_chunk(&mut wire);
        for step in 1..wire.len() {
            let reader = BodyReader::Chunked(ChunkState::Size);
            assert_eq!(
                read_all(reader, &wire, step),
                (b"hello world".to_vec(), true),
                "step {step}"
            );
        }
    }

    #[test]
    fn length_bodies_stop_at_the_length() {
        assert_eq!(
            read_all(BodyReader::Length(3), b"abcdef", 2),
            (b"abc".to_vec(), true)
        );
        let mut bad = BodyReader::Chunked(ChunkState::Size);
        assert!(bad.read(&mut BytesMut::from(&b"zz\r\n"[..])).is_err());
    }
}
