//! Format 2 of the seed file: every command has a file form, changes apply in file order and
//! name seats and people instead of ids, and several files translate as one whole.

use super::serde_names::{variant_name, variant_names};
use super::support::*;
use crate::payload::{DecisionRecord, TaskCreation, UnitEstablishment};
use crate::{Command, Origin, Role, Seed, SeedError, Translation};
use std::collections::BTreeSet;

/// The seed of Decision 34 as a format 2 file, with `changes` appended.
fn v2(changes: &str) -> String {
    format!("format = 2\n{SEED}\n{changes}")
}

/// One entry of every type format 2 has.
const EVERY_CHANGE: &str = include_str!("seeds/every-change.toml");

pub(super) fn every_change() -> String {
    let person = crate::PersonId::from_slug("thanh-vien-22").unwrap();
    v2(&EVERY_CHANGE.replace("PERSON", &person.to_string()))
}

#[test]
fn every_command_has_a_file_form() {
    let seed = Seed::parse(&every_change()).unwrap();
    let made: BTreeSet<String> = seed.commands().unwrap().iter().map(variant_name).collect();
    let all: BTreeSet<String> = variant_names::<Command>().into_iter().collect();
    assert!(all.len() >= 30, "{all:?}");
    let missing: Vec<_> = all.difference(&made).collect();
    assert!(missing.is_empty(), "no file form makes {missing:?}");
}

#[test]
fn the_changes_of_a_file_hold_when_decided_in_order() {
    // Everything but the correction and the retraction, whose targets are made up above.
    let text = every_change();
    let cut = text.find("[[changes]]\ntype = \"correct\"").unwrap();
    let mut w = World::new();
    for c in Seed::parse(&text[..cut]).unwrap().commands().unwrap() {
        w.exec(c.clone()).unwrap_or_else(|e| panic!("{e}: {c:?}"));
    }
    let group =
        w.k.composition(committee("to-cong-tac"), d("2023-03-04"))
            .unwrap();
    let holders: Vec<_> = group
        .seats
        .iter()
        .flat_map(|s| s.holders.iter().map(move |h| (s.role, h.person.id)))
        .collect();
    assert_eq!(holders, vec![(Role::GroupMember, person("thanh-vien-21"))]);
    let later =
        w.k.composition(committee("to-cong-tac"), d("2023-03-07"))
            .unwrap();
    assert_eq!(later.holder_count(), 1);
    assert!(
        !w.k.composition(committee("to-cong-tac"), d("2023-03-08"))
            .unwrap()
            .active
    );
}

const REPLACEMENT: &str = include_str!("../../../../tests/data/seed-replacement-120.toml");

#[test]
fn a_single_replacement_changes_one_seat_and_nothing_else() {
    let mut w = World::new();
    for c in Seed::parse(&v2(REPLACEMENT)).unwrap().commands().unwrap() {
        w.exec(c).unwrap();
    }
    let diff =
        w.k.composition_diff(committee(BCD), d("2023-05-09"), d("2023-05-10"))
            .unwrap();
    assert_eq!((diff.joined.len(), diff.left.len()), (1, 1));
    assert_eq!(diff.joined[0].person, Some(person("thanh-vien-22")));
    assert_eq!(diff.left[0].person, Some(person("thanh-vien-1")));
    assert_eq!(diff.stayed, 24 + 27 - 1);
}

