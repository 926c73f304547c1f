//! Shared benchmark helpers: a realistic event workload, the baselines' record bytes, medians and the report table.

pub mod domain_log;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use reformlog_store::{
    encode_payload, CodecError, ExpectedRevision, Hash, Metadata, NewEvent, RecordedEvent,
    StreamAppend, Timestamp,
};
use serde::Serialize;
use uuid::Uuid;

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

/// The record bytes the store writes for this event at this place in the log (layout 4), in
/// commit number `commit` whose metadata is `commit_metadata`, with a stand-in hash (layout 4
/// stores neither the position, which is the key, nor the time or the previous hash, so only the
/// hash stands in, and it is 32 bytes like the real one).
///
/// A record whose metadata is its commit's stores none; one whose metadata differs (most events
/// of a bulk commit, since the workload varies actor and reason) stores its own, as the store
/// does. `raw::encode_record_v4_bytes` gives the first form; the second is made from it here by
/// putting the metadata in, and [`Bulk::new`] checks its first batch with the store's decoder.
pub fn record_bytes(
    position: u64,
    commit: u64,
    stream: &str,
    revision: u64,
    e: &NewEvent,
    commit_metadata: &Metadata,
) -> Result<Vec<u8>, CodecError> {
    let record = RecordedEvent {
        position,
        commit,
        stream: stream.to_string(),
        revision,
        event_id: e.id,
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        recorded_at: Timestamp::from_micros(1_750_000_000_000_000 + position as i64),
        metadata: e.metadata.clone(),
        payload: e.payload.clone(),
        prev_hash: Hash(hash_like(position.wrapping_sub(1))),
        hash: Hash(hash_like(position)),
    };
    let mut bytes = reformlog_store::raw::encode_record_v4_bytes(&record)?;
    if e.metadata != *commit_metadata {
        // Layout 4's fields before the metadata: version byte, commit, stream, revision, event
        // id, event type, schema version; then the metadata as an option, here `None` (0).
        let at = 1
            + varint_len(commit)
            + varint_len(stream.len() as u64)
            + stream.len()
            + varint_len(revision)
            + 16
            + varint_len(e.event_type.len() as u64)
            + e.event_type.len()
            + varint_len(u64::from(e.schema_version));
        if bytes.get(at) != Some(&0) {
            return Err(CodecError::Invalid(
                "layout 4 changed: no empty metadata where the benchmark expects it".into(),
            ));
        }
        let mut own = vec![1u8];
        put_metadata(&mut own, &e.metadata);
        bytes.splice(at..=at, own);
    }
    Ok(bytes)
}

/// The commit-table entry the store writes for a commit (layout 1 of commit entries: version
/// byte, first and last position, recorded-at time, metadata), for the raw sled diagnostics
/// that write the store's entries without the store.
pub fn commit_entry_bytes(
    first_position: u64,
    last_position: u64,
    recorded_at: i64,
    metadata: &Metadata,
) -> Vec<u8> {
    let mut out = vec![1u8];
    put_varint(&mut out, first_position);
    put_varint(&mut out, last_position);
    // bincode's variable-length signed integers are zigzag-encoded.
    put_varint(&mut out, ((recorded_at << 1) ^ (recorded_at >> 63)) as u64);
    put_metadata(&mut out, metadata);
    out
}

