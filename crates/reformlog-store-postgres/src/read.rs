//! Reading: the head, the global log in pages, streams, commits, and "as known at" a position
//! or a time. Each read is one repeatable-read snapshot, so it sees whole commits only.

use postgres::{Client, IsolationLevel, Transaction};
use reformlog_store::{
    Commit, CommitInfo, Direction, EventFilter, HeadDigest, LogPage, RecordedEvent, Timestamp,
};
use uuid::Uuid;

use crate::error::PgError;
use crate::rows::{self, big, COMMIT_COLUMNS, EVENT_COLUMNS, EVENT_FROM};
use crate::PgLog;

impl PgLog {
    /// Runs `f` in a read-only repeatable-read transaction: one snapshot for all its statements.
    pub(crate) fn snapshot<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        snapshot_on(&mut self.client(), f)
    }

    /// The last position and its hash, or `None` for an empty log.
    pub fn head(&self) -> Result<Option<HeadDigest>, PgError> {
        self.snapshot(|tx| {
            let row = tx.query_one("SELECT position, hash FROM reformlog_head", &[])?;
            let position = rows::unsigned(row.try_get(0)?, "the head row")?;
            if position == 0 {
                return Ok(None);
            }
            let hash = rows::hash(row.try_get(1)?, "the head row")?;
            Ok(Some(HeadDigest { position, hash }))
        })
    }

    /// The last position (0 for an empty log).
    pub fn head_position(&self) -> Result<u64, PgError> {
        self.snapshot(head_position)
    }

    /// The last commit number (0 for an empty log).
    pub fn head_commit(&self) -> Result<u64, PgError> {
        self.snapshot(|tx| {
            let row = tx.query_one("SELECT commit_number FROM reformlog_head", &[])?;
            rows::unsigned(row.try_get(0)?, "the head row")
        })
    }

    /// The event at `position`, if stored.
    pub fn read_event(&self, position: u64) -> Result<Option<RecordedEvent>, PgError> {
        self.snapshot(|tx| {
            let sql = format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.position = $1");
            tx.query_opt(&sql, &[&big(position)])?
                .map(|row| rows::event(&row))
                .transpose()
        })
    }

    /// The event with this id, if stored.
    pub fn find_event(&self, id: Uuid) -> Result<Option<RecordedEvent>, PgError> {
        self.snapshot(|tx| {
            let sql = format!("SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} WHERE e.event_id = $1");
            tx.query_opt(&sql, &[&id])?
                .map(|row| rows::event(&row))
                .transpose()
        })
    }

    /// The stream's last revision, or `None` when it has no event.
    pub fn stream_revision(&self, stream: &str) -> Result<Option<u64>, PgError> {
        self.snapshot(|tx| {
            let row = tx.query_opt(
                "SELECT revision FROM reformlog_events WHERE stream = $1 \
                 ORDER BY revision DESC LIMIT 1",
                &[&stream],
            )?;
            match row {
                None => Ok(None),
                Some(row) => rows::unsigned(row.try_get(0)?, stream).map(Some),
            }
        })
    }

    /// Up to `limit` events of one stream from revision `from` (inclusive; `None` = the first
    /// revision going forward, the last going backward).
    pub fn read_stream(
        &self,
        stream: &str,
        from: Option<u64>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, PgError> {
        let (cmp, order, start) = match direction {
            Direction::Forward => (">=", "ASC", from.map_or(0, big)),
            Direction::Backward => ("<=", "DESC", from.map_or(i64::MAX, big)),
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} \
             WHERE e.stream = $1 AND e.revision {cmp} $2 ORDER BY e.revision {order} LIMIT $3"
        );
        self.snapshot(|tx| {
            tx.query(&sql, &[&stream, &start, &limit_param(limit)])?
                .iter()
                .map(rows::event)
                .collect()
        })
    }

    /// Up to `limit` events of the global log matching `filter`, from position `from`
    /// (inclusive; `None` = the start going forward, the head going backward), paged as the
    /// sled store pages: `next` is where the following page starts, `None` at the end.
    pub fn read_all(
        &self,
        from: Option<u64>,
        direction: Direction,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<LogPage, PgError> {
        self.snapshot(|tx| log_page(tx, from, direction, limit, filter))
    }

    /// The commit numbered `number`, with its events.
    pub fn commit(&self, number: u64) -> Result<Option<Commit>, PgError> {
        self.snapshot(|tx| {
            let Some(info) = commit_where(tx, "number = $1", big(number))? else {
                return Ok(None);
            };
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} \
                 WHERE e.position BETWEEN $1 AND $2 ORDER BY e.position"
            );
            let events = tx
                .query(&sql, &[&big(info.first_position), &big(info.last_position)])?
                .iter()
                .map(rows::event)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Commit::new(info, events)))
        })
    }

    /// The commit that holds `position`, without its events.
    pub fn commit_of(&self, position: u64) -> Result<Option<CommitInfo>, PgError> {
        self.snapshot(|tx| {
            commit_where(
                tx,
                "first_position <= $1 AND last_position >= $1",
                big(position),
            )
        })
    }

    /// "As known at `position`": the last position of the commit holding it, since a commit
    /// is seen whole or not at all. Positions past the head give the head; 0 gives 0.
    pub fn known_at_position(&self, position: u64) -> Result<u64, PgError> {
        self.snapshot(|tx| {
            let head = head_position(tx)?;
            if position == 0 {
                return Ok(0);
            }
            if position >= head {
                return Ok(head);
            }
            match commit_where(
                tx,
                "first_position <= $1 AND last_position >= $1",
                big(position),
            )? {
                Some(c) => Ok(c.last_position),
                None => Err(rows::corrupt(
                    format!("position {position}"),
                    "no commit holds it",
                )),
            }
        })
    }

    /// The last position recorded at or before `at` (0 when none): "the log as known at time
    /// `at`", which always ends at a commit boundary.
    pub fn position_at_or_before(&self, at: Timestamp) -> Result<u64, PgError> {
        self.snapshot(|tx| {
            let row = tx.query_one(
                "SELECT coalesce(max(last_position), 0) FROM reformlog_commits \
                 WHERE recorded_at <= $1",
                &[&at.as_micros()],
            )?;
            rows::unsigned(row.try_get(0)?, "the commit table")
        })
    }
}