#[test]
fn a_change_naming_an_empty_seat_or_an_absent_member_says_what_is_missing() {
    let text = v2(r#"
[[changes]]
type = "end_membership"
committee = "bcd-cchc-bo-tttt"
seat = "khong-co"
on = "2023-05-10"
decision = "qd-34-2022"
"#);
    let err = Seed::parse(&text).unwrap().commands().unwrap_err();
    let SeedError::At { at, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.section, "changes");
    assert!(matches!(**error, SeedError::NothingOpen { .. }), "{err}");
    assert!(err.to_string().contains("\"khong-co\""), "{err}");
}

#[test]
fn changes_need_format_2_and_unknown_formats_are_refused() {
    let text = format!(
        "{SEED}\n[[changes]]\ntype = \"complete_task\"\ntask = \"x\"\non = \"2023-01-01\"\n"
    );
    assert_eq!(
        Seed::parse(&text).unwrap().commands().unwrap_err(),
        SeedError::ChangesNeedFormat2
    );
    let text = format!("format = 3\n{SEED}");
    assert_eq!(
        Seed::parse(&text).unwrap().commands().unwrap_err(),
        SeedError::UnknownFormat(3)
    );
    // An entry of a type format 2 does not have is a syntax error naming it.
    let text = v2("[[changes]]\ntype = \"promote\"\n");
    let err = Seed::parse(&text).unwrap_err();
    assert!(err.to_string().contains("promote"), "{err}");
}

const UNITS_A: &str = include_str!("seeds/units-a.toml");

const UNITS_B: &str = include_str!("seeds/units-b.toml");

#[test]
fn files_translated_together_record_a_shared_entity_once() {
    let mut t = Translation::new();
    let a = translated(UNITS_A, "a.toml", &mut t);
    let b = translated(UNITS_B, "b.toml", &mut t);
    assert_eq!(a.len(), 2);
    // b's copy of the ministry is the same entity, recorded once; its department is new.
    assert_eq!(b.len(), 1);
    assert!(
        matches!(&b[0], Command::EstablishUnit(UnitEstablishment { unit, .. }) if *unit == unit_id("vu-buu-chinh"))
    );
    // A later file may refer to what an earlier one defined.
    let c = "records_from = \"2022-01-01\"\n[[posts]]\nslug = \"bt\"\ntitle = \"Bộ trưởng\"\nunit = \"bo-tttt\"\nholders = [{ person = \"nguyen-huy-dung\" }]\n";
    assert_eq!(translated(c, "c.toml", &mut t).len(), 2);
}

/// The commands of the seed file `text`, translated as `file` together with the files
/// `t` has seen.
fn translated(text: &str, file: &str, t: &mut Translation) -> Vec<Command> {
    Seed::parse(text).unwrap().commands_in(file, t).unwrap()
}

fn unit_id(slug: &str) -> crate::UnitId {
    unit(slug)
}

#[test]
fn an_entity_defined_differently_in_two_files_names_both_places() {
    let mut t = Translation::new();
    translated(UNITS_A, "a.toml", &mut t);
    let other = UNITS_B.replace(
        "name = \"Bộ Thông tin và Truyền thông\"",
        "name = \"Bộ Thông tin\"",
    );
    let err = Seed::parse(&other)
        .unwrap()
        .commands_in("b.toml", &mut t)
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("\"bo-tttt\""), "{text}");
    assert!(text.contains("a.toml:4 (units #1)"), "{text}");
    assert!(text.contains("b.toml:4 (units #1)"), "{text}");
    // Within one file, a slug defined twice is an error naming both entries too.
    let twice =
        format!("{UNITS_B}\n[[units]]\nslug = \"bo-tttt\"\nname = \"Bộ\"\nkind = \"ministry\"\n");
    let err = Seed::parse(&twice).unwrap().commands().unwrap_err();
    assert!(matches!(err, SeedError::Redefined { .. }), "{err}");
}

#[test]
fn messages_name_entities_by_their_slugs() {
    let mut t = Translation::new();
    translated(UNITS_A, "a.toml", &mut t);
    let id = unit("bo-tttt").to_string();
    assert_eq!(
        t.describe(&format!("unit {id} already exists")),
        "unit \"bo-tttt\" already exists"
    );
    let at = Origin {
        file: "x.toml".into(),
        line: None,
        section: "changes",
        index: 3,
    };
    assert_eq!(at.to_string(), "x.toml (changes #3)");
}

/// A unit the file's changes establish, and a decision it issues in the same file.
const ISSUED_BY_A_NEW_UNIT: &str = include_str!("seeds/issued-by-a-new-unit.toml");

#[test]
fn a_decision_issued_by_a_unit_the_changes_establish_is_recorded_after_it() {
    let text = v2(ISSUED_BY_A_NEW_UNIT);
    let seed = Seed::parse(&text).unwrap();
    let commands = seed.commands().unwrap();
    let at = |f: &dyn Fn(&Command) -> bool| commands.iter().position(f).unwrap();
    let established = at(
        &|c| matches!(c, Command::EstablishUnit(UnitEstablishment { unit, .. }) if *unit == unit_id("cuc-moi")),
    );
    let recorded = at(
        &|c| matches!(c, Command::RecordDecision(DecisionRecord { number, .. }) if number == "1/QĐ-CĐS"),
    );
    let renamed = at(&|c| matches!(c, Command::RenameUnit(_)));
    assert!(
        established < recorded && recorded < renamed,
        "{commands:#?}"
    );
    let mut w = World::new();
    for c in commands {
        w.exec(c).unwrap();
    }
}

