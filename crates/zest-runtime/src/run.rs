//! Start-up, the run loop for a process without a packet source, and
//! shutdown, in the order Zeek 5.2 uses (`zeek-semantics.md` §2).

use crate::interp::Interp;
use crate::value::Value;

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The wall clock for a new iteration of the run loop, at least a
/// microsecond later than `prev` (the previous iteration's network time).
/// Zeek's loop never turns within a microsecond (it polls its sources
/// with system calls on the way), so each iteration has a network time of
/// its own; Zest's loop can be quicker and waits for the clock instead. A
/// clock that stepped back is taken as it is.
fn next_loop_time(prev: f64) -> f64 {
    loop {
        let now = wall_clock();
        if now - prev >= 1e-6 || now < prev {
            return now;
        }
        std::hint::spin_loop();
    }
}

/// The process status file (`-U`), if any, and whether a final status
/// has been written.
static PROC_STATUS: std::sync::Mutex<(Option<String>, bool)> = std::sync::Mutex::new((None, false));

/// Names the process status file (`zeek -U`).
pub fn set_proc_status_file(path: &str) {
    if let Ok(mut g) = PROC_STATUS.lock() {
        g.0 = Some(path.to_owned());
    }
}

/// Writes `STATUS [reason]` to the process status file, replacing its
/// content (util.cc's `set_processing_status`); a failure to open it is
/// reported on stderr with the errno. After a `TERMINATED` status nothing
/// more is written.
pub fn set_processing_status(status: &str, reason: &str) {
    let Ok(mut g) = PROC_STATUS.lock() else {
        return;
    };
    let Some(path) = g.0.clone() else {
        return;
    };
    if g.1 {
        return;
    }
    if status == "TERMINATED" {
        g.1 = true;
    }
    match std::fs::File::create(&path) {
        Ok(mut f) => {
            let _ = std::io::Write::write_all(&mut f, format!("{status} [{reason}]\n").as_bytes());
        }
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("Failed to open process status file '{path}': {errno} [{status}]\n")
                    .as_bytes(),
            );
        }
    }
}

impl Interp {
    fn event_id(&self, name: &str) -> Option<u32> {
        self.prog.lookup(zest_syntax::Symbol::intern(name))
    }

    fn global_bool(&self, name: &str) -> bool {
        self.event_id(name)
            .is_some_and(|g| self.prog.globals[g as usize].value.as_bool())
    }

