//! The `openapi` feature's schemas describe the JSON the answers really serialise to: answers
//! about the seed case, events of every kind it records and the hand-written forms (dates,
//! ids, entity keys, cursors) validate against them, formats checked, and a wrong shape fails.

use super::support::*;
use crate::payload::{PersonName, TaskProgress, TaskStatusChange};
use crate::query::reminders::reminders;
use crate::summary::{list_page, summary};
use crate::{
    Answer, Assignment, Command, EntityKey, EntityKind, EntityPage, EntitySummary, Event, Evidence,
    EvidenceDocument, Query, Recorded, ReminderAsk, ReminderPage, ReportScope, Seed, TaskFilter,
    TaskId,
};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::{PartialSchema, ToSchema};

/// A JSON Schema document holding every schema `T` needs, as an OpenAPI document's
/// `components` hold them, and requiring `T`'s.
fn schema_of<T: ToSchema>() -> Value {
    let mut schemas = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut schemas);
    let schemas: serde_json::Map<String, Value> = schemas
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap()))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": { "schemas": schemas },
        "allOf": [{ "$ref": format!("#/components/schemas/{}", T::name()) }],
    })
}

/// What is wrong with `value` as a `T`, one line per error (empty when it validates).
fn errors_as<T: ToSchema>(value: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema_of::<T>())
        .unwrap();
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e} at {}", T::name(), e.instance_path()))
        .collect()
}

fn assert_valid<T: ToSchema + Serialize>(answer: &T) {
    let value = serde_json::to_value(answer).unwrap();
    let errors = errors_as::<T>(&value);
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
}

fn task(slug: &str) -> TaskId {
    TaskId::from_slug(slug).unwrap()
}

/// The seed case with two tasks (one reported on and completed, one with a warning), a
/// rename corrected and another retracted.
fn world() -> crate::tests::support::World {
    let mut w = seeded();
    w.exec(plain_task(
        "nv-openapi-1",
        "2022-06-30",
        Some("vu-to-chuc-can-bo"),
    ))
    .unwrap();
    w.exec(Command::CreateTask(crate::payload::TaskCreation {
        task: task("nv-openapi-2"),
        plan: None,
        title: "Nhiệm vụ nv-openapi-2".to_owned(),
        product: "Kế hoạch".to_owned(),
        deadline: d("2022-03-31"),
        assignment: Some(Assignment {
            lead: unit("vu-to-chuc-can-bo"),
            cooperating: vec![unit("cuc-tin-hoc-hoa")],
            responsible: Some(person("do-cong-anh")),
        }),
        on: d("2022-02-01"),
    }))
    .unwrap();
    w.on_day("2022-05-02");
    w.exec(Command::ReportProgress(TaskProgress {
        task: task("nv-openapi-1"),
        percent: 100,
        note: "Đã gửi báo cáo".to_owned(),
        evidence: Evidence {
            note: Some("công văn số 1".to_owned()),
            documents: vec![EvidenceDocument {
                number: Some("123/BC-BTTTT".to_owned()),
                title: None,
                link: Some("https://example.org/bc-123.pdf".to_owned()),
                sha256: Some("ab".repeat(32)),
            }],
        },
        on: d("2022-05-01"),
        decision: None,
    }))
    .unwrap();
    w.exec(Command::CompleteTask(TaskStatusChange {
        task: task("nv-openapi-1"),
        on: d("2022-05-02"),
        decision: None,
    }))
    .unwrap();
    let renamed = w.exec(rename("pham-minh-tien", "Pham Minh Tien")).unwrap()[0];
    w.exec(Command::Correct {
        target: renamed,
        corrected: Event::PersonRenamed(PersonName {
            person: person("pham-minh-tien"),
            name: name("Phạm Minh Tiến"),
            on: d("2022-03-01"),
        }),
    })
    .unwrap();
    let renamed = w.exec(rename("do-cong-anh", "Do Cong Anh")).unwrap()[0];
    w.exec(Command::Retract { target: renamed }).unwrap();
    w
}

#[test]
fn every_answer_of_the_seed_case_validates_against_its_schema() {
    let w = world();
    let on = d("2022-04-15");
    let questions = [
        Query::Composition {
            committee: committee(BCD),
            on,
        },
        Query::PersonHistory {
            person: person("pham-minh-tien"),
        },
        Query::DecisionChanges {
            decision: decision("qd-34-2022"),
        },
        Query::CompositionDiff {
            committee: committee(BCD),
            before: d("2022-01-13"),
            after: on,
        },
        Query::TasksOfUnit {
            unit: unit("vu-to-chuc-can-bo"),
            on,
        },
        Query::OverdueTasks { on },
        Query::History {
            entity: EntityKey::Person(person("pham-minh-tien")),
        },
        Query::ChangesBy {
            actor: "thu-ky".to_owned(),
            from: d("2022-01-01").start_utc(),
            to: d("2023-01-01").start_utc(),
        },
        Query::Search {
            text: "pham minh tien".to_owned(),
        },
        Query::TaskReport {
            scope: ReportScope::All,
            on: d("2022-06-30"),
            from: Some(d("2022-01-01")),
        },
        Query::FilteredTasks {
            filter: TaskFilter {
                unit: Some(unit("vu-to-chuc-can-bo")),
                ..TaskFilter::default()
            },
            on,
        },
        Query::UnitLineage {
            unit: unit("vu-to-chuc-can-bo"),
            on,
        },
    ];
    for question in &questions {
        assert_valid(question);
        let answer = w.k.answer(question).unwrap();
        assert_valid::<Answer>(&answer);
    }
}

