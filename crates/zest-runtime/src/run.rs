//! Start-up, the run loop for a process without a packet source, and
//! shutdown, in the order Zeek 5.2 uses (`zeek-semantics.md` §2).

use crate::interp::Interp;
use crate::value::Value;

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
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
        // S8
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
            // waiting (and its processing advances network time).
            if self.events.is_empty() {
                let now = wall_clock();
                match self.timers.peek_time() {
                    Some(t) if t <= now => {}
                    // Parked, not asleep: an I/O source that has data
                    // for this thread (the Broker endpoint) unparks it.
                    Some(t) => std::thread::park_timeout(std::time::Duration::from_secs_f64(
                        (t - now).min(0.05),
                    )),
                    None => std::thread::park_timeout(std::time::Duration::from_millis(10)),
                }
            }
            self.network_time = wall_clock();
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
