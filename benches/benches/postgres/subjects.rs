//! The subjects: the log's appends (one connection per writer thread, or all threads through
//! one group-committing `PgWriter`), the plain-insert baseline, and three diagnostic shapes of
//! the head-row lock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::{Client, Config, NoTls, Statement};
use reformlog_benches::{stream_id, Pool};
use reformlog_store::ExpectedRevision;
use reformlog_store_postgres::{PgLog, PgWriter};

use super::threads::run_threads_with_setup;
use super::waits::{Sampler, Tally};
use super::Res;

/// Distinct events the writers cycle through.
const POOL: u64 = 4_096;
/// Commits each writer makes before the clock starts: connection, stream creation and plan
/// caching are paid outside the measurement.
const WARMUP: u64 = 5;
/// The application name the writers' sessions carry, so the sampler sees only them.
pub(crate) const APP: &str = "reformlog-bench-writer";
/// The connections of the one `PgWriter` all batched writers share: one round committing while
/// the next waits for the head row.
const WRITER_CONNECTIONS: usize = 2;

/// What one writer thread does per commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    /// `PgLog::append` of one event to the writer's own stream.
    Log,
    /// The same append through one `PgWriter` shared by every writer thread: the appends
    /// waiting together go as one round (one transaction, one lock hand-over, one flush).
    Batched,
    /// `BEGIN; INSERT INTO plain(stream, payload) VALUES (...); COMMIT` of the event's record.
    Plain,
    /// D1: the plain insert, but first taking a head row `FOR UPDATE` and updating it before
    /// the commit: the serialization alone, without the log's other statements.
    Locked,
    /// D2: as D1, committed with `synchronous_commit = off` (the lock is released before the
    /// WAL flush), then a durable empty transaction, whose flush covers the first one's commit
    /// record: what releasing the lock before the flush would buy (and what it would cost: the
    /// commit is visible before it is durable).
    Async,
    /// D3: as D1, queued first on a transaction-level advisory lock, so waiters wait in the
    /// lock manager's queue rather than on the row.
    Advisory,
}

impl Subject {
    pub(crate) const ALL: [Subject; 6] = [
        Subject::Log,
        Subject::Batched,
        Subject::Plain,
        Subject::Locked,
        Subject::Async,
        Subject::Advisory,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Subject::Log => "log",
            Subject::Batched => "batched",
            Subject::Plain => "plain",
            Subject::Locked => "locked",
            Subject::Async => "async",
            Subject::Advisory => "advisory",
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Subject::Log => "PgLog::append, 1 event",
            Subject::Batched => "PgWriter::append, 1 event",
            Subject::Plain => "INSERT; COMMIT",
            Subject::Locked => "head FOR UPDATE; INSERT; UPDATE head; COMMIT",
            Subject::Async => "as D1 with async COMMIT, then a durable empty commit",
            Subject::Advisory => "as D1 after pg_advisory_xact_lock",
        }
    }

    /// Commits per second over `writers` threads for `d`, and what their sessions waited on.
    pub(crate) fn measure(self, db: &BenchDb, writers: usize, d: Duration) -> Res<(f64, Tally)> {
        let shared = if self == Subject::Batched {
            let mut config = db.config.clone();
            config.application_name(APP);
            Some(Arc::new(PgWriter::connect_with(
                &config,
                WRITER_CONNECTIONS,
            )?))
        } else {
            None
        };
        let mut sampler = Sampler::start(&db.config)?;
        let result = run_threads_with_setup(
            writers,
            d,
            |t| Writer::open(self, db, t, shared.as_ref()),
            |_, stop, mut writer| writer.run(stop),
        );
        let (commits, elapsed) = result?;
        sampler.commits(commits + writers as u64 * WARMUP);
        Ok((commits as f64 / elapsed.as_secs_f64(), sampler.finish()?))
    }
}

/// The schema every subject writes in, made fresh for the run.
pub(crate) struct BenchDb {
    config: Config,
    schema: String,
    pool: Pool,
}

impl BenchDb {
    /// A fresh schema in the database `url` names, with the baseline's tables in it.
    pub(crate) fn create(url: &str) -> Res<Self> {
        let mut config: Config = url.parse()?;
        let schema = format!("reformlog_bench_{}", uuid::Uuid::now_v7().simple());
        let mut admin = config.connect(NoTls)?;
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        config.options(&format!("-c search_path={schema}"));
        let mut client = config.connect(NoTls)?;
        // The baseline's table: a bigserial key, the stream and the record's bytes.
        client.batch_execute(
            "CREATE TABLE plain (id bigserial PRIMARY KEY, stream text NOT NULL, \
                 payload bytea NOT NULL);
             CREATE TABLE plain_head (singleton boolean PRIMARY KEY DEFAULT true \
                 CHECK (singleton), last bigint NOT NULL);
             INSERT INTO plain_head (last) VALUES (0);",
        )?;
        Ok(Self {
            config,
            schema,
            pool: Pool::new(POOL)?,
        })
    }