/// Bytes of `v` as a bincode variable-length integer (the store's layout-4 encoding).
fn varint_len(v: u64) -> usize {
    match v {
        0..=250 => 1,
        251..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// `v` as a bincode variable-length integer, big-endian past the marker byte.
fn put_varint(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=250 => out.push(v as u8),
        251..=0xffff => {
            out.push(251);
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(252);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        _ => {
            out.push(253);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Metadata as layout 4 stores it: actor, reason, source, correlation and causation ids, then
/// the extra pairs in key order.
fn put_metadata(out: &mut Vec<u8>, m: &Metadata) {
    put_str(out, &m.actor);
    for text in [&m.reason, &m.source] {
        match text {
            None => out.push(0),
            Some(t) => {
                out.push(1);
                put_str(out, t);
            }
        }
    }
    for id in [m.correlation_id, m.causation_id] {
        match id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                out.extend_from_slice(id.as_bytes());
            }
        }
    }
    put_varint(out, m.extra.len() as u64);
    for (k, v) in &m.extra {
        put_str(out, k);
        put_str(out, v);
    }
}

/// 32 bytes that look random, standing in for a hash the baselines do not compute.
fn hash_like(x: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(x ^ ((i as u64) << 56)).to_le_bytes());
    }
    out
}

/// Events for the durable-append benchmarks, cycled; each use gets a fresh id.
#[derive(Debug)]
pub struct Pool {
    /// (stream id, event) pairs.
    pub events: Vec<(String, NewEvent)>,
    /// The record bytes of each event as a commit of its own (layout 4), for the file and
    /// SQLite baselines.
    pub records: Vec<Vec<u8>>,
}

impl Pool {
    /// `n` workload events.
    pub fn new(n: u64) -> Result<Self, CodecError> {
        let mut events = Vec::new();
        let mut records = Vec::new();
        for i in 0..n {
            let (stream, event) = make_event(i)?;
            records.push(record_bytes(
                i + 1,
                i + 1,
                &stream,
                0,
                &event,
                &event.metadata,
            )?);
            events.push((stream, event));
        }
        Ok(Self { events, records })
    }

    /// The `k`-th event to append (cycling), with a fresh id so the store never sees a retry.
    pub fn event(&self, k: u64) -> (&str, NewEvent) {
        let (stream, event) = &self.events[self.index(k)];
        (stream.as_str(), event.clone().with_id(Uuid::now_v7()))
    }

    /// The `k`-th record's bytes (cycling).
    pub fn record(&self, k: u64) -> &[u8] {
        &self.records[self.index(k)]
    }

    fn index(&self, k: u64) -> usize {
        usize::try_from(k % self.events.len() as u64).unwrap_or(0)
    }
}

/// A bulk-import workload: batches for the store and the same records for raw sled.
#[derive(Debug)]
pub struct Bulk {
    /// `append_multi` calls: each groups one batch's events by stream (a stream may appear once
    /// per call), so positions follow the order of streams within the batch.
    pub batches: Vec<Vec<StreamAppend>>,
    /// The record bytes in position order (position = index + 1), in layout 4 as the store
    /// writes them: each batch is one commit (numbered from 1) with its first event's metadata.
    pub records: Vec<Vec<u8>>,
    /// Total events.
    pub events: u64,
    /// Sum of [`logical_bytes`] over all events.
    pub logical_bytes: u64,
    /// Sum of record lengths (what the store writes under the record keys, before keys,
    /// indexes and commit entries).
    pub record_bytes: u64,
    /// How many streams the events touch.
    pub streams: u64,
}

impl Bulk {
    /// `events` workload events in batches of `per_batch`.
    pub fn new(events: u64, per_batch: usize) -> Result<Self, CodecError> {
        let per_batch = per_batch.max(1) as u64;
        let mut batches = Vec::new();
        let mut records = Vec::with_capacity(usize::try_from(events).unwrap_or(0));
        let mut revisions: HashMap<String, u64> = HashMap::new();
        let (mut logical, mut record_total) = (0u64, 0u64);
        let mut position = 1u64;
        let mut next = 0u64;
        while next < events {
            let end = (next + per_batch).min(events);
            let mut order: HashMap<String, usize> = HashMap::new();
            let mut batch: Vec<StreamAppend> = Vec::new();
            for seed in next..end {
                let (stream, event) = make_event(seed)?;
                logical += logical_bytes(&stream, &event);
                let slot = *order.entry(stream.clone()).or_insert_with(|| {
                    batch.push(StreamAppend::new(
                        stream.clone(),
                        ExpectedRevision::Any,
                        Vec::new(),
                    ));
                    batch.len() - 1
                });
                batch[slot].events.push(event);
            }
            let commit = batches.len() as u64 + 1;
            let commit_metadata = batch
                .first()
                .and_then(|a| a.events.first())
                .map(|e| e.metadata.clone())
                .unwrap_or_default();
            for a in &batch {
                for e in &a.events {
                    let rev = revisions.entry(a.stream.clone()).or_insert(0);
                    let bytes =
                        record_bytes(position, commit, &a.stream, *rev, e, &commit_metadata)?;
                    if commit == 1 {
                        check_record(&bytes, commit, &a.stream, *rev, e, &commit_metadata)?;
                    }
                    record_total += bytes.len() as u64;
                    records.push(bytes);
                    *rev += 1;
                    position += 1;
                }
            }
            batches.push(batch);
            next = end;
        }
        Ok(Self {
            batches,
            records,
            events,
            logical_bytes: logical,
            record_bytes: record_total,
            streams: revisions.len() as u64,
        })
    }
}

/// Decodes record bytes made by [`record_bytes`] with the store's decoder and checks they hold
/// the event as given, so a change to layout 4 cannot leave the baselines writing other bytes.
fn check_record(
    bytes: &[u8],
    commit: u64,
    stream: &str,
    revision: u64,
    e: &NewEvent,
    commit_metadata: &Metadata,
) -> Result<(), CodecError> {
    let r = reformlog_store::raw::decode_record_v4_bytes(bytes)?;
    // A record without metadata of its own decodes with empty metadata.
    let own = if e.metadata == *commit_metadata {
        Metadata::default()
    } else {
        e.metadata.clone()
    };
    let same = r.commit == commit
        && r.stream == stream
        && r.revision == revision
        && r.event_id == e.id
        && r.event_type == e.event_type
        && r.payload == e.payload
        && r.metadata == own;
    if same {
        Ok(())
    } else {
        Err(CodecError::Invalid(format!(
            "benchmark record bytes for {stream} revision {revision} decode to something else"
        )))
    }
}

/// A whole number from the environment variable `name`, if set and valid.
pub fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// CPU seconds (user and system) this process has used so far, over all its threads, from
/// `/proc/self/stat` in clock ticks of 1/100 s (Linux's `USER_HZ` on the machines measured);
/// `None` where that file is missing or unreadable.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // utime and stime are the 14th and 15th fields of the line, 12th and 13th after ')'.
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The `p` quantile (0 to 1, nearest rank) of durations sorted ascending; zero when empty.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The median of `xs` (mean of the middle two for an even count); 0 for none.
pub fn median(xs: &[f64]) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Which side of the target a ratio must fall on.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// The ratio must be at least this.
    AtLeast(f64),
    /// The ratio must be at most this.
    AtMost(f64),
    /// No target: a figure shown to explain the others.
    Info,
}

