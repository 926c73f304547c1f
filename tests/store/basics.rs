//! Appends, expected revisions, multi-stream atomicity, reads, filters and time lookup.

use reformlog_store::{
    AppendError, Direction, EventFilter, ExpectedRevision, StreamAppend, Timestamp,
    MAX_PAYLOAD_BYTES,
};

use crate::support::{ev, temp_store};

#[test]
fn positions_and_revisions_are_gap_free_and_past_ten() {
    let (_d, store) = temp_store();
    // Past 10, where keys built from decimal text would sort 1, 10, 2 ...
    for i in 0..25u64 {
        let expected = if i == 0 {
            ExpectedRevision::NoStream
        } else {
            ExpectedRevision::Exact(i - 1)
        };
        let out = store
            .append("committee-a", expected, vec![ev("E", &i.to_string())])
            .unwrap();
        assert_eq!(out.last_position, i + 1);
        assert_eq!(out.streams, vec![("committee-a".to_string(), i)]);
    }
    // A stale writer that believes revision 9 is last must be refused, not overwrite.
    let err = store
        .append(
            "committee-a",
            ExpectedRevision::Exact(9),
            vec![ev("E", "stale")],
        )
        .unwrap_err();
    assert!(matches!(
        err,
        AppendError::WrongExpectedRevision {
            actual: Some(24),
            ..
        }
    ));
    let all = store
        .read_stream("committee-a", None, Direction::Forward, 100)
        .unwrap();
    let revisions: Vec<u64> = all.iter().map(|e| e.revision).collect();
    assert_eq!(revisions, (0..25).collect::<Vec<_>>());
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=25).collect::<Vec<_>>());
    assert_eq!(store.stream_revision("committee-a").unwrap(), Some(24));
    assert_eq!(store.head_position(), 25);
}

#[test]
fn every_expected_revision_kind_is_checked() {
    let (_d, store) = temp_store();
    let s = "person-1";
    let conflict =
        |r: Result<_, AppendError>| matches!(r, Err(AppendError::WrongExpectedRevision { .. }));
    assert!(conflict(store.append(
        s,
        ExpectedRevision::StreamExists,
        vec![ev("E", "x")]
    )));
    assert!(conflict(store.append(
        s,
        ExpectedRevision::Exact(0),
        vec![ev("E", "x")]
    )));
    store
        .append(s, ExpectedRevision::NoStream, vec![ev("E", "a")])
        .unwrap();
    assert!(conflict(store.append(
        s,
        ExpectedRevision::NoStream,
        vec![ev("E", "x")]
    )));
    store
        .append(s, ExpectedRevision::StreamExists, vec![ev("E", "b")])
        .unwrap();
    store
        .append(s, ExpectedRevision::Any, vec![ev("E", "c")])
        .unwrap();
    store
        .append(s, ExpectedRevision::Exact(2), vec![ev("E", "d")])
        .unwrap();
    assert_eq!(store.stream_revision(s).unwrap(), Some(3));
    assert_eq!(store.head_position(), 4);
}

#[test]
fn multi_stream_append_is_all_or_nothing() {
    let (_d, store) = temp_store();
    store
        .append("unit-1", ExpectedRevision::NoStream, vec![ev("E", "u")])
        .unwrap();
    let failing = vec![
        StreamAppend::new(
            "committee-1",
            ExpectedRevision::NoStream,
            vec![ev("E", "c")],
        ),
        StreamAppend::new("unit-1", ExpectedRevision::NoStream, vec![ev("E", "u2")]),
    ];
    assert!(matches!(
        store.append_multi(failing),
        Err(AppendError::WrongExpectedRevision { ref stream, .. }) if stream == "unit-1"
    ));
    assert_eq!(store.head_position(), 1);
    assert_eq!(store.stream_revision("committee-1").unwrap(), None);

    let ok = vec![
        StreamAppend::new(
            "committee-1",
            ExpectedRevision::NoStream,
            vec![ev("E", "c1"), ev("E", "c2")],
        ),
        StreamAppend::new("unit-1", ExpectedRevision::Exact(0), vec![ev("E", "u2")]),
        StreamAppend::new(
            "decision-34",
            ExpectedRevision::NoStream,
            vec![ev("E", "d")],
        ),
    ];
    let out = store.append_multi(ok).unwrap();
    assert_eq!((out.first_position, out.last_position), (2, 5));
    assert_eq!(
        out.streams,
        vec![
            ("committee-1".to_string(), 1),
            ("unit-1".to_string(), 1),
            ("decision-34".to_string(), 0)
        ]
    );
    assert!(store.verify().unwrap().is_ok());
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let (_d, store) = temp_store();
    let big = reformlog_store::NewEvent::new(
        "E",
        1,
        vec![0; MAX_PAYLOAD_BYTES + 1],
        reformlog_store::Metadata::by("x"),
    );
    let dup = ev("E", "dup");
    let cases: Vec<(Vec<StreamAppend>, &str)> = vec![
        (vec![], "empty"),
        (
            vec![StreamAppend::new("s-1", ExpectedRevision::Any, vec![])],
            "no events",
        ),
        (
            vec![StreamAppend::new(
                "",
                ExpectedRevision::Any,
                vec![ev("E", "x")],
            )],
            "empty stream",
        ),
        (
            vec![StreamAppend::new(
                "a\nb",
                ExpectedRevision::Any,
                vec![ev("E", "x")],
            )],
            "control",
        ),
        (
            vec![StreamAppend::new(
                "x".repeat(500),
                ExpectedRevision::Any,
                vec![ev("E", "x")],
            )],
            "long",
        ),
        (
            vec![StreamAppend::new(
                "s-1",
                ExpectedRevision::Any,
                vec![ev("", "x")],
            )],
            "empty type",
        ),
        (
            vec![StreamAppend::new("s-1", ExpectedRevision::Any, vec![big])],
            "too large",
        ),
        (
            vec![StreamAppend::new(
                "s-1",
                ExpectedRevision::Any,
                vec![dup.clone(), dup],
            )],
            "duplicate id",
        ),
        (
            vec![
                StreamAppend::new("s-1", ExpectedRevision::Any, vec![ev("E", "x")]),
                StreamAppend::new("s-1", ExpectedRevision::Any, vec![ev("E", "y")]),
            ],
            "duplicate stream",
        ),
    ];
    for (appends, what) in cases {
        assert!(store.append_multi(appends).is_err(), "{what} was accepted");
        assert_eq!(store.head_position(), 0, "{what} changed the log");
    }
}

