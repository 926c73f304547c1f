//! A child process for crash tests: appends durably from several threads and prints one line per
//! acknowledged append, so the parent knows exactly what the store promised before the kill.
//!
//! Usage: `crash-writer DIR THREADS APPENDS_PER_THREAD` (0 appends = until killed).
//! Output lines: `ack <position> <stream> <revision> <event-id>` per event, `ready` at start.
//! `REFORMLOG_JOURNAL_SEGMENT_BYTES` sets the journal's segment size, so that a kill can land
//! while segments are started and trimmed.

use std::io::Write;
use std::sync::{Arc, Mutex};

use reformlog_store::{ExpectedRevision, Metadata, NewEvent, Store, StoreConfig, StreamAppend};

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, threads, appends] = args.as_slice() else {
        return Err("usage: crash-writer DIR THREADS APPENDS_PER_THREAD".into());
    };
    let threads: usize = threads.parse()?;
    let appends: u64 = appends.parse()?;
    let mut config = StoreConfig::new(dir);
    if let Ok(bytes) = std::env::var("REFORMLOG_JOURNAL_SEGMENT_BYTES") {
        config = config.journal_segment_bytes(bytes.parse()?);
    }
    let store = config.open()?;
    let out = Arc::new(Mutex::new(std::io::stdout()));
    writeln!(lock(&out), "ready")?;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            let out = Arc::clone(&out);
            std::thread::spawn(move || write_loop(&store, &out, t, appends))
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| "writer thread panicked")??;
    }
    Ok(())
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn write_loop(
    store: &Store,
    out: &Mutex<std::io::Stdout>,
    t: usize,
    appends: u64,
) -> Result<(), BoxError> {
    let own = format!("writer-{t}");
    let shared = "shared-0".to_string();
    let mut n = 0u64;
    while appends == 0 || n < appends {
        // Every fourth append also touches a stream all threads share, so multi-stream
        // atomicity and cross-thread revision order are exercised under the kill too.
        let mut batch = vec![StreamAppend::new(
            own.clone(),
            match store.stream_revision(&own)? {
                Some(r) => ExpectedRevision::Exact(r),
                None => ExpectedRevision::NoStream,
            },
            vec![event(t, n, 0), event(t, n, 1)],
        )];
        if n.is_multiple_of(4) {
            batch.push(StreamAppend::new(
                shared.clone(),
                ExpectedRevision::Any,
                vec![event(t, n, 2)],
            ));
        }
        let outcome = store.append_multi(batch.clone())?;
        let mut position = outcome.first_position;
        let mut text = String::new();
        for a in &batch {
            let last = outcome
                .streams
                .iter()
                .find(|(s, _)| *s == a.stream)
                .map(|(_, r)| *r)
                .ok_or("stream missing from outcome")?;
            let first_rev = last + 1 - a.events.len() as u64;
            for (i, e) in a.events.iter().enumerate() {
                text.push_str(&format!(
                    "ack {position} {} {} {}\n",
                    a.stream,
                    first_rev + i as u64,
                    e.id
                ));
                position += 1;
            }
        }
        let mut o = lock(out);
        o.write_all(text.as_bytes())?;
        o.flush()?;
        drop(o);
        n += 1;
    }
    Ok(())
}

fn event(t: usize, n: u64, k: u8) -> NewEvent {
    NewEvent::new(
        "CrashTestEventAppended",
        1,
        format!("thread {t} append {n} event {k}").into_bytes(),
        Metadata::by(format!("writer-{t}")).with_reason("crash test"),
    )
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
