//! Progress for long work: a bar on a terminal, nothing when standard error is not one (or
//! with `--quiet`), so scripts and logs stay clean.

use std::cell::RefCell;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting steps (writes, entities, events).
const STEPS: &str = "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})";
/// A bar counting bytes, with their units (`12.50 MiB/40.00 MiB`).
const BYTES: &str = "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg} ({elapsed})";

/// Where progress and informational notes go. Every bar is cleared when its work is done
/// (`finish_and_clear`), so only the command's own lines stay on the screen.
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
        self.drawn(len, what, STEPS)
    }

    /// A bar of `len` bytes, with their units.
    pub(crate) fn bytes(&self, len: u64, what: &str) -> ProgressBar {
        self.drawn(len, what, BYTES)
    }

    fn drawn(&self, len: u64, what: &str, template: &str) -> ProgressBar {
        let bar = if self.bars {
            let b = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(template) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_bars_templates_are_valid_and_bytes_have_units() {
        for template in [STEPS, BYTES] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
        assert!(BYTES.contains("{bytes}/{total_bytes}"));
        // With --quiet nothing is drawn, whatever standard error is.
        let quiet = Progress::new(true);
        assert!(quiet.bytes(10, "backup").is_hidden());
        assert!(quiet.bar(10, "import").is_hidden());
    }
}
