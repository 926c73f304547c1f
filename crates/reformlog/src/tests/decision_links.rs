//! Links to a decision's published text: recorded after the decision, each once, shown on
//! its answers, held to the URL and text rules, corrected and retracted like any fact.

use super::engine::{ctx, open};
use super::support::*;
use crate::payload::DecisionLink;
use crate::{Command, DomainError, EntityDetails, EntityKey, Event, TextLink};

const D34: &str = "qd-34-2022";
const PORTAL: &str = "https://example.org/van-ban/34-qd-btttt";

fn link(url: &str, note: Option<&str>) -> DecisionLink {
    DecisionLink {
        decision: decision(D34),
        url: url.to_owned(),
        note: note.map(str::to_owned),
        on: d("2022-01-20"),
    }
}

fn links_of(w: &World) -> Vec<TextLink> {
    w.k.decision_changes(decision(D34)).unwrap().decision.links
}

#[test]
fn a_decision_gains_links_in_the_order_they_are_recorded() {
    let mut w = seeded();
    assert!(links_of(&w).is_empty());
    w.exec(Command::LinkDecision(link(
        PORTAL,
        Some("Cổng thông tin Bộ TT&TT"),
    )))
    .unwrap();
    w.exec(Command::LinkDecision(link(
        "https://example.org/vbpl/34",
        None,
    )))
    .unwrap();
    assert_eq!(
        links_of(&w),
        vec![
            TextLink {
                url: PORTAL.to_owned(),
                note: Some("Cổng thông tin Bộ TT&TT".to_owned()),
            },
            TextLink {
                url: "https://example.org/vbpl/34".to_owned(),
                note: None,
            },
        ]
    );
    // A link is not a change the decision makes: its list of changes stays as it was.
    let changes = w.k.decision_changes(decision(D34)).unwrap().changes;
    assert!(changes.iter().all(|c| c.what != "decision_linked"));
}

#[test]
fn the_same_link_twice_is_refused_however_it_is_spelt() {
    let mut w = seeded();
    w.exec(Command::LinkDecision(link(PORTAL, None))).unwrap();
    let before = w.position();
    for again in [PORTAL, "HTTPS://EXAMPLE.ORG/van-ban/34-qd-btttt"] {
        assert_eq!(
            w.exec(Command::LinkDecision(link(again, Some("lần nữa")))),
            Err(DomainError::DuplicateDecisionLink {
                decision: decision(D34),
                url: again.to_owned(),
            })
        );
    }
    assert_eq!(w.position(), before);
    assert_eq!(links_of(&w).len(), 1);
}

#[test]
fn a_link_must_be_an_http_url_with_a_host() {
    let mut w = seeded();
    let before = w.position();
    for bad in [
        "example.org/34",
        "ftp://example.org/34.pdf",
        "javascript:alert(1)",
        "https://",
        " https://example.org/34",
        "https://example.org/a b",
        "",
    ] {
        let refused = w.exec(Command::LinkDecision(link(bad, None)));
        assert!(
            matches!(&refused, Err(DomainError::BadDecisionLink { url, .. }) if url == bad),
            "{bad:?}: {refused:?}"
        );
    }
    assert_eq!(w.position(), before);
}

#[test]
fn a_link_note_keeps_the_text_rules_and_is_not_blank() {
    let mut w = seeded();
    assert_eq!(
        w.exec(Command::LinkDecision(link(PORTAL, Some("Cổng\u{200B}")))),
        Err(DomainError::BadCharacter {
            field: "decision link note",
            code: 0x200B,
        })
    );
    assert_eq!(
        w.exec(Command::LinkDecision(link(PORTAL, Some("dòng 1\ndòng 2")))),
        Err(DomainError::BadCharacter {
            field: "decision link note",
            code: 0x0A,
        })
    );
    assert_eq!(
        w.exec(Command::LinkDecision(link(PORTAL, Some("  ")))),
        Err(DomainError::Empty("decision link note"))
    );
    assert!(links_of(&w).is_empty());
}

#[test]
fn an_unknown_or_retracted_decision_cannot_be_linked() {
    let mut w = seeded();
    let unknown = decision("khong-co");
    assert_eq!(
        w.exec(Command::LinkDecision(DecisionLink {
            decision: unknown,
            ..link(PORTAL, None)
        })),
        Err(DomainError::UnknownDecision(unknown))
    );
    let id = hypothetical_decision(&mut w, 91, "2022-02-01");
    let recorded =
        w.k.history(EntityKey::Decision(id))
            .first()
            .unwrap()
            .event_id;
    w.exec(Command::Retract { target: recorded }).unwrap();
    assert_eq!(
        w.exec(Command::LinkDecision(DecisionLink {
            decision: id,
            ..link(PORTAL, None)
        })),
        Err(DomainError::UnknownDecision(id))
    );
}

