//! `Reformlog::wait_for`: blocking, without polling, until the read models hold a log
//! position.

use std::time::Duration;

use crate::engine::Reformlog;
use crate::error::Error;

/// How [`Reformlog::wait_for`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caught {
    /// The read models hold the position asked for; they are at `position`, which may be
    /// past it.
    Reached {
        /// The read models' position.
        position: u64,
    },
    /// The log did not hold the position asked for before the time ran out; the read
    /// models are at `position`.
    TimedOut {
        /// The read models' position.
        position: u64,
    },
}

impl Reformlog {
    /// Blocks until the read models include log position `position`, or `timeout` passes.
    ///
    /// The wait is on the log: it wakes as soon as the commit holding `position` becomes
    /// visible (the store notifies its waiters as it installs commits), whoever wrote it,
    /// through this handle or straight to the store. Then the read models take it in here,
    /// or, when another thread is applying the log already, as soon as that thread is done
    /// (applying takes turns). Applying is not cut short by the timeout: it is what was
    /// asked for, and stopping half-way would leave nothing to answer from.
    pub fn wait_for(&self, position: u64, timeout: Duration) -> Result<Caught, Error> {
        if !self.store().wait_visible(position, timeout) {
            return Ok(Caught::TimedOut {
                position: self.read_model_position(),
            });
        }
        let reached = self.catch_up()?;
        Ok(if reached >= position {
            Caught::Reached { position: reached }
        } else {
            // Only a log that shrank could get here (it never does): say so rather than wait.
            Caught::TimedOut { position: reached }
        })
    }
}
