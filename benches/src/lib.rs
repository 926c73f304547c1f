//! Shared benchmark helpers: a realistic event workload, the baselines' record bytes, medians and the report table.

// With the `mimalloc` feature the bench binaries allocate through mimalloc instead of the
// system allocator that reformd and the library's embedders use by default.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod domain_log;
mod layout;
mod pools;
mod report;
mod workload;

pub use layout::{commit_entry_bytes, record_bytes};
pub use pools::{Bulk, Pool};
pub use report::{
    dir_size, env_u64, fmt_num, median, percentile, process_cpu_seconds, render, Row, Target,
};
pub use workload::{logical_bytes, make_event, mix, stream_id, MembershipChange, STREAMS};
