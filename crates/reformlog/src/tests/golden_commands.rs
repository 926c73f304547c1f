//! Golden encodings of every `Command` variant: the payload bytes the idempotency fingerprints
//! are taken over, the fingerprint and the change key of each. A change recorded by an older
//! build is skipped on import only while these stay the same, so they never change.
//!
//! Adding a command: append the variant at the end of `Command` (never reorder or remove one:
//! the codec numbers variants by their place), give it the next number in [`place`], append
//! an instance to [`every_command`], then append its line to
//! `tests/fixtures/domain-commands.hex` with
//! `cargo test -p reformlog append_new_command_fixture_lines -- --ignored`, which writes only
//! the lines the file lacks.

use super::golden_events::{every_event, sample, Sample};
use super::serde_names::{variant_name, variant_names};
use super::support::*;
use crate::idempotency::fingerprint;
use crate::payload::{
    CommitteeCharter, CommitteeDuties, TaskAssignment, TaskProgress, TaskStatusChange,
};
use crate::{Command, Evidence, SeatHolder, SeatSpec, SubBodySpec};

/// `name place payload-hex fingerprint change-key` lines, one per variant in the enum's order,
/// then the progress report citing no documents, then `list` and the fingerprint of
/// [`request_list`].
const FIXTURE: &str = include_str!("../../../../tests/fixtures/domain-commands.hex");

const HOW_TO_ADD: &str = "Command variants are encoded by their place in the enum: append a \
new variant at the end of `Command`, never reorder or remove one; give it the next number in \
`place`, an instance at the end of `every_command()`, and add its fixture line with \
`cargo test -p reformlog append_new_command_fixture_lines -- --ignored` \
(tests/fixtures/domain-commands.hex; existing lines are never rewritten)";

/// Each variant's place among `Command`'s variants. No wildcard: a new variant does not
/// compile until it is given its place here.
fn place(c: &Command) -> u32 {
    use Command as C;
    match c {
        C::EstablishUnit(_) => 0,
        C::RenameUnit(_) => 1,
        C::MoveUnit(_) => 2,
        C::MergeUnit(_) => 3,
        C::DissolveUnit(_) => 4,
        C::RegisterPerson(_) => 5,
        C::RenamePerson(_) => 6,
        C::CreatePost(_) => 7,
        C::AppointToPost(_) => 8,
        C::EndPostHolding(_) => 9,
        C::AbolishPost(_) => 10,
        C::RecordDecision(_) => 11,
        C::EstablishCommittee(_) => 12,
        C::RenameCommittee(_) => 13,
        C::SetDuties(_) => 14,
        C::CreateSeat { .. } => 15,
        C::AbolishSeat(_) => 16,
        C::StartMembership(_) => 17,
        C::EndMembership(_) => 18,
        C::ReplaceSeatHolder { .. } => 19,
        C::MoveMember { .. } => 20,
        C::Reconstitute { .. } => 21,
        C::DissolveCommittee(_) => 22,
        C::CreateTask(_) => 23,
        C::AssignTask(_) => 24,
        C::ExtendDeadline(_) => 25,
        C::ReportProgress(_) => 26,
        C::CompleteTask(_) => 27,
        C::CancelTask(_) => 28,
        C::ReopenTask(_) => 29,
        C::Correct { .. } => 30,
        C::Retract { .. } => 31,
        C::DesignateSeatHolder(_) => 32,
        C::LinkDecision(_) => 33,
    }
}

fn spec(seat: &str, role: crate::Role, holder: Option<(&str, &str)>) -> SeatSpec {
    SeatSpec {
        seat: crate::SeatId::from_slug(&format!("bcd-cchc-bo-tttt/{seat}")).unwrap(),
        role,
        on_behalf_of: Some(unit("van-phong-bo")),
        ex_officio: None,
        label: Some("Trưởng ban".to_owned()),
        holder: holder.map(|(membership, who)| SeatHolder {
            membership: crate::MembershipId::from_slug(membership).unwrap(),
            person: person(who),
        }),
    }
}

