//! A one-line progress bar on standard error, drawn only when it is a terminal.

use std::io::{IsTerminal, Write};

/// A progress bar redrawn in place.
pub struct ProgressBar {
    terminal: bool,
    drawn: bool,
}

impl ProgressBar {
    /// A bar on standard error, silent unless that is a terminal.
    pub fn new() -> Self {
        ProgressBar { terminal: std::io::stderr().is_terminal(), drawn: false }
    }

    /// Draws `done` of `total`, followed by `detail`.
    pub fn draw(&mut self, done: u64, total: u64, detail: std::fmt::Arguments<'_>) {
        if !self.terminal {
            return;
        }
        const WIDTH: u64 = 30;
        let done = done.min(total);
        let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K[{}{}] {done}/{total} {detail}",
            "#".repeat(filled as usize),
            "-".repeat((WIDTH - filled) as usize),
        );
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the bar so that a line can be printed.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}