#[test]
fn a_section_entry_citing_a_decision_recorded_after_a_change_is_refused_naming_both() {
    let committee = r#"
[[committees]]
slug = "to-moi"
name = "Tổ công tác (giả định)"
unit = "bo-tttt"
established = "2024-03-01"
decision = "qd-1-2024"
"#;
    let text = v2(&format!("{committee}{ISSUED_BY_A_NEW_UNIT}"));
    let err = Seed::parse(&text)
        .unwrap()
        .commands_in("ke-hoach.toml", &mut Translation::new());
    let err = err.unwrap_err();
    let SeedError::At { at, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(at.section, "committees");
    assert!(
        matches!(**error, SeedError::DecisionRecordedLater { ref decision, ref after }
            if decision == "qd-1-2024" && after.starts_with("ke-hoach.toml:")),
        "{err}"
    );
}

#[test]
fn tasks_read_from_sheet_rows_are_named_by_row_and_a_uuid_slug_is_the_task_id() {
    let plans = include_str!("../../../../tests/data/seed-plans-2021.toml");
    let mut t = Translation::new();
    translated(SEED, "a.toml", &mut t);
    translated(plans, "b.toml", &mut t);
    let plan = crate::DecisionId::from_slug("kh-cchc-2021").unwrap();
    assert_eq!(
        t.slug_of(plan.as_uuid()),
        Some(("decision", "kh-cchc-2021"))
    );
    let id = "0190b0c1-0000-7000-8000-000000000001";
    let task = |slug: &str, title: &str| crate::SeedTask {
        slug: slug.into(),
        plan: Some("kh-cchc-2021".into()),
        title: title.into(),
        product: "Báo cáo".into(),
        created: "2021-01-15".parse().unwrap(),
        deadline: "2021-06-30".parse().unwrap(),
        lead: Some("van-phong-bo".into()),
        cooperating: vec![],
        responsible: None,
    };
    let rows = Seed::from_rows(
        "2021-01-15".parse().unwrap(),
        vec![
            (7, task("kh-cchc-2021/A", "Nhiệm vụ 1")),
            (9, task(id, "Nhiệm vụ 2")),
        ],
    );
    let out = rows.translate("tasks.xlsx, sheet \"KH\"", &mut t).unwrap();
    assert_eq!(out[0].0.to_string(), "tasks.xlsx, sheet \"KH\", row 7");
    let Command::CreateTask(TaskCreation { task: second, .. }) = &out[1].1 else {
        panic!("{:?}", out[1].1)
    };
    assert_eq!(second.as_uuid().to_string(), id);
    // A row again, differently: both rows are named.
    let again = Seed::from_rows(
        "2021-01-15".parse().unwrap(),
        vec![(12, task("kh-cchc-2021/A", "Nhiệm vụ 1 (sửa)"))],
    );
    let err = again
        .translate("tasks.csv", &mut t)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tasks.xlsx, sheet \"KH\", row 7") && err.contains("tasks.csv, row 12"),
        "{err}"
    );
}

#[test]
fn a_task_named_by_its_id_in_a_sheet_and_by_its_slug_in_a_file_is_one_task() {
    let plans = include_str!("../../../../tests/data/seed-plans-2021.toml");
    let mut t = Translation::new();
    for (file, text) in [("a.toml", SEED), ("b.toml", plans)] {
        translated(text, file, &mut t);
    }
    let id = crate::TaskId::from_slug("trien-khai-kh-cchc-2021").unwrap();
    let row = |deadline: &str| crate::SeedTask {
        slug: id.as_uuid().to_string(),
        plan: Some("kh-cchc-2021".into()),
        title: "Tổ chức triển khai kế hoạch cải cách hành chính năm 2021 của Bộ".into(),
        product: "Báo cáo kết quả cải cách hành chính năm 2021".into(),
        created: "2021-01-15".parse().unwrap(),
        deadline: deadline.parse().unwrap(),
        lead: Some("vu-to-chuc-can-bo".into()),
        cooperating: vec!["van-phong-bo".into(), "cuc-tin-hoc-hoa".into()],
        responsible: Some("pham-minh-tien".into()),
    };
    let same = Seed::from_rows("2021-01-15".parse().unwrap(), vec![(2, row("2021-12-31"))]);
    assert!(same
        .translate("out.csv", &mut t.clone())
        .unwrap()
        .is_empty());
    let other = Seed::from_rows("2021-01-15".parse().unwrap(), vec![(2, row("2022-03-31"))]);
    let err = other.translate("out.csv", &mut t).unwrap_err().to_string();
    assert!(
        err.contains("defined differently in two files")
            && err.contains("b.toml:")
            && err.contains("out.csv, row 2"),
        "{err}"
    );
}
