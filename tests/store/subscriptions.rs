//! Subscriptions: catch-up that turns live with no gap and no duplicate, under concurrent writers.

use std::time::Duration;

use reformlog_store::{
    EventFilter, ExpectedRevision, StoreConfig, SubscribeFrom, Subscription, SubscriptionMessage,
};

use crate::support::{ev, temp_store};

const WAIT: Duration = Duration::from_secs(20);

/// Reads events until position `until`, checking each follows the previous one exactly.
fn drain_until(
    sub: &mut Subscription,
    mut last: u64,
    until: u64,
    slow: bool,
) -> Vec<SubscriptionMessage> {
    let mut others = Vec::new();
    while last < until {
        let msg = sub
            .next_timeout(WAIT)
            .unwrap()
            .expect("subscription stalled");
        match msg {
            SubscriptionMessage::Event(e) => {
                assert_eq!(e.position, last + 1, "gap or duplicate at the seam");
                last = e.position;
                if slow && last.is_multiple_of(64) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            other => others.push(other),
        }
    }
    others
}

#[test]
fn subscribers_started_at_any_moment_see_every_event_once() {
    let (_d, store) = temp_store();
    let writers = 4;
    let per_writer = 300u64;
    let total = writers * per_writer;
    // Some history before any subscriber, so each starts by catching up.
    for i in 0..50 {
        store
            .append(
                "pre-1",
                ExpectedRevision::Any,
                vec![ev("E", &i.to_string())],
            )
            .unwrap();
    }
    let total = total + 50;
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    store
                        .append(
                            &format!("w-{w}"),
                            ExpectedRevision::Any,
                            vec![ev("E", &i.to_string())],
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    // Subscribers join while the writers run: from the start, from a checkpoint, from now.
    let mut subs = Vec::new();
    for k in 0..6u64 {
        let from = match k % 3 {
            0 => SubscribeFrom::Start,
            1 => SubscribeFrom::After(store.head_position() / 2),
            _ => SubscribeFrom::Now,
        };
        let sub = store.subscribe(from, EventFilter::all());
        let start = sub.last_seen();
        subs.push(std::thread::spawn(move || {
            let mut sub = sub;
            let mut others = drain_until(&mut sub, start, total, false);
            // A subscriber that reached the last event as it became live may get its
            // caught-up mark after that event; it must still come.
            while !others
                .iter()
                .any(|m| matches!(m, SubscriptionMessage::CaughtUp { .. }))
            {
                match sub.next_timeout(Duration::from_secs(2)) {
                    Ok(Some(m)) => others.push(m),
                    _ => break,
                }
            }
            others
        }));
        std::thread::sleep(Duration::from_millis(3));
    }
    for h in handles {
        h.join().unwrap();
    }
    for s in subs {
        let others = s.join().unwrap();
        assert!(others
            .iter()
            .any(|m| matches!(m, SubscriptionMessage::CaughtUp { .. })));
    }
}

#[test]
fn a_subscriber_that_falls_behind_is_told_and_still_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = StoreConfig::new(dir.path())
        .recent_capacity(8)
        .open()
        .unwrap();
    let mut sub = store.subscribe(SubscribeFrom::Start, EventFilter::all());
    assert!(matches!(
        sub.next_timeout(WAIT).unwrap(),
        Some(SubscriptionMessage::CaughtUp { position: 0 })
    ));
    // Live now; then the writer runs far past the 8-event window before the subscriber reads.
    store
        .append("s-1", ExpectedRevision::Any, vec![ev("E", "first")])
        .unwrap();
    let others = drain_until(&mut sub, 0, 1, false);
    assert!(others.is_empty());
    for i in 0..100 {
        store
            .append("s-1", ExpectedRevision::Any, vec![ev("E", &i.to_string())])
            .unwrap();
    }
    let others = drain_until(&mut sub, 1, 101, true);
    assert!(
        others
            .iter()
            .any(|m| matches!(m, SubscriptionMessage::FellBehind { last_seen: 1, .. })),
        "{others:?}"
    );
    assert!(matches!(
        sub.next_timeout(WAIT).unwrap(),
        Some(SubscriptionMessage::CaughtUp { position: 101 })
    ));
}

#[test]
fn filtered_subscription_skips_but_checkpoints_past_other_events() {
    let (_d, store) = temp_store();
    for i in 0..10 {
        let stream = if i % 2 == 0 { "task-1" } else { "committee-1" };
        store
            .append(stream, ExpectedRevision::Any, vec![ev("E", "x")])
            .unwrap();
    }
    let mut sub = store.subscribe(
        SubscribeFrom::Start,
        EventFilter::stream_categories(["task"]),
    );
    let mut positions = Vec::new();
    while let Some(m) = sub.next_timeout(Duration::from_millis(50)).unwrap() {
        if let SubscriptionMessage::Event(e) = m {
            positions.push(e.position);
        }
    }
    assert_eq!(positions, vec![1, 3, 5, 7, 9]);
    assert_eq!(sub.last_seen(), 10);
}

#[test]
fn async_stream_resumes_from_a_checkpoint_without_gap() {
    use futures_util::StreamExt;
    let (_d, store) = temp_store();
    for i in 0..20 {
        store
            .append("s-1", ExpectedRevision::Any, vec![ev("E", &i.to_string())])
            .unwrap();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let writer = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || {
                for i in 0..200 {
                    store
                        .append("s-2", ExpectedRevision::Any, vec![ev("E", &i.to_string())])
                        .unwrap();
                }
            })
        };
        let mut stream = Box::pin(
            store
                .subscribe(SubscribeFrom::After(10), EventFilter::all())
                .into_stream(),
        );
        let mut last = 10;
        while last < 220 {
            let msg = tokio::time::timeout(WAIT, stream.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let SubscriptionMessage::Event(e) = msg {
                assert_eq!(e.position, last + 1);
                last = e.position;
            }
        }
        writer.await.unwrap();
    });
}