impl Target {
    fn verdict(self, ratio: f64) -> &'static str {
        match self {
            Target::AtLeast(t) if ratio >= t => "PASS",
            Target::AtMost(t) if ratio <= t => "PASS",
            Target::Info => "info",
            _ => "FAIL",
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtLeast(t) => format!(">= {t}"),
            Target::AtMost(t) => format!("<= {t}"),
            Target::Info => "-".into(),
        }
    }
}

/// One line of the report: a subject and its baseline, each measured once per repetition.
#[derive(Debug)]
pub struct Row {
    /// P1, P2, ... or D1, D2, ... for diagnostics.
    pub id: &'static str,
    /// What the subject is.
    pub subject: String,
    /// What the baseline is.
    pub baseline: String,
    /// The unit of both figures.
    pub unit: &'static str,
    /// The subject's figure in each repetition.
    pub subject_runs: Vec<f64>,
    /// The baseline's figure in each repetition.
    pub baseline_runs: Vec<f64>,
    /// The target for median(subject) / median(baseline).
    pub target: Target,
}

impl Row {
    /// median(subject) / median(baseline).
    pub fn ratio(&self) -> f64 {
        median(&self.subject_runs) / median(&self.baseline_runs)
    }

    /// "PASS", "FAIL" or "info".
    pub fn verdict(&self) -> &'static str {
        self.target.verdict(self.ratio())
    }
}

/// A figure with thousands separators or a few significant decimals.
pub fn fmt_num(x: f64) -> String {
    if x.abs() >= 1000.0 {
        let whole = x.round() as i64;
        let digits = whole.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if whole < 0 {
            out.insert(0, '-');
        }
        out
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// The report as a Markdown table, then each row's per-repetition figures.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("| id | subject | baseline | unit | subject (median) | baseline (median) | ratio | target | verdict |\n");
    out.push_str("| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.3} | {} | {} |",
            r.id,
            r.subject,
            r.baseline,
            r.unit,
            fmt_num(median(&r.subject_runs)),
            fmt_num(median(&r.baseline_runs)),
            r.ratio(),
            r.target.describe(),
            r.verdict()
        );
    }
    out.push_str("\nPer repetition (subject / baseline = ratio):\n");
    for r in rows {
        let runs: Vec<String> = r
            .subject_runs
            .iter()
            .zip(&r.baseline_runs)
            .map(|(s, b)| format!("{} / {} = {:.3}", fmt_num(*s), fmt_num(*b), s / b))
            .collect();
        let _ = writeln!(out, "  {}: {}", r.id, runs.join("; "));
    }
    out
}

