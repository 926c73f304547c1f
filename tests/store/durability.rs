//! Durability: each durable append is covered by a journal fdatasync round before it returns,
//! concurrent appenders share rounds, and sled's flush stays off the acknowledgement path.

use std::process::Command;

use reformlog_store::{ExpectedRevision, StreamAppend};

use crate::support::{ev, temp_store};

#[test]
fn each_append_returns_after_a_sync_that_covers_it() {
    let (_d, store) = temp_store();
    for i in 0..20 {
        let before = store.stats().syncs;
        let out = store
            .append("s-1", ExpectedRevision::Any, vec![ev("E", &i.to_string())])
            .unwrap();
        let stats = store.stats();
        assert!(
            stats.syncs > before,
            "append {i} returned without a sync round"
        );
        assert!(stats.durable_position >= out.last_position);
    }
}

#[test]
fn concurrent_appenders_share_sync_rounds_and_batches() {
    let (_d, store) = temp_store();
    let before = store.stats().syncs;
    let batches_before = store.stats().batches;
    let threads = 16;
    let per_thread = 40;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    store
                        .append(
                            &format!("s-{t}"),
                            ExpectedRevision::Any,
                            vec![ev("E", &i.to_string())],
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let rounds = store.stats().syncs - before;
    let appends = (threads * per_thread) as u64;
    assert_eq!(store.stats().durable_position, appends);
    assert!(
        rounds < appends,
        "{rounds} sync rounds for {appends} appends: no group commit"
    );
    // Appends that queued behind the writer lock were applied together, not one batch each.
    let batches = store.stats().batches - batches_before;
    assert!(
        batches < appends,
        "{batches} sled batches for {appends} appends: no group apply"
    );
}

#[test]
fn bulk_import_is_invisible_until_it_is_flushed() {
    let (_d, store) = temp_store();
    let mut import = store.bulk_import_flushed_at_end();
    for i in 0..10 {
        import
            .append_multi(&[StreamAppend::new(
                format!("s-{i}"),
                ExpectedRevision::NoStream,
                vec![ev("E", "x")],
            )])
            .unwrap();
    }
    assert_eq!(
        store.head_position(),
        0,
        "unsynced events must not be visible"
    );
    assert_eq!(import.finish().unwrap(), 10);
    assert_eq!(store.head_position(), 10);
    assert!(store.verify().unwrap().is_ok());
}

/// Traces the real system calls of a child process with one writer thread: between two of its
/// acknowledgements the writer thread makes exactly one data sync, an `fdatasync` of a journal
/// segment, and no sled flush (`sync_file_range`); sled's own syncs happen on other threads.
#[test]
fn each_acknowledgement_costs_one_journal_fdatasync_and_no_sled_flush() {
    let strace = which("strace").expect("strace must be installed (.ci/run installs it)");
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let store_dir = dir.path().join("store");
    let appends = 15;
    let output = Command::new(strace)
        .args([
            "-f",
            "-y",
            "-e",
            "trace=fdatasync,fsync,sync_file_range,write",
            "-o",
        ])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_crash-writer"))
        .arg(&store_dir)
        .args(["1", &appends.to_string()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let acks = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with("ack "))
        .count();
    assert!(acks >= appends, "only {acks} acknowledgements");
    let text = std::fs::read_to_string(&trace).unwrap();
    // `strace -f` starts each line with the thread id.
    let tid = |line: &str| line.split_whitespace().next().unwrap_or("").to_string();
    let writer = text
        .lines()
        .find(|l| l.contains("write(1") && l.contains("\"ack "))
        .map(tid)
        .expect("the trace shows no acknowledgement");
    let mut syncs_since_ack: Option<Vec<String>> = None;
    let mut acks_checked = 0;
    let mut sled_syncs_elsewhere = 0;
    for line in text.lines() {
        let on_writer = tid(line) == writer;
        let is_sync = line.contains("fdatasync(") || line.contains("fsync(");
        if !on_writer {
            if is_sync && line.contains("/db>") {
                sled_syncs_elsewhere += 1;
            }
            continue;
        }
        if line.contains("sync_file_range(") {
            panic!("a sled flush on the acknowledgement path:\n{line}");
        }
        if is_sync {
            if let Some(syncs) = syncs_since_ack.as_mut() {
                syncs.push(line.to_string());
            }
        } else if line.contains("write(1") && line.contains("\"ack ") {
            if let Some(syncs) = syncs_since_ack.take() {
                assert_eq!(
                    syncs.len(),
                    1,
                    "between two acknowledgements the writer made {} syncs:\n{}",
                    syncs.len(),
                    syncs.join("\n")
                );
                assert!(
                    syncs[0].contains("fdatasync(") && syncs[0].contains(".wal>"),
                    "the acknowledging sync is not an fdatasync of the journal:\n{}",
                    syncs[0]
                );
                acks_checked += 1;
            }
            syncs_since_ack = Some(Vec::new());
        }
    }
    assert!(
        acks_checked >= appends - 1,
        "trace shows {acks_checked} acknowledgement pairs"
    );
    // sled's files are still made durable, only elsewhere (the persisting thread).
    assert!(
        sled_syncs_elsewhere > 0,
        "sled's data file was never synced"
    );
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