    /// The server's version and the settings a durable figure depends on.
    pub(crate) fn describe(&self) -> Res<String> {
        let mut c = self.config.connect(NoTls)?;
        let mut parts = Vec::new();
        for name in [
            "server_version",
            "fsync",
            "synchronous_commit",
            "wal_sync_method",
            "commit_delay",
            "commit_siblings",
            "shared_buffers",
        ] {
            let v: String = c.query_one(&format!("SHOW {name}"), &[])?.get(0);
            parts.push(format!("{name}={v}"));
        }
        let avg = self.pool.records.iter().map(Vec::len).sum::<usize>() / self.pool.records.len();
        let payload = self
            .pool
            .events
            .iter()
            .map(|(_, e)| e.payload.len())
            .sum::<usize>()
            / self.pool.events.len();
        parts.push(format!("record {avg} B, payload {payload} B on average"));
        Ok(parts.join(" "))
    }

    /// Best effort: a schema left behind only costs space.
    pub(crate) fn drop_schema(&self) {
        let mut config = self.config.clone();
        config.options("");
        if let Ok(mut c) = config.connect(NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema));
        }
    }
}

/// One writer thread's connection and its place in the pool.
// One per writer thread, made once and never moved: the variants' sizes cost nothing.
#[allow(clippy::large_enum_variant)]
enum Conn {
    Log(PgLog),
    Batched(Arc<PgWriter>),
    Sql(Client, Statements),
}

/// The baseline's and the diagnostics' statements, prepared once as the log prepares its own.
struct Statements {
    lock: Statement,
    advisory: Statement,
    insert: Statement,
    update: Statement,
    barrier: Statement,
}

impl Statements {
    fn new(c: &mut Client) -> Res<Self> {
        Ok(Self {
            lock: c.prepare("SELECT last FROM plain_head FOR UPDATE")?,
            advisory: c.prepare("SELECT pg_advisory_xact_lock(1515)")?,
            insert: c.prepare("INSERT INTO plain (stream, payload) VALUES ($1, $2)")?,
            update: c.prepare("UPDATE plain_head SET last = last + 1")?,
            // A transaction flushes the WAL at its commit only if it wrote WAL before it (an
            // assigned transaction id alone does not count): a transactional logical message
            // is the smallest such write, and touches no table.
            barrier: c
                .prepare("SELECT pg_logical_emit_message(true, 'reformlog-bench', '')::text")?,
        })
    }
}

struct Writer<'a> {
    subject: Subject,
    conn: Conn,
    db: &'a BenchDb,
    stream: String,
    next: u64,
}

impl<'a> Writer<'a> {
    fn open(
        subject: Subject,
        db: &'a BenchDb,
        t: usize,
        shared: Option<&Arc<PgWriter>>,
    ) -> Res<Self> {
        let mut config = db.config.clone();
        config.application_name(APP);
        let conn = if let Some(w) = shared {
            Conn::Batched(Arc::clone(w))
        } else if subject == Subject::Log {
            Conn::Log(PgLog::connect_with(&config)?)
        } else {
            let mut c = config.connect(NoTls)?;
            c.batch_execute("SET synchronous_commit = on")?;
            let st = Statements::new(&mut c)?;
            Conn::Sql(c, st)
        };
        // Each writer its own stream, so no two ever race on one stream's revision.
        let stream = stream_id(2_500 + t as u64);
        let mut w = Self {
            subject,
            conn,
            db,
            stream,
            next: t as u64 * 997,
        };
        for _ in 0..WARMUP {
            w.commit()?;
        }
        Ok(w)
    }

    fn run(&mut self, stop: &AtomicBool) -> Res<u64> {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            self.commit()?;
            n += 1;
        }
        Ok(n)
    }

    fn commit(&mut self) -> Res<()> {
        let k = self.next;
        self.next += 1;
        match &mut self.conn {
            Conn::Log(log) => {
                let (_, event) = self.db.pool.event(k);
                log.append(&self.stream, ExpectedRevision::Any, vec![event])?;
            }
            Conn::Batched(w) => {
                let (_, event) = self.db.pool.event(k);
                w.append(&self.stream, ExpectedRevision::Any, vec![event])?;
            }
            Conn::Sql(c, st) => {
                let record = self.db.pool.record(k);
                let mut tx = c.transaction()?;
                if self.subject != Subject::Plain {
                    if self.subject == Subject::Async {
                        tx.batch_execute("SET LOCAL synchronous_commit = off")?;
                    }
                    if self.subject == Subject::Advisory {
                        tx.query_one(&st.advisory, &[])?;
                    }
                    tx.query_one(&st.lock, &[])?;
                }
                tx.execute(&st.insert, &[&self.stream, &record])?;
                if self.subject != Subject::Plain {
                    tx.execute(&st.update, &[])?;
                }
                tx.commit()?;
                if self.subject == Subject::Async {
                    // A synchronous commit that wrote WAL waits for the flush up to its commit
                    // record: past the asynchronous commit before it.
                    c.query_one(&st.barrier, &[])?;
                }
            }
        }
        Ok(())
    }
}