/// Runs `f` on `client` in a read-only repeatable-read transaction: one snapshot for all its
/// statements.
pub(crate) fn snapshot_on<T>(
    client: &mut Client,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<T, PgError>,
) -> Result<T, PgError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let out = f(&mut tx)?;
    tx.commit()?;
    Ok(out)
}

/// [`PgLog::read_all`] inside a snapshot already open; a subscription reads its pages with it.
pub(crate) fn log_page(
    tx: &mut Transaction<'_>,
    from: Option<u64>,
    direction: Direction,
    limit: usize,
    filter: &EventFilter,
) -> Result<LogPage, PgError> {
    let head = head_position(tx)?;
    let (lo, hi) = match direction {
        Direction::Forward => (from.unwrap_or(1).max(1), head),
        Direction::Backward => (1, from.unwrap_or(head).min(head)),
    };
    if lo > hi {
        return Ok(LogPage {
            events: Vec::new(),
            next: None,
            head,
        });
    }
    if limit == 0 {
        let next = match direction {
            Direction::Forward => lo,
            Direction::Backward => hi,
        };
        return Ok(LogPage {
            events: Vec::new(),
            next: Some(next),
            head,
        });
    }
    let order = match direction {
        Direction::Forward => "ASC",
        Direction::Backward => "DESC",
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} \
             WHERE e.position BETWEEN $1 AND $2 \
               AND (cardinality($3::text[]) = 0 OR e.event_type = ANY($3)) \
               AND (cardinality($4::text[]) = 0 OR split_part(e.stream, '-', 1) = ANY($4)) \
             ORDER BY e.position {order} LIMIT $5"
    );
    let events = tx
        .query(
            &sql,
            &[
                &big(lo),
                &big(hi),
                &filter.event_types,
                &filter.stream_categories,
                &limit_param(limit),
            ],
        )?
        .iter()
        .map(rows::event)
        .collect::<Result<Vec<_>, _>>()?;
    // A full page continues at the record after its last one, matching or not, as the
    // sled store's scan does.
    let next = match (events.len() == limit, events.last()) {
        (true, Some(last)) => match direction {
            Direction::Forward => (last.position < hi).then(|| last.position + 1),
            Direction::Backward => (last.position > lo).then(|| last.position - 1),
        },
        _ => None,
    };
    Ok(LogPage { events, next, head })
}

/// Up to `limit` commits from number `from` on, with their events, inside a snapshot.
pub(crate) fn commits_from(
    tx: &mut Transaction<'_>,
    from: u64,
    limit: usize,
) -> Result<Vec<Commit>, PgError> {
    let sql = format!(
        "SELECT {COMMIT_COLUMNS} FROM reformlog_commits WHERE number >= $1 ORDER BY number LIMIT $2"
    );
    let infos = tx
        .query(&sql, &[&big(from.max(1)), &limit_param(limit)])?
        .iter()
        .map(rows::commit_info)
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(first), Some(last)) = (infos.first(), infos.last()) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_FROM} \
         WHERE e.position BETWEEN $1 AND $2 ORDER BY e.position"
    );
    let mut events = tx
        .query(
            &sql,
            &[&big(first.first_position), &big(last.last_position)],
        )?
        .iter()
        .map(rows::event)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .peekable();
    let mut out = Vec::with_capacity(infos.len());
    for info in infos {
        let mut own = Vec::with_capacity(usize::try_from(info.len()).unwrap_or(0));
        while let Some(e) = events.next_if(|e| e.position <= info.last_position) {
            own.push(e);
        }
        if own.len() as u64 != info.len() {
            return Err(rows::corrupt(
                format!("commit {}", info.number),
                format!(
                    "it spans {} positions but {} events are stored",
                    info.len(),
                    own.len()
                ),
            ));
        }
        out.push(Commit::new(info, own));
    }
    Ok(out)
}

pub(crate) fn head_position(tx: &mut Transaction<'_>) -> Result<u64, PgError> {
    let row = tx.query_one("SELECT position FROM reformlog_head", &[])?;
    rows::unsigned(row.try_get(0)?, "the head row")
}

fn commit_where(
    tx: &mut Transaction<'_>,
    condition: &str,
    value: i64,
) -> Result<Option<CommitInfo>, PgError> {
    let sql = format!("SELECT {COMMIT_COLUMNS} FROM reformlog_commits WHERE {condition}");
    tx.query_opt(&sql, &[&value])?
        .map(|row| rows::commit_info(&row))
        .transpose()
}

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