#[test]
fn summaries_pages_and_reminders_validate_against_their_schemas() {
    let w = world();
    let on = d("2022-04-15");
    for kind in EntityKind::ALL {
        let page: EntityPage = list_page(&w.k, kind, on, None, 3);
        assert_valid(&page);
        for item in &page.items {
            let key = match kind {
                EntityKind::Unit => EntityKey::Unit(crate::UnitId::from_uuid(item.id)),
                EntityKind::Person => EntityKey::Person(crate::PersonId::from_uuid(item.id)),
                EntityKind::Post => EntityKey::Post(crate::PostId::from_uuid(item.id)),
                EntityKind::Committee => {
                    EntityKey::Committee(crate::CommitteeId::from_uuid(item.id))
                }
                EntityKind::Decision => EntityKey::Decision(crate::DecisionId::from_uuid(item.id)),
                EntityKind::Task => EntityKey::Task(crate::TaskId::from_uuid(item.id)),
            };
            let one: EntitySummary = summary(&w.k, key, on).unwrap();
            assert_valid(&one);
        }
    }
    let ask = ReminderAsk {
        after: None,
        days: Some(7),
        until: None,
        limit: 2,
    };
    let day_start = |date: crate::Date| Some(date.start_utc());
    let page: ReminderPage =
        reminders(&w.k, &ask, d("2022-12-31").start_utc(), &day_start).unwrap();
    assert!(!page.reminders.is_empty());
    assert_valid(&page);
}

#[test]
fn every_recorded_event_and_seed_command_validates_against_its_schema() {
    let w = world();
    let kinds: std::collections::BTreeSet<&str> =
        w.log.iter().map(|r| r.event.type_name()).collect();
    // The log holds corrections and retractions besides the seed's facts.
    assert!(
        kinds.contains("corrected") && kinds.contains("retracted"),
        "{kinds:?}"
    );
    for recorded in &w.log {
        assert_valid::<Recorded>(recorded);
    }
    let seed = Seed::parse(SEED).unwrap();
    for command in seed.commands().unwrap() {
        assert_valid(&command);
    }
}

#[test]
fn a_shape_other_than_the_serialised_one_is_refused() {
    let w = world();
    let answer =
        w.k.answer(&Query::Composition {
            committee: committee(BCD),
            on: d("2022-04-15"),
        })
        .unwrap();
    let good = serde_json::to_value(&answer).unwrap();
    assert!(errors_as::<Answer>(&good).is_empty());
    let mut wrong = Vec::new();
    // A date in another form.
    let mut v = good.clone();
    v["composition"]["on"] = json!("15/04/2022");
    wrong.push(v);
    // A required field missing.
    let mut v = good.clone();
    v["composition"].as_object_mut().unwrap().remove("seats");
    wrong.push(v);
    // An id that is not a UUID.
    let mut v = good.clone();
    v["composition"]["seats"][0]["seat"] = json!("truong-ban");
    wrong.push(v);
    // A role the domain does not have.
    let mut v = good.clone();
    v["composition"]["seats"][0]["role"] = json!("chairman");
    wrong.push(v);
    // An entity key in its stream-name form.
    let key = EntityKey::Unit(unit("bo-tttt"));
    assert!(errors_as::<EntityKey>(&serde_json::to_value(key).unwrap()).is_empty());
    assert!(!errors_as::<EntityKey>(&json!(key.stream_name())).is_empty());
    for v in &wrong {
        assert!(!errors_as::<Answer>(v).is_empty(), "{v:#}");
    }
}

#[test]
fn schema_names_and_required_fields_follow_the_serialised_form() {
    let schema = serde_json::to_value(crate::query::Composition::schema()).unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    // `name` may be null but is always written; every other field is always there too.
    let answer = world()
        .k
        .composition(committee(BCD), d("2022-04-15"))
        .unwrap();
    let written = serde_json::to_value(&answer).unwrap();
    let mut keys: Vec<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut all: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    all.sort_unstable();
    assert_eq!(all, keys);
    assert!(required.iter().all(|f| keys.contains(f)), "{required:?}");
    assert_eq!(crate::Date::name(), "Date");
    let date = serde_json::to_value(crate::Date::schema()).unwrap();
    assert_eq!(
        (&date["type"], &date["format"]),
        (&json!("string"), &json!("date"))
    );
    assert_eq!(crate::UnitId::name(), "UnitId");
    assert_eq!(
        serde_json::to_value(crate::UnitId::schema()).unwrap()["format"],
        json!("uuid")
    );
}
