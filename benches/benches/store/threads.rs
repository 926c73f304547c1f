//! Writer threads released together for a fixed time, with their summed counts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use super::Res;

/// Runs `body(thread, stop)` on `writers` threads, all released together, until `d` has
/// passed; returns the summed counts and the time from release to the last thread's end.
pub(crate) fn run_threads<F>(writers: usize, d: Duration, body: F) -> Res<(u64, Duration)>
where
    F: Fn(usize, &AtomicBool) -> Res<u64> + Sync,
{
    run_threads_with_setup(writers, d, |_| Ok(()), |t, stop, ()| body(t, stop))
}

/// As [`run_threads`], with per-thread state made by `setup` before the release.
pub(crate) fn run_threads_with_setup<S, F, T>(
    writers: usize,
    d: Duration,
    setup: S,
    body: F,
) -> Res<(u64, Duration)>
where
    S: Fn(usize) -> Res<T> + Sync,
    F: Fn(usize, &AtomicBool, T) -> Res<u64> + Sync,
{
    let stop = AtomicBool::new(false);
    let barrier = Barrier::new(writers + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|t| {
                let (stop, barrier, setup, body) = (&stop, &barrier, &setup, &body);
                scope.spawn(move || {
                    let state = setup(t);
                    // Always reach the barrier, so a failed setup cannot hang the others.
                    barrier.wait();
                    body(t, stop, state?)
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        std::thread::sleep(d);
        stop.store(true, Ordering::Relaxed);
        let mut total = 0u64;
        let mut first_error = None;
        for h in handles {
            match h.join() {
                Ok(Ok(n)) => total += n,
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert_with(|| "a writer thread panicked".into());
                }
            }
        }
        let elapsed = start.elapsed();
        match first_error {
            Some(e) => Err(e),
            None => Ok((total, elapsed)),
        }
    })
}
