//! Start-up, the run loop for a process without a packet source, and
//! shutdown, in the order Zeek 5.2 uses (`zeek-semantics.md` §2).

use crate::interp::Interp;
use crate::value::Value;

impl Interp {
    fn event_id(&self, name: &str) -> Option<u32> {
        self.prog.lookup(zest_syntax::Symbol::intern(name))
    }

    /// Runs a loaded program: top-level statements, `zeek_init`, the
    /// events and timers they cause, and `zeek_done`. Returns the exit
    /// status.
    pub fn run(&mut self) -> i32 {
        // Top-level statements run first, in a frame of their own.
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
        if let Some(id) = self.event_id("zeek_init") {
            self.queue_event(id, Vec::new());
        }
        self.drain_events();
        if let Some(code) = self.exit_code {
            self.flush_stdout();
            return code;
        }
        // Without a packet source the loop does not run: pending timers
        // fire at shutdown, before zeek_done.
        while let Some(t) = self.timers.pop() {
            self.queue_event(t.event.handler, t.event.args);
            self.drain_events();
            if let Some(code) = self.exit_code {
                self.flush_stdout();
                return code;
            }
        }
        if let Some(id) = self.event_id("zeek_done") {
            self.queue_event(id, Vec::new());
        }
        self.drain_events();
        self.flush_stdout();
        self.exit_code.unwrap_or(0)
    }
}
