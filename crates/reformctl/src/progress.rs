//! Progress for long work: a bar on a terminal, nothing when standard error is not one (or
//! with `--quiet`), so scripts and logs stay clean.

use std::cell::RefCell;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress and informational notes go.
#[derive(Debug)]
pub(crate) struct Progress {
    bars: bool,
    notes: bool,
    current: RefCell<Option<ProgressBar>>,
}

impl Progress {
    /// Bars only on a terminal; notes unless quiet.
    pub(crate) fn new(quiet: bool) -> Self {
        Self {
            bars: !quiet && std::io::stderr().is_terminal(),
            notes: !quiet,
            current: RefCell::new(None),
        }
    }

    /// A bar of `len` steps (hidden when not on a terminal).
    pub(crate) fn bar(&self, len: u64, what: &str) -> ProgressBar {
        let bar = if self.bars {
            let b = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b
        } else {
            ProgressBar::hidden()
        };
        bar.set_prefix(what.to_string());
        *self.current.borrow_mut() = Some(bar.clone());
        bar
    }

    /// A spinner for work of unknown length (hidden when not on a terminal).
    pub(crate) fn spinner(&self, what: &str) -> ProgressBar {
        let bar = if self.bars {
            let b = ProgressBar::new_spinner();
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(what.to_string());
        *self.current.borrow_mut() = Some(bar.clone());
        bar
    }

    /// An informational line on standard error (above the bar, if one is drawn).
    pub(crate) fn note(&self, text: &str) {
        if !self.notes {
            return;
        }
        match self.current.borrow().as_ref() {
            Some(bar) if !bar.is_hidden() && !bar.is_finished() => bar.println(text),
            _ => eprintln!("{text}"),
        }
    }
}
