//! P4, P5, P10: bulk import, replay and size on disk, against raw sled.

use std::path::PathBuf;
use std::time::Instant;

use super::child::{import_in_child, replay_in_child, Bulk3, Sizes};
use super::durable::load_average;
use super::{progress, temp, Res, Settings};
use reformlog_benches::{fmt_num, median, Bulk, Row, Target};
use tempfile::TempDir;

pub(crate) fn bulk_group(s: &Settings, rows: &mut Vec<Row>, notes: &mut Vec<String>) -> Res<()> {
    let t = Instant::now();
    let bulk = Bulk::new(s.events, s.batch)?;
    eprintln!(
        "bulk: {} events over {} streams in batches of {} made in {:.1} s; \
         each import and the replay run in a fresh process",
        bulk.events,
        bulk.streams,
        s.batch,
        t.elapsed().as_secs_f64()
    );
    let (mut import, mut sled_import, mut sled_keys_import) = (Vec::new(), Vec::new(), Vec::new());
    let (mut store_sizes, mut sled_sizes, mut sled_keys_sizes) =
        (Vec::new(), Vec::new(), Vec::new());
    // Every folder stays until the group ends: removing a gigabyte-sized folder makes the file
    // system discard its blocks while the next measurement runs.
    let mut folders: Vec<TempDir> = Vec::new();
    let mut last: Option<(PathBuf, PathBuf)> = None;
    for rep in 0..s.reps {
        eprintln!(" repetition {} (load {})", rep + 1, load_average());
        let mut store_dir = None;
        let mut sled_dir = None;
        let mut order = [Bulk3::RawRecords, Bulk3::Store, Bulk3::RawStoreKeys];
        if rep % 2 == 1 {
            order.reverse();
        }
        for kind in order {
            let dir = temp()?;
            let (rate, size) = import_in_child(s, kind, dir.path())?;
            match kind {
                Bulk3::RawRecords => {
                    progress("raw sled batches + flush", rate, "events/s");
                    sled_import.push(rate);
                    sled_sizes.push(size);
                    sled_dir = Some(dir);
                }
                Bulk3::Store => {
                    progress("store bulk import", rate, "events/s");
                    import.push(rate);
                    store_sizes.push(size);
                    store_dir = Some(dir);
                }
                Bulk3::RawStoreKeys => {
                    progress(
                        "raw sled, the store's keys, batches + flush",
                        rate,
                        "events/s",
                    );
                    sled_keys_import.push(rate);
                    sled_keys_sizes.push(size);
                    folders.push(dir);
                }
            }
        }
        // The last repetition's databases are the ones replayed.
        if let (Some(a), Some(b)) = (store_dir, sled_dir) {
            last = Some((a.path().to_path_buf(), b.path().to_path_buf()));
            folders.push(a);
            folders.push(b);
        }
    }
    if s.wants("P4") {
        rows.push(Row {
            id: "P4",
            subject: format!(
                "bulk_import_flushed_at_end: append_multi of {} events, then finish",
                s.batch
            ),
            baseline: format!(
                "raw sled: Batch of {} inserts (u64 BE keys, the store's layout-4 record bytes), then one flush",
                s.batch
            ),
            unit: "events/s",
            subject_runs: import.clone(),
            baseline_runs: sled_import.clone(),
            target: Target::AtLeast(0.6),
        });
        // D4 stays: what the store's key layout costs raw sled, the floor P4 is held to with
        // this layout.
        rows.push(Row {
            id: "D4",
            subject: format!(
                "raw sled: the store's format-4 entries (record, revision chunk, id bucket, stream, commit), Batch of {} events, one flush",
                s.batch
            ),
            baseline: "raw sled: records only (P4 baseline)".into(),
            unit: "events/s",
            subject_runs: sled_keys_import.clone(),
            baseline_runs: sled_import,
            target: Target::Info,
        });
        // D5 stays: the store over its own layout in raw sled, i.e. the store's logic and its
        // journal writes.
        rows.push(Row {
            id: "D5",
            subject: "store bulk import (P4 subject)".into(),
            baseline: "raw sled: the store's entries (D4)".into(),
            unit: "events/s",
            subject_runs: import,
            baseline_runs: sled_keys_import,
            target: Target::Info,
        });
    }
    if s.wants("P5") {
        if let Some((store_dir, sled_dir)) = &last {
            let (store_runs, sled_runs) = replay_in_child(s, store_dir, sled_dir)?;
            rows.push(Row {
                id: "P5",
                subject: format!("Store::read_all forward, pages of {}", s.page),
                baseline: "raw sled iter + raw::decode_record_v4_bytes".into(),
                unit: "events/s",
                subject_runs: store_runs,
                baseline_runs: sled_runs,
                target: Target::AtLeast(0.8),
            });
        }
    }
    let logical = bulk.logical_bytes as f64;
    if s.wants("P10") {
        let allocated = |v: &[Sizes]| v.iter().map(|z| z.allocated as f64).collect::<Vec<_>>();
        rows.push(Row {
            id: "P10",
            subject: "store folder after close (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&store_sizes),
            baseline_runs: vec![logical; store_sizes.len()],
            target: Target::AtMost(2.0),
        });
        // D6 and D7 stay: sled's own space for the records alone and for the store's layout,
        // the floors of P10.
        rows.push(Row {
            id: "D6",
            subject: "raw sled folder, records only (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&sled_sizes),
            baseline_runs: vec![logical; sled_sizes.len()],
            target: Target::Info,
        });
        rows.push(Row {
            id: "D7",
            subject: "raw sled folder, the store's format-4 entries (allocated bytes)".into(),
            baseline: "logical event bytes".into(),
            unit: "bytes",
            subject_runs: allocated(&sled_keys_sizes),
            baseline_runs: vec![logical; sled_keys_sizes.len()],
            target: Target::Info,
        });
        let med = |f: fn(&Sizes) -> u64, v: &[Sizes]| {
            median(&v.iter().map(|z| f(z) as f64).collect::<Vec<_>>())
        };
        let n = bulk.events as f64;
        notes.push(format!(
            "P10 per event: logical {:.1} B (payload + stream id + event type + actor + reason), \
             layout-4 record as stored {:.1} B; store folder {:.1} B allocated (the journal \
             {:.1} B of it; {:.1} B apparent; sled size_on_disk while open {:.1} B); raw sled \
             records only {:.1} B; raw sled with the store's entries {:.1} B",
            logical / n,
            bulk.record_bytes as f64 / n,
            med(|z| z.allocated, &store_sizes) / n,
            med(|z| z.journal_closed, &store_sizes) / n,
            med(|z| z.apparent, &store_sizes) / n,
            med(|z| z.open_size_on_disk, &store_sizes) / n,
            med(|z| z.allocated, &sled_sizes) / n,
            med(|z| z.allocated, &sled_keys_sizes) / n,
        ));
    }
    if s.wants("P4") || s.wants("P10") {
        let journal: Vec<f64> = store_sizes.iter().map(|z| z.journal_peak as f64).collect();
        notes.push(format!(
            "bulk import: the journal's active segment held {} MB ({:.1} B per event) before the \
             final sync; it is trimmed only after that sync, once sled holds the commits",
            fmt_num(median(&journal) / 1e6),
            median(&journal) / bulk.events as f64,
        ));
    }
    drop(folders);
    Ok(())
}