    /// Runs a loaded program: top-level statements, `zeek_init`, the
    /// events and timers they cause, and the shutdown sequence with
    /// `zeek_done`. `scripts` are the loaded files with their load level,
    /// for `zeek_script_loaded`. Returns the exit status.
    pub fn run(&mut self, scripts: &[(String, u64)]) -> i32 {
        self.network_time = wall_clock();
        crate::table::set_network_time(self.network_time);
        let errors = self.error_count;
        for f in self.hooks.post_script.clone() {
            f(self);
        }
        if self.error_count > errors {
            // Errors while the managers initialize end the process before
            // zeek_init (zeek-setup.cc's early shutdown).
            self.flush_stdout();
            return 1;
        }
        if let Some(id) = self.event_id("zeek_init") {
            self.queue_event(id, Vec::new());
        }
        // Top-level statements run now, in a frame of their own.
        let stmts = std::mem::take(&mut self.sema.top_stmts);
        if !stmts.is_empty() {
            let size = self.sema.top_ctx.nslots as usize;
            let base = self.stack.len();
            self.stack.resize(base + size, Value::Void);
            self.fp = base;
            for s in &stmts {
                if self.exec(s).is_err() {
                    self.flush_stdout();
                    self.report(
                        "fatal error",
                        None,
                        "failed to execute script statements at top-level scope",
                    );
                    return 1;
                }
            }
            self.stack.truncate(base);
            self.fp = 0;
        }
        if let Some(id) = self.event_id("zeek_script_loaded") {
            for (path, level) in scripts {
                self.queue_event(id, vec![Value::str(path.as_bytes()), Value::Count(*level)]);
            }
        }
        self.drain();
        if let Some(code) = self.exit_code {
            self.flush_stdout();
            return code;
        }
        if self.error_count > 0 && std::env::var_os("ZEEK_ALLOW_INIT_ERRORS").is_none() {
            self.flush_stdout();
            self.report("fatal error", None, "errors occurred while initializing");
            return 1;
        }
        self.init_done = true;
        set_processing_status("RUNNING", "run_loop");

        // A counted I/O source (Broker listening or peered) keeps the loop
        // running until terminate(), as exit_only_after_terminate does.
        let counting = self.hooks.io_poll.is_some_and(|f| f(self));
        let eoat = self.global_bool("exit_only_after_terminate") || counting;
        let loop_entered = !self.timers.is_empty() || eoat;
        if eoat {
            self.real_time_loop();
            if let Some(code) = self.exit_code {
                self.flush_stdout();
                return code;
            }
        }
        if loop_entered {
            // S1
            self.drain();
            // S2: net_done(t), dispatched directly.
            if let Some(id) = self.event_id("net_done") {
                let t = if self.timer_time > 0.0 {
                    self.timer_time
                } else {
                    1.0
                };
                self.dispatch(crate::interp::QueuedEvent {
                    handler: id,
                    args: vec![Value::Time(t)],
                    remote: false,
                });
            }
            // S3, S4: terminating; every pending timer fires.
            self.terminating = true;
            while let Some(t) = self.timers.pop() {
                self.fire_timer(t);
            }
            // S5-S7
            for _ in 0..3 {
                self.drain();
            }
        }
        self.terminating = true;
        set_processing_status("TERMINATING", "done_with_network");
        // S8: file analysis ends (its own drains), then one drain.
        for f in self.hooks.terminate_first.clone() {
            f(self);
        }
        self.drain();
        // S9
        if let Some(id) = self.event_id("zeek_done") {
            self.queue_event(id, Vec::new());
        }
        // S10
        loop {
            while let Some(t) = self.timers.pop() {
                self.fire_timer(t);
            }
            self.drain();
            if (self.events.is_empty() && self.timers.is_empty()) || self.exit_code.is_some() {
                break;
            }
        }
        self.run_exit_hooks();
        self.flush_stdout();
        self.exit_code.unwrap_or(0)
    }

    /// With `exit_only_after_terminate`: timers fire in real time until
    /// `terminate()` is called.
    fn real_time_loop(&mut self) {
        loop {
            if self.terminate_requested {
                self.report_info("received termination signal");
                return;
            }
            // Sources deliver; their events wait for this iteration's
            // single drain, as in Zeek's run loop.
            if let Some(f) = self.hooks.io_poll {
                f(self);
            }
            // Pending events make the event manager's source ready: no
            // waiting (and its processing advances network time). So does
            // an answer a trigger waits for (Zeek's trigger manager wakes
            // the loop when it queues a trigger).
            if self.events.is_empty() && !self.trigger_check_due() {
                let now = wall_clock();
                let idle = match self.timers.peek_time() {
                    Some(t) if t <= now => None,
                    Some(t) => Some(std::time::Duration::from_secs_f64((t - now).min(0.05))),
                    None => Some(std::time::Duration::from_millis(10)),
                };
                if let Some(d) = idle {
                    match self.hooks.io_wait {
                        Some(f) => f(self, d),
                        None => std::thread::sleep(d),
                    }
                }
            }
            self.network_time = next_loop_time(self.network_time);
            crate::table::set_network_time(self.network_time);
            self.timer_time = self.network_time;
            while self
                .timers
                .peek_time()
                .is_some_and(|t| t <= self.network_time)
            {
                if let Some(t) = self.timers.pop() {
                    self.fire_timer(t);
                }
            }
            self.drain();
            if self.exit_code.is_some() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{next_loop_time, wall_clock};

    /// Iterations of the run loop never share a network time, however
    /// quick they are.
    #[test]
    fn loop_times_are_distinct_microseconds() {
        let mut t = wall_clock();
        let mut seen = Vec::new();
        for _ in 0..1000 {
            t = next_loop_time(t);
            seen.push(format!("{t:.6}"));
        }
        let n = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
