//! The daemon over real HTTP on 127.0.0.1:0.

// A daemon in-process with one token per role, and a small blocking client.
pub(crate) mod support;

// Every route x every role x no token; the OpenAPI document lists exactly the routes.
mod routes;
// The bad-input catalog: typed 4xx problem+json answers that append nothing.
mod bad_input;
// Integrity verification with and without a kept head digest; its OpenAPI description.
mod integrity;
// The seed case end to end, with a late decision and a correction on both time axes.
mod seed_scenario;
// Seats held ex officio in a person's history; seat continuity in diffs across a reconstitution.
mod seats;
// The SSE feed resumes from Last-Event-ID with no gap or duplicate under concurrent writes;
// the task feed is open to every reader, the rest of the log to auditors.
mod sse;
// Deadline reminders: the cursor feed, late entries and extensions, the live stream.
mod reminders;
// Warnings on task answers through the read models: a repealed plan.
mod task_warnings;
// SIGKILL the daemon under concurrent writes, also during an online backup; every 2xx write
// survives; read models match a rebuild; an interrupted backup is never taken for a whole one.
mod crash;
// Online backups under concurrent writes restore to exactly their commit.
mod backup;
// The anchor file: a store put back to an older copy is refused at start and by verify.
mod anchor;
// Storage failing under the daemon as a process: a full disk (503 storage-full, readiness,
// reads kept, recovery without a restart), and a lost answer settled by a retry with its key.
mod disk_full;
// Operating the process: a second daemon on one folder is refused; SIGTERM exits 0.
mod process;
// ETag / If-Match (412 when stale) and min_position read-your-writes.
mod optimistic;
// "As known at" a position or recorded time inside one atomic write shows all of it or none.
mod whole_commits;
// skip_recorded and dry_run writes; refusals that name the entities they are about.
mod per_change;
// Decision kinds told by their numbers; decisions in force before they are signed.
mod decision_kinds;
// known_at as a date: the end of that day in the daemon's zone, resolving to whole writes.
mod known_at_dates;
// Audit answers filtered by recorded time and by valid date.
mod audit_ranges;
// Changes sent with a decision cite it, task changes included.
mod citations;
// Compression for clients that accept it (never the live feed); CORS for configured origins.
mod conventions;
// Conditional reads (ETag, If-None-Match → 304), Link headers on paged lists, problem instances.
mod caching;
// Token edits racing the daemon: nothing lost, revocation at once, expiry, last use, file modes.
mod tokens;
// HTTP edge cases on a raw socket: body codings the daemon does not decode.
mod http_edges;
// Connection limits on raw sockets: header-read and idle timeouts, a dripped body, too many connections.
mod limits;
// A progress report's evidence documents: round trip, refusals, the older text form, OpenAPI.
mod evidence;
// A decision's links to its published text: shown in its details, refused twice.
mod decision_links;
// Golden answers of every route on the seed case; REFORMLOG_BLESS=1 rewrites them.
mod golden_api;
// Every documented status of every route provoked and its body validated; no other answered.
mod statuses;
// The web page's routes: the shell, embedded files, security headers, no other host named.
mod web;