/// (apparent bytes, allocated bytes) of every file under `dir`.
pub fn dir_size(dir: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut apparent = 0;
    let mut allocated = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let (a, b) = dir_size(&entry.path())?;
            apparent += a;
            allocated += b;
        } else {
            apparent += meta.len();
            allocated += meta.blocks() * 512;
        }
    }
    Ok((apparent, allocated))
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

    #[test]
    fn bulk_records_follow_commits_and_revisions() {
        let bulk = Bulk::new(2_500, 1_000).unwrap();
        assert_eq!(bulk.records.len(), 2_500);
        let mut revisions: HashMap<String, u64> = HashMap::new();
        let mut own_metadata = 0;
        for (i, bytes) in bulk.records.iter().enumerate() {
            let r = reformlog_store::raw::decode_record_v4_bytes(bytes).unwrap();
            assert_eq!(r.commit, i as u64 / 1_000 + 1);
            let rev = revisions.entry(r.stream.clone()).or_insert(0);
            assert_eq!(r.revision, *rev);
            *rev += 1;
            if r.metadata != Metadata::default() {
                own_metadata += 1;
            }
        }
        // The workload varies actor and reason, so most events differ from their commit's.
        assert!(own_metadata > 2_000, "{own_metadata}");
        assert_eq!(
            bulk.record_bytes,
            bulk.records.iter().map(|r| r.len() as u64).sum::<u64>()
        );
    }

    #[test]
    fn records_with_their_own_metadata_decode_whole() {
        let commit_metadata = Metadata::by("clerk:other");
        for (i, seed) in (0..200u64).enumerate() {
            let (stream, mut e) = make_event(seed).unwrap();
            e.metadata = e
                .metadata
                .with_source("import")
                .with_correlation(Uuid::from_u128(u128::from(seed)))
                .with_extra("k", "v".repeat(300));
            let position = 70_000 + i as u64;
            let bytes =
                record_bytes(position, position, &stream, 300, &e, &commit_metadata).unwrap();
            check_record(&bytes, position, &stream, 300, &e, &commit_metadata).unwrap();
            let plain = record_bytes(position, position, &stream, 300, &e, &e.metadata).unwrap();
            check_record(&plain, position, &stream, 300, &e, &e.metadata).unwrap();
        }
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "compares the baselines' bytes with what the store put in sled, read raw"
    )]
    fn bulk_records_are_the_stores_bytes_but_the_hash() {
        let bulk = Bulk::new(3_000, 1_000).unwrap();
        let dir = tempfile::tempdir().unwrap();
        {
            let store = reformlog_store::Store::open(dir.path()).unwrap();
            let mut import = store.bulk_import_flushed_at_end();
            for batch in &bulk.batches {
                import.append_multi(batch).unwrap();
            }
            assert_eq!(import.finish().unwrap(), 3_000);
        }
        // sled lets go of its lock from background threads shortly after the store closes.
        let db = (0..100)
            .find_map(|_| {
                sled::open(dir.path())
                    .map_err(|_| std::thread::sleep(std::time::Duration::from_millis(50)))
                    .ok()
            })
            .unwrap();
        let tree = db.open_tree("reformlog.log.v1").unwrap();
        for (i, ours) in bulk.records.iter().enumerate() {
            let mut key = vec![0x10u8];
            key.extend_from_slice(&(i as u64 + 1).to_be_bytes());
            let stored = tree.get(&key).unwrap().unwrap();
            assert_eq!(stored.len(), ours.len(), "position {}", i + 1);
            assert_eq!(&stored[..stored.len() - 32], &ours[..ours.len() - 32]);
        }
    }

    #[test]
    fn varints_match_their_lengths() {
        for v in [0, 250, 251, 65_535, 65_536, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
        }
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
