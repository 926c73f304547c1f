//! The workload: realistic membership-change events spread over many streams, and the bytes a
//! caller hands in for each.

use reformlog_store::{encode_payload, CodecError, Metadata, NewEvent};
use serde::Serialize;

/// How many distinct streams the workload spreads its events over.
pub const STREAMS: u64 = 10_000;
/// The first this many stream numbers are committees, the rest people.
const COMMITTEES: u64 = 2_500;

/// splitmix64: a fixed, dependency-free generator, so every run sees the same workload.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], r: u64) -> &'a str {
    // The lists are short constants, so the modulo always fits in usize.
    list[usize::try_from(r % list.len() as u64).unwrap_or(0)]
}

const ROLES: &[&str] = &[
    "Trưởng ban",
    "Phó Trưởng ban thường trực",
    "Phó Trưởng ban",
    "Ủy viên",
    "Thư ký",
    "Tổ trưởng Tổ giúp việc",
];
const ORGANISATIONS: &[&str] = &[
    "Bộ Nội vụ",
    "Văn phòng Chính phủ",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Bộ Kế hoạch và Đầu tư",
    "Ủy ban nhân dân tỉnh Quảng Nam",
    "Sở Nội vụ Thành phố Hồ Chí Minh",
];
const NOTES: &[&str] = &[
    "",
    "Thay thế thành viên đã nghỉ hưu.",
    "Kiêm nhiệm, không hưởng phụ cấp.",
    "Theo đề nghị tại Tờ trình số 45/TTr-BNV.",
    "Phụ trách cải cách thủ tục hành chính.",
];
const EVENT_TYPES: &[&str] = &[
    "MembershipStarted",
    "MembershipEnded",
    "RoleChanged",
    "TaskAssigned",
    "TaskProgressReported",
    "CommitteeRenamed",
];
const ACTORS: &[&str] = &[
    "clerk:bnv-vp",
    "clerk:vpcp-07",
    "editor:van-phong-bo",
    "service:import",
];
const REASONS: &[&str] = &[
    "Kiện toàn Ban Chỉ đạo cải cách hành chính",
    "Điều chỉnh phân công nhiệm vụ",
    "Cập nhật theo báo cáo tiến độ quý",
    "Sửa sai sót nhập liệu",
];

/// A civil date as (year, month, day): small and positional, like the domain's own payloads.
type Date = (i32, u8, u8);

/// A domain-like payload: who holds which role in which committee, on what authority.
#[derive(Debug, Serialize)]
pub struct MembershipChange {
    /// The committee's stream id.
    pub committee: String,
    /// The person's stream id.
    pub person: String,
    /// Full name as written, with diacritics.
    pub full_name: String,
    /// The role held.
    pub role: String,
    /// The person's home organisation.
    pub organisation: String,
    /// The decision the change rests on.
    pub decision: String,
    /// First day the change holds.
    pub valid_from: Date,
    /// Last day, when known.
    pub valid_to: Option<Date>,
    /// Free text.
    pub note: String,
}

/// The stream id for stream number `n`: `committee-<n>` or `person-<n>`.
pub fn stream_id(n: u64) -> String {
    if n < COMMITTEES {
        format!("committee-{n}")
    } else {
        format!("person-{n}")
    }
}

/// Event number `seed` of the workload: its stream and the event (with a fresh v7 id).
pub fn make_event(seed: u64) -> Result<(String, NewEvent), CodecError> {
    let r = mix(seed);
    let stream = stream_id(r % STREAMS);
    let person = 2_500 + mix(r) % (STREAMS - COMMITTEES);
    let committee = mix(r ^ 1) % COMMITTEES;
    let year = 2018 + i32::try_from(r % 8).unwrap_or(0);
    let month = u8::try_from(1 + (r >> 8) % 12).unwrap_or(1);
    let day = u8::try_from(1 + (r >> 16) % 28).unwrap_or(1);
    let payload = MembershipChange {
        committee: stream_id(committee),
        person: stream_id(person),
        // A generated placeholder of about the length of a full Vietnamese name.
        full_name: format!("Thành viên số {:05}", person % 100_000),
        role: pick(ROLES, r >> 27).to_string(),
        organisation: pick(ORGANISATIONS, r >> 31).to_string(),
        decision: format!("Quyết định số {}/QĐ-TTg", 100 + (r >> 37) % 2_000),
        valid_from: (year, month, day),
        valid_to: (r >> 41)
            .is_multiple_of(3)
            .then_some((year + 2, month, day)),
        note: pick(NOTES, r >> 45).to_string(),
    };
    let metadata = Metadata::by(pick(ACTORS, r >> 50)).with_reason(pick(REASONS, r >> 54));
    let event = NewEvent::new(
        pick(EVENT_TYPES, r >> 58),
        1,
        encode_payload(&payload)?,
        metadata,
    );
    Ok((stream, event))
}

/// The bytes a caller hands in, as counted for P10: payload, stream id, event type, and the
/// metadata's strings (actor, reason, source, extra keys and values). Not counted: the 16-byte
/// event id, the schema version and everything the store adds (position, revision, time, hashes).
pub fn logical_bytes(stream: &str, e: &NewEvent) -> u64 {
    let m = &e.metadata;
    let strings = m.actor.len()
        + m.reason.as_ref().map_or(0, String::len)
        + m.source.as_ref().map_or(0, String::len)
        + m.extra
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>();
    (e.payload.len() + stream.len() + e.event_type.len() + strings) as u64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn payloads_are_realistic_sizes() {
        let sizes: Vec<usize> = (0..2_000)
            .map(|i| make_event(i).unwrap().1.payload.len())
            .collect();
        let min = sizes.iter().min().unwrap();
        let max = sizes.iter().max().unwrap();
        assert!(*min >= 150 && *max <= 300, "payloads {min}..{max} bytes");
    }
}