#[test]
fn global_reads_go_both_ways_with_filters_and_pages() {
    let (_d, store) = temp_store();
    for i in 0..10 {
        let stream = if i % 2 == 0 {
            format!("committee-{i}")
        } else {
            format!("task-{i}")
        };
        let t = if i % 3 == 0 { "Created" } else { "Changed" };
        store
            .append(&stream, ExpectedRevision::Any, vec![ev(t, "x")])
            .unwrap();
    }
    let page = store
        .read_all(None, Direction::Forward, 4, &EventFilter::all())
        .unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(page.next, Some(5));
    let page = store
        .read_all(page.next, Direction::Forward, 100, &EventFilter::all())
        .unwrap();
    assert_eq!(page.events.len(), 6);
    assert_eq!(page.next, None);

    let back = store
        .read_all(None, Direction::Backward, 3, &EventFilter::all())
        .unwrap();
    assert_eq!(
        back.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![10, 9, 8]
    );
    assert_eq!(back.next, Some(7));

    let tasks = EventFilter::stream_categories(["task"]);
    let page = store
        .read_all(None, Direction::Forward, 100, &tasks)
        .unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![2, 4, 6, 8, 10]
    );
    let created = EventFilter::event_types(["Created"]);
    let page = store
        .read_all(None, Direction::Backward, 100, &created)
        .unwrap();
    assert_eq!(
        page.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![10, 7, 4, 1]
    );

    let stream_back = store
        .read_stream("committee-4", None, Direction::Backward, 10)
        .unwrap();
    assert_eq!(stream_back.len(), 1);
    assert!(store
        .read_stream("nothing-here", None, Direction::Forward, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn stream_reads_start_at_a_revision_in_either_direction() {
    let (_d, store) = temp_store();
    for i in 0..6 {
        store
            .append(
                "plan-2022",
                ExpectedRevision::Any,
                vec![ev("E", &i.to_string())],
            )
            .unwrap();
    }
    let fwd = store
        .read_stream("plan-2022", Some(2), Direction::Forward, 3)
        .unwrap();
    assert_eq!(
        fwd.iter().map(|e| e.revision).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    let back = store
        .read_stream("plan-2022", Some(2), Direction::Backward, 10)
        .unwrap();
    assert_eq!(
        back.iter().map(|e| e.revision).collect::<Vec<_>>(),
        vec![2, 1, 0]
    );
}

#[test]
fn recorded_at_increases_and_time_lookup_finds_positions() {
    let (_d, store) = temp_store();
    for i in 0..20 {
        store
            .append("s-1", ExpectedRevision::Any, vec![ev("E", &i.to_string())])
            .unwrap();
    }
    let all = store
        .read_all(None, Direction::Forward, 100, &EventFilter::all())
        .unwrap()
        .events;
    for pair in all.windows(2) {
        assert!(pair[0].recorded_at < pair[1].recorded_at);
    }
    for e in &all {
        assert_eq!(
            store.position_at_or_after(e.recorded_at).unwrap(),
            Some(e.position)
        );
        assert_eq!(
            store.position_at_or_before(e.recorded_at).unwrap(),
            e.position
        );
        let just_after = Timestamp::from_micros(e.recorded_at.as_micros() + 1);
        let expected = (e.position < 20).then_some(e.position + 1);
        assert_eq!(store.position_at_or_after(just_after).unwrap(), expected);
    }
    assert_eq!(
        store
            .position_at_or_after(Timestamp::from_micros(0))
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .position_at_or_before(Timestamp::from_micros(0))
            .unwrap(),
        0
    );
}

#[test]
fn reopening_keeps_the_log_and_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let head = {
        let store = reformlog_store::Store::open(dir.path()).unwrap();
        store
            .append(
                "s-1",
                ExpectedRevision::NoStream,
                vec![ev("E", "a"), ev("E", "b")],
            )
            .unwrap();
        store.head().unwrap().unwrap()
    };
    let store = reformlog_store::Store::open(dir.path()).unwrap();
    assert_eq!(store.head().unwrap(), Some(head));
    store
        .append("s-1", ExpectedRevision::Exact(1), vec![ev("E", "c")])
        .unwrap();
    store
        .append("s-2", ExpectedRevision::NoStream, vec![ev("E", "d")])
        .unwrap();
    let report = store.verify_extends(&head).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, 4);
}

#[test]
fn lookup_by_event_id_and_position() {
    let (_d, store) = temp_store();
    let e = ev("E", "x");
    let id = e.id;
    store.append("s-1", ExpectedRevision::Any, vec![e]).unwrap();
    assert_eq!(store.find_event(id).unwrap().unwrap().position, 1);
    assert_eq!(store.read_event(1).unwrap().unwrap().event_id, id);
    assert!(store.read_event(2).unwrap().is_none());
    assert!(store.read_event(0).unwrap().is_none());
    assert!(store.find_event(uuid::Uuid::nil()).unwrap().is_none());
}