/// One command of every variant, in the enum's order, with optional fields filled.
pub(crate) fn every_command() -> Vec<Command> {
    let Sample {
        dec,
        c,
        seat,
        membership,
        task,
        assignment,
        on,
        later,
        ..
    } = sample();
    let sub = committee("to-giup-viec");
    let next = crate::MembershipId::from_slug("bcd-cchc-bo-tttt/pho-ban/qd-34-2022").unwrap();
    // A command that records one of the sample events is the one `restating` makes of it, so
    // the sample's values are written once; the commands with no such event, or filled
    // otherwise here, are written out.
    let events = every_event();
    let restated = |name: &str| {
        let event = events.iter().find(|e| e.type_name() == name).unwrap();
        Command::restating(event)
    };
    let mut establish = restated("committee_established");
    if let Command::EstablishCommittee(CommitteeCharter { duties, .. }) = &mut establish {
        *duties = vec!["Tham mưu".to_owned()];
    }
    let mut report = restated("task_progress_reported");
    if let Command::ReportProgress(TaskProgress { evidence, .. }) = &mut report {
        evidence.documents.truncate(1);
    }
    // The unit, person, post and decision commands, in the order of their events.
    let mut all: Vec<Command> = events[..12].iter().map(Command::restating).collect();
    all.extend([
        establish,
        restated("committee_renamed"),
        Command::SetDuties(CommitteeDuties {
            committee: c,
            duties: vec!["Tham mưu".to_owned(), "Đôn đốc".to_owned()],
            on,
            decision: dec,
        }),
        Command::CreateSeat {
            committee: c,
            spec: spec(
                "truong-ban",
                crate::Role::Head,
                Some(("m-1", "pham-minh-tien")),
            ),
            on,
            decision: dec,
        },
        restated("seat_abolished"),
        restated("membership_started"),
        restated("membership_ended"),
        Command::ReplaceSeatHolder {
            committee: c,
            seat,
            membership: next,
            person: person("do-cong-anh"),
            on: later,
            decision: dec,
        },
        Command::MoveMember {
            committee: c,
            from_membership: membership,
            to_seat: crate::SeatId::from_slug("bcd-cchc-bo-tttt/pho-ban").unwrap(),
            membership: next,
            on: later,
            decision: dec,
        },
        Command::Reconstitute {
            committee: c,
            on: later,
            decision: dec,
            seats: vec![spec(
                "truong-ban",
                crate::Role::Head,
                Some(("m-2", "pham-minh-tien")),
            )],
            sub_bodies: vec![SubBodySpec {
                committee: sub,
                seats: vec![spec("to-truong", crate::Role::Member, None)],
            }],
        },
        restated("committee_dissolved"),
        restated("task_created"),
        Command::AssignTask(TaskAssignment {
            task,
            assignment,
            on,
            decision: Some(dec),
        }),
        restated("task_deadline_extended"),
        report,
        restated("task_completed"),
        Command::CancelTask(TaskStatusChange {
            task,
            on,
            decision: Some(dec),
        }),
        restated("task_reopened"),
        restated("corrected"),
        restated("retracted"),
        restated("seat_holder_designated"),
        restated("decision_linked"),
    ]);
    all
}

/// A progress report citing no documents: fingerprinted in the layout older builds gave it.
fn report_without_documents() -> Command {
    Command::ReportProgress(TaskProgress {
        task: crate::TaskId::from_slug("nv-1").unwrap(),
        percent: 100,
        note: "Hoàn thành".to_owned(),
        evidence: Evidence {
            note: Some("Công văn số 5".to_owned()),
            documents: Vec::new(),
        },
        on: d("2022-06-30"),
        decision: None,
    })
}

/// The commands the fixture holds, each with the name its line carries.
fn fixture_commands() -> Vec<(String, Command)> {
    let mut all: Vec<(String, Command)> = every_command()
        .into_iter()
        .map(|c| (variant_name(&c), c))
        .collect();
    all.push((
        "report_progress_without_documents".to_owned(),
        report_without_documents(),
    ));
    all
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn line(name: &str, c: &Command) -> String {
    let bytes = reformlog_store::encode_payload(c).unwrap();
    format!(
        "{name} {} {} {} {}",
        place(c),
        hex(&bytes),
        fingerprint(std::slice::from_ref(c)).unwrap(),
        c.change_key().unwrap()
    )
}

struct Line<'a> {
    name: &'a str,
    place: u32,
    hex: &'a str,
    fingerprint: &'a str,
    change_key: &'a str,
}

fn fixture_lines() -> (Vec<Line<'static>>, &'static str) {
    let mut lines = Vec::new();
    let mut list = "";
    for l in FIXTURE.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = l.split(' ').collect();
        if let ["list", print] = fields[..] {
            list = print;
            continue;
        }
        let [name, place, hex, fingerprint, change_key] = fields[..] else {
            panic!("a fixture line of five fields expected, got {l}");
        };
        lines.push(Line {
            name,
            place: place.parse().unwrap(),
            hex,
            fingerprint,
            change_key,
        });
    }
    (lines, list)
}

