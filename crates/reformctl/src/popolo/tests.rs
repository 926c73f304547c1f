//! The third-party example file translated without a daemon: its ids, what it cites, what it
//! does not keep, and the files it is refused for.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use reformlog::{Command, PersonId, Translation};

use super::error::PopoloError;
use super::ids::Kind;
use super::{to_commands, Document};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/popolo-third-party.json")
}

fn doc(text: &str) -> Document {
    serde_json::from_str(text).unwrap()
}

fn text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

#[test]
fn string_ids_map_to_the_same_uuids_every_time_and_uuids_stay() {
    let first = to_commands(&doc(&text()), Some("34/QĐ-BTTTT")).unwrap();
    let again = to_commands(&doc(&text()), Some("qd34")).unwrap();
    assert_eq!(first.commands, again.commands);
    let p1 = PersonId::from_uuid(Kind::Person.map("p1"));
    assert!(first
        .commands
        .iter()
        .any(|c| matches!(c, Command::RegisterPerson(n) if n.person == p1)));
    // The same string is a different id in another kind's namespace.
    assert_ne!(Kind::Person.map("p1"), Kind::Organization.map("p1"));
    let uuid = "5aca9feb-5f1c-5599-a64c-488611599c1d";
    assert_eq!(Kind::Membership.map(uuid).to_string(), uuid);
}