#[test]
fn a_link_is_corrected_and_retracted_like_any_fact() {
    let mut w = seeded();
    let wrong = w
        .exec(Command::LinkDecision(link("https://example.org/sai", None)))
        .unwrap()[0];
    w.exec(Command::Correct {
        target: wrong,
        corrected: Event::DecisionLinked(link(PORTAL, Some("Cổng thông tin Bộ TT&TT"))),
    })
    .unwrap();
    assert_eq!(links_of(&w)[0].url, PORTAL);
    // The correction is held to the same rules as the link.
    assert!(matches!(
        w.exec(Command::Correct {
            target: wrong,
            corrected: Event::DecisionLinked(link("ftp://example.org/34", None)),
        }),
        Err(DomainError::Inconsistent { .. })
    ));
    w.exec(Command::Retract { target: wrong }).unwrap();
    assert!(links_of(&w).is_empty());
    // Once retracted, the same link may be recorded again.
    w.exec(Command::LinkDecision(link(PORTAL, None))).unwrap();
    assert_eq!(links_of(&w).len(), 1);
}

#[test]
fn the_store_shows_the_links_in_the_entity_details_after_a_rebuild() {
    let (_dir, log) = open();
    let seed = crate::Seed::parse(SEED).unwrap();
    log.load_seed(&seed, &ctx()).unwrap();
    log.execute(
        Command::LinkDecision(link(PORTAL, Some("Cổng thông tin Bộ TT&TT"))),
        &ctx(),
    )
    .unwrap();
    let links = || {
        let s = log
            .entity(EntityKey::Decision(decision(D34)), d("2022-03-01"), None)
            .unwrap()
            .unwrap();
        match s.details {
            EntityDetails::Decision { links, .. } => links,
            other => panic!("a decision's details expected, got {other:?}"),
        }
    };
    let expected = vec![TextLink {
        url: PORTAL.to_owned(),
        note: Some("Cổng thông tin Bộ TT&TT".to_owned()),
    }];
    assert_eq!(links(), expected);
    log.rebuild().unwrap();
    assert_eq!(links(), expected);
}

/// The demo seed with one more decision, a clearly hypothetical one, carrying `extra` lines.
fn seed_with_decision(extra: &str) -> String {
    format!(
        "{SEED}\n[[decisions]]\nslug = \"hypothetical-link\"\nnumber = \"HYPOTHETICAL-92/QĐ-BTTTT\"\n\
         issuer = \"bo-tttt\"\nsigned_on = \"2022-02-01\"\nin_force_on = \"2022-02-01\"\n\
         title = \"Hypothetical decision for tests; not a real document\"\n{extra}\n"
    )
}

#[test]
fn a_seed_decision_with_a_url_is_linked_right_after_it_is_recorded() {
    let text = seed_with_decision(
        "url = \"https://example.org/van-ban/92\"\nurl_note = \"Cổng thông tin Bộ TT&TT\"",
    );
    let commands = crate::Seed::parse(&text).unwrap().commands().unwrap();
    let id = decision("hypothetical-link");
    let at = commands
        .iter()
        .position(|c| matches!(c, Command::RecordDecision(r) if r.decision == id))
        .unwrap();
    assert_eq!(
        commands[at + 1],
        Command::LinkDecision(DecisionLink {
            decision: id,
            url: "https://example.org/van-ban/92".to_owned(),
            note: Some("Cổng thông tin Bộ TT&TT".to_owned()),
            on: d("2022-02-01"),
        })
    );
    let w = World::given(commands);
    let links = w.k.decision_changes(id).unwrap().decision.links;
    assert_eq!(links.len(), 1);
    // The demo seed itself names no link for Decision 34: its sources give none.
    assert!(links_of(&seeded()).is_empty());
}

#[test]
fn a_seed_url_note_without_a_url_is_refused() {
    let text = seed_with_decision("url_note = \"Cổng thông tin\"");
    let refused = crate::Seed::parse(&text).unwrap().commands().unwrap_err();
    assert!(
        matches!(&refused, crate::SeedError::At { error, .. }
            if matches!(**error, crate::SeedError::NoteWithoutUrl)),
        "{refused:?}"
    );
}

#[test]
fn an_answer_from_before_links_reads_as_a_decision_without_any() {
    let w = seeded();
    let mut answer = serde_json::to_value(w.k.decision_changes(decision(D34)).unwrap()).unwrap();
    answer["decision"].as_object_mut().unwrap().remove("links");
    let read: crate::DecisionChanges = serde_json::from_value(answer).unwrap();
    assert!(read.decision.links.is_empty());
}
