//! `Reformlog::wait_for`: a reader waiting for a position written after it began waiting
//! wakes when it is written; one waiting for a position nobody writes times out, typed.

use std::time::{Duration, Instant};

use super::engine::{ctx, open};
use super::support::*;
use crate::payload::PersonName;
use crate::{Caught, Command};

fn register(slug: &str) -> Command {
    Command::RegisterPerson(PersonName {
        person: person(slug),
        name: name("Thành viên 17"),
        on: d("2022-03-01"),
    })
}

#[test]
fn a_reader_waiting_for_a_later_position_wakes_when_it_is_written() {
    let (_dir, log) = open();
    log.execute(register("thanh-vien-17"), &ctx()).unwrap();
    let target = log.store().head_position() + 1;
    let reader = {
        let log = log.clone();
        std::thread::spawn(move || {
            let outcome = log.wait_for(target, Duration::from_secs(60)).unwrap();
            (outcome, Instant::now(), log.read_model_position())
        })
    };
    // Long enough for the reader to be waiting when the write comes.
    std::thread::sleep(Duration::from_millis(200));
    assert!(!reader.is_finished(), "the reader did not wait");
    let written = log.execute(register("thanh-vien-18"), &ctx()).unwrap();
    let done = Instant::now();
    assert!(written.last_position >= target);
    let (outcome, woke, seen) = reader.join().unwrap();
    assert!(
        matches!(outcome, Caught::Reached { position } if position >= target),
        "{outcome:?}"
    );
    assert!(seen >= target);
    // Woken by the write, far from the timeout.
    assert!(woke.saturating_duration_since(done) < Duration::from_secs(5));
}

#[test]
fn a_reader_waiting_for_a_position_nobody_writes_times_out() {
    let (_dir, log) = open();
    log.execute(register("thanh-vien-17"), &ctx()).unwrap();
    let head = log.store().head_position();
    let started = Instant::now();
    let outcome = log.wait_for(head + 1, Duration::from_millis(100)).unwrap();
    assert_eq!(outcome, Caught::TimedOut { position: head });
    assert!(started.elapsed() >= Duration::from_millis(100));
    // A position the log holds is reached at once.
    assert_eq!(
        log.wait_for(head, Duration::ZERO).unwrap(),
        Caught::Reached { position: head }
    );
}