#[test]
fn the_example_translates_into_commands_consistent_on_their_own() {
    let mut t = Translation::new();
    let loaded = crate::import::load_citing(&example(), &mut t, Some("34/QĐ-BTTTT")).unwrap();
    let creates =
        |pick: fn(&Command) -> bool| loaded.items.iter().filter(|i| pick(&i.command)).count();
    // One seat of the file's posts, and one for each of the six memberships naming no post.
    assert_eq!(creates(|c| matches!(c, Command::CreateSeat { .. })), 1 + 6);
    assert_eq!(creates(|c| matches!(c, Command::StartMembership(_))), 7);
    assert_eq!(creates(|c| matches!(c, Command::AppointToPost(_))), 1);
    // The event's link and a membership's citing it by number, each once.
    let links: Vec<&str> = loaded
        .items
        .iter()
        .filter_map(|i| match &i.command {
            Command::LinkDecision(l) => Some(l.url.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        links,
        [
            "https://example.org/van-ban/34-qd-btttt",
            "https://example.org/vbpl/34-qd-btttt"
        ]
    );
    let notes = loaded.notes.join("\n");
    for part in [
        r#""meta" is not read"#,
        r#"field "x_ghi_chu" not kept (1 records, first "p1")"#,
        r#"field "x_register_row""#,
        r#"memberships: source link citing no decision not kept (1 records, first "p6|bcd||2022-01-14")"#,
    ] {
        assert!(notes.contains(part), "{part} in {notes}");
    }
    let batches = crate::batch::plan(&loaded);
    crate::import::validate(&[(loaded, batches)], &t).unwrap();
}

#[test]
fn records_that_need_a_decision_and_cite_none_are_refused_by_name() {
    let err = to_commands(&doc(&text()), None).unwrap_err();
    assert_eq!(
        err,
        PopoloError::NoDecision {
            what: "organization bcd".into()
        }
    );
    let err = to_commands(&doc(&text()), Some("35/QĐ-BTTTT")).unwrap_err();
    assert_eq!(err, PopoloError::UnknownCite("35/QĐ-BTTTT".into()));
    // A decision the record cites itself needs no --cite; one of another file must be a UUID.
    let cited = text().replace(
        r#""classification": "committee","#,
        r#""classification": "committee", "decision_id": "qd34","#,
    );
    let err = to_commands(&doc(&cited), None).unwrap_err();
    assert!(
        matches!(&err, PopoloError::NoDecision { what } if what.starts_with("post truong-ban")),
        "{err}"
    );
    let elsewhere = text().replace(r#""unit_id": "mic""#, r#""unit_id": "qd34""#);
    let err = to_commands(&doc(&elsewhere), Some("qd34")).unwrap_err();
    assert!(
        matches!(
            err,
            PopoloError::Dangling {
                field: "unit_id",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_source_naming_a_decision_of_the_file_by_number_cites_it() {
    let source = |note: &str| {
        format!(
            r#""classification": "committee", "sources": [{{"url": "https://mic.gov.vn/", "note": "{note}"}}],"#
        )
    };
    let by_number = text().replace(
        r#""classification": "committee","#,
        &source("Quyết định 34/QĐ-BTTTT"),
    );
    // The committees cite Decision 34 now; the first record left citing nothing is a seat.
    let err = to_commands(&doc(&by_number), None).unwrap_err();
    assert!(
        matches!(&err, PopoloError::NoDecision { what } if what.starts_with("post truong-ban")),
        "{err}"
    );
    let other = text().replace(
        r#""classification": "committee","#,
        &source("Quyết định 134/QĐ-BTTTT"),
    );
    let err = to_commands(&doc(&other), None).unwrap_err();
    assert_eq!(
        err,
        PopoloError::NoDecision {
            what: "organization bcd".into()
        }
    );
}

#[test]
fn a_link_about_a_records_end_is_kept_on_its_end_decision() {
    let mut v: serde_json::Value = serde_json::from_str(&text()).unwrap();
    let mut end = v["events"][0].clone();
    end["id"] = "qd-end".into();
    end["identifiers"] = serde_json::json!([{ "identifier": "HYPOTHETICAL-2/QĐ-BTTTT" }]);
    end["start_date"] = "2023-02-01".into();
    end["sources"] = serde_json::json!([]);
    v["events"].as_array_mut().unwrap().push(end);
    let m = &mut v["memberships"][5];
    m["end_decision_id"] = "qd-end".into();
    m["sources"] = serde_json::json!([
        { "url": "https://example.org/van-ban/hypothetical-2", "note": "ended by HYPOTHETICAL-2/QĐ-BTTTT" }
    ]);
    let translated = to_commands(&doc(&v.to_string()), Some("34/QĐ-BTTTT")).unwrap();
    let link = translated
        .commands
        .iter()
        .find_map(|c| match c {
            Command::LinkDecision(l) if l.url.ends_with("hypothetical-2") => Some(l),
            _ => None,
        })
        .unwrap();
    let end_id = reformlog::DecisionId::from_uuid(Kind::Event.map("qd-end"));
    assert_eq!(link.decision, end_id);
    assert_eq!(link.on, "2023-02-01".parse().unwrap());
    assert!(
        !translated.notes.join("\n").contains("source link"),
        "{:?}",
        translated.notes
    );
}

#[test]
fn a_source_that_is_no_web_link_is_told_as_not_kept_and_the_import_goes_on() {
    let mut v: serde_json::Value = serde_json::from_str(&text()).unwrap();
    v["events"][0]["sources"] = serde_json::json!([{ "url": "www.example.org/van-ban/34" }]);
    let translated = to_commands(&doc(&v.to_string()), Some("34/QĐ-BTTTT")).unwrap();
    let links: Vec<&str> = translated
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::LinkDecision(l) => Some(l.url.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(links, ["https://example.org/vbpl/34-qd-btttt"]);
    let notes = translated.notes.join("\n");
    assert!(
        notes.contains(
            r#"Popolo events: source that is neither a decision nor an http(s) link not kept (1 records, first "qd34")"#
        ),
        "{notes}"
    );
}

/// The example with `edit` applied to it as JSON.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Document {
    let mut v: serde_json::Value = serde_json::from_str(&text()).unwrap();
    edit(&mut v);
    serde_json::from_value(v).unwrap()
}

#[test]
fn a_name_not_among_the_dated_other_names_is_recorded_as_the_current_one() {
    let renamed = |end: Option<&str>| {
        edited(|v| {
            v["persons"][4]["other_names"] = serde_json::json!([
                { "name": "Thành viên 9", "start_date": "2021-01-01", "end_date": end }
            ]);
        })
    };
    let t = to_commands(&renamed(Some("2022-06-01")), Some("qd34")).unwrap();
    let p5 = PersonId::from_uuid(Kind::Person.map("p5"));
    let names: Vec<(bool, String, String)> = t
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::RegisterPerson(n) if n.person == p5 => {
                Some((true, n.name.to_string(), n.on.to_string()))
            }
            Command::RenamePerson(n) if n.person == p5 => {
                Some((false, n.name.to_string(), n.on.to_string()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            (true, "Thành viên 9".into(), "2021-01-01".into()),
            (false, "Thành viên 1".into(), "2022-06-01".into())
        ]
    );
    let err = to_commands(&renamed(None), Some("qd34")).unwrap_err();
    assert!(
        matches!(&err, PopoloError::Invalid { what, problem }
            if what == "person p5" && problem.contains("Thành viên 1")),
        "{err}"
    );
}

#[test]
fn an_end_decision_without_an_end_date_is_refused() {
    let d = edited(|v| v["memberships"][2]["end_decision_id"] = "qd34".into());
    let err = to_commands(&d, Some("qd34")).unwrap_err();
    assert!(
        matches!(&err, PopoloError::Invalid { what, problem }
            if what == "membership p2|bcd||2022-01-14" && problem.contains("end_date")),
        "{err}"
    );
}

#[test]
fn the_own_seat_of_a_membership_ends_with_it_citing_the_import_decision() {
    let t = to_commands(&doc(&text()), Some("qd34")).unwrap();
    let seat = reformlog::SeatId::from_uuid(Kind::Post.map("seat of p6|bcd||2022-01-14"));
    let ends: Vec<_> = t
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::AbolishSeat(a) if a.seat == seat => Some((a.ended_on, a.decision)),
            _ => None,
        })
        .collect();
    let qd34 = reformlog::DecisionId::from_uuid(Kind::Event.map("qd34"));
    assert_eq!(ends, [("2023-02-01".parse().unwrap(), qd34)]);
}

#[test]
fn two_records_resolving_to_one_uuid_are_refused_naming_both() {
    let uuid = Kind::Person.map("p1");
    let d = edited(|v| {
        v["persons"][1]["identifiers"] =
            serde_json::json!([{ "identifier": uuid.to_string(), "scheme": "reformlog" }]);
    });
    let err = to_commands(&d, Some("qd34")).unwrap_err();
    assert_eq!(
        err,
        PopoloError::SameUuid {
            kind: "person",
            first: "p1".into(),
            second: "p2".into(),
            uuid
        }
    );
}

#[test]
fn a_membership_naming_a_person_by_reformlog_identifier_dates_them() {
    let uuid = uuid::Uuid::from_u128(0x5eed_0004);
    let d = edited(|v| {
        v["persons"][3]["identifiers"] =
            serde_json::json!([{ "identifier": uuid.to_string(), "scheme": "reformlog" }]);
        v["memberships"][7]["person_id"] = uuid.to_string().into();
    });
    let t = to_commands(&d, Some("qd34")).unwrap();
    let person = PersonId::from_uuid(uuid);
    assert!(
        t.commands.iter().any(|c| matches!(c,
            Command::RegisterPerson(n) if n.person == person && n.on.to_string() == "2022-01-14")),
        "{:?}",
        t.commands
    );
}

#[test]
fn an_organization_without_classification_is_refused_by_name() {
    let d = edited(|v| {
        v["organizations"][1]
            .as_object_mut()
            .unwrap()
            .remove("classification");
    });
    let err = to_commands(&d, Some("qd34")).unwrap_err();
    assert!(
        matches!(&err, PopoloError::Invalid { what, problem }
            if what == "organization tdkt" && problem.contains("classification")),
        "{err}"
    );
}