#[test]
fn the_builder_holds_every_variant_once_in_the_enums_order() {
    let made: Vec<String> = every_command().iter().map(variant_name).collect();
    assert_eq!(made, variant_names::<Command>(), "{HOW_TO_ADD}");
    let places: Vec<u32> = every_command().iter().map(place).collect();
    let expected: Vec<u32> = (0..places.len() as u32).collect();
    assert_eq!(places, expected, "{HOW_TO_ADD}");
    // The codec's own variant number leads each encoding: `place` must agree with it.
    for c in every_command() {
        let bytes = reformlog_store::encode_payload(&c).unwrap();
        assert_eq!(
            bytes[..4],
            place(&c).to_be_bytes(),
            "`{}` is encoded as another variant number than its place: {HOW_TO_ADD}",
            variant_name(&c)
        );
    }
}

#[test]
fn every_command_keeps_its_bytes_fingerprint_and_change_key() {
    let (lines, _) = fixture_lines();
    let commands = fixture_commands();
    assert_eq!(
        lines.len(),
        commands.len(),
        "tests/fixtures/domain-commands.hex has {} lines for {} commands: {HOW_TO_ADD}",
        lines.len(),
        commands.len()
    );
    for (l, (name, c)) in lines.iter().zip(&commands) {
        assert_eq!(
            (l.name, l.place),
            (name.as_str(), place(c)),
            "the fixture's line and the command differ: a variant was reordered, renamed or \
             removed. {HOW_TO_ADD}"
        );
        let bytes = reformlog_store::encode_payload(c).unwrap();
        assert_eq!(
            hex(&bytes),
            l.hex,
            "`{name}` is encoded differently: its fields changed shape or order, which \
             changes every fingerprint recorded with it. {HOW_TO_ADD}"
        );
        let back: Command = reformlog_store::decode_payload(&bytes).unwrap();
        assert_eq!(&back, c, "{name}");
        assert_eq!(
            fingerprint(std::slice::from_ref(c)).unwrap(),
            l.fingerprint,
            "`{name}`'s fingerprint changed: a retry or an import of a change an older build \
             recorded would be refused as a conflict"
        );
        assert_eq!(c.change_key().unwrap(), l.change_key, "{name}");
    }
}

/// A request of several commands, both fingerprint layouts among them; fixed, so its pinned
/// fingerprint never moves when variants are added.
fn request_list() -> Vec<Command> {
    let all = every_command();
    vec![
        all[0].clone(),
        all[5].clone(),
        report_without_documents(),
        all[23].clone(),
    ]
}

#[test]
fn a_request_fingerprint_covers_the_whole_list_in_order() {
    let (_, list) = fixture_lines();
    let commands = request_list();
    assert_eq!(
        fingerprint(&commands).unwrap(),
        list,
        "the fingerprint of a request changed"
    );
    let mut reversed = commands;
    reversed.reverse();
    assert_ne!(fingerprint(&reversed).unwrap(), list);
}

/// Appends the lines of commands the fixture does not hold yet; the lines it holds are never
/// rewritten (`cargo test -p reformlog append_new_command_fixture_lines -- --ignored`).
#[test]
#[ignore = "writes a committed fixture"]
fn append_new_command_fixture_lines() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/domain-commands.hex"
    );
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let old: Vec<&str> = old.lines().filter(|l| !l.trim().is_empty()).collect();
    let kept = |prefix: &str| {
        old.iter()
            .find(|l| l.starts_with(prefix))
            .map(|l| (*l).to_owned())
    };
    let legacy_name = "report_progress_without_documents";
    let mut out: Vec<String> = old
        .iter()
        .filter(|l| !l.starts_with(&format!("{legacy_name} ")) && !l.starts_with("list "))
        .map(|l| (*l).to_owned())
        .collect();
    for c in every_command().iter().skip(out.len()) {
        out.push(line(&variant_name(c), c));
    }
    out.push(
        kept(&format!("{legacy_name} "))
            .unwrap_or_else(|| line(legacy_name, &report_without_documents())),
    );
    out.push(
        kept("list ").unwrap_or_else(|| format!("list {}", fingerprint(&request_list()).unwrap())),
    );
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}
