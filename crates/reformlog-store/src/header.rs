//! The store header: magic, format version and codec name, checked on every open.
//!
//! Written by hand (not by the codec) so that a build with a different codec can still read it
//! and refuse the store with a clear error instead of misreading records.

use crate::codec::CODEC_NAME;

const MAGIC: &[u8; 16] = b"reformlog-store\0";

/// The store format this build writes and the newest it reads. Formats 1 (one index key per
/// entry) and 2 (chunks of 64 revisions, 2^16 id buckets) differ from 3 (chunks of 16, 2^16
/// buckets keyed by u32) only in their indexes; 4 adds commits, record layout 4 and the
/// journal. Older formats are upgraded on open.
pub(crate) const FORMAT_VERSION: u32 = 4;
/// The last format without commits and journal.
pub(crate) const FORMAT_3: u32 = 3;

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) format_version: u32,
    pub(crate) codec: String,
}

impl Header {
    pub(crate) fn current() -> Self {
        Self::of(FORMAT_VERSION)
    }

    pub(crate) fn of(format_version: u32) -> Self {
        Self {
            format_version,
            codec: CODEC_NAME.to_string(),
        }
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + 6 + self.codec.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.format_version.to_be_bytes());
        let len = u16::try_from(self.codec.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.codec.as_bytes()[..usize::from(len)]);
        out
    }

    /// `None` when the bytes are not a header this or any build wrote.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (version, rest) = rest.split_first_chunk::<4>()?;
        let (len, rest) = rest.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() != len {
            return None;
        }
        Some(Self {
            format_version: u32::from_be_bytes(*version),
            codec: String::from_utf8(rest.to_vec()).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejects_garbage() {
        let h = Header::current();
        assert_eq!(Header::decode(&h.encode()), Some(Header::current()));
        assert_eq!(Header::decode(b"not a header"), None);
        let mut bytes = h.encode();
        bytes.push(0);
        assert_eq!(Header::decode(&bytes), None);
    }
}
