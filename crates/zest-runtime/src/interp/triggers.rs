//! `when` statements (Zeek's triggers, `src/Trigger.cc`).
//!
//! A `when` whose condition is false when it executes becomes a pending
//! trigger holding a copy of the frame (atomic locals copied, aggregates
//! shared). Pending triggers are re-checked at the end of every `Drain()`;
//! a true condition runs the body once. A timeout is a timer whose block
//! runs synchronously when it fires.

use super::timers::{Timer, TimerAction};
use super::{Flow, Interp, RtErr};
use crate::ir::WhenStmt;
use crate::value::Value;
use std::rc::Rc;

pub struct Trigger {
    pub id: u64,
    /// The statement, kept alive by the body that contains it.
    pub when: Rc<WhenStmt>,
    pub frame: Vec<Value>,
}

impl Interp {
    /// Executes a `when` statement.
    pub(crate) fn exec_when(&mut self, w: &Rc<WhenStmt>) -> Result<Flow, RtErr> {
        let size = (w.frame_size as usize).max(self.stack.len().saturating_sub(self.fp));
        let mut frame: Vec<Value> = self.stack[self.fp..].iter().take(size).cloned().collect();
        frame.resize(size.max(w.frame_size as usize), Value::Void);
        if w.is_return {
            // `return when` inside a function: when the condition holds
            // now, the body's `return` is the function's value.
            let saved_fp = self.fp;
            let c = self.eval(&w.cond).map(|v| v.as_bool()).unwrap_or(false);
            self.fp = saved_fp;
            if c {
                return self.exec(&w.body);
            }
        }
        if self.eval_when_cond(w, &mut frame) {
            self.run_when_block(w, frame, false);
            return Ok(Flow::Normal);
        }
        self.trigger_seq += 1;
        let id = self.trigger_seq;
        if let Some((te, _)) = &w.timeout {
            // The timeout is evaluated in the statement's frame.
            let t = self.eval(te).map(|v| v.as_double()).unwrap_or(0.0);
            self.timers.push(Timer {
                when: self.network_time + t,
                action: TimerAction::WhenTimeout(id),
            });
        }
        self.triggers.push(Trigger {
            id,
            when: w.clone(),
            frame,
        });
        Ok(Flow::Normal)
    }

    /// Evaluates the condition inside the trigger's frame.
    fn eval_when_cond(&mut self, w: &WhenStmt, frame: &mut Vec<Value>) -> bool {
        let saved_fp = self.fp;
        let base = self.stack.len();
        self.stack.append(frame);
        self.fp = base;
        let r = self.eval(&w.cond).map(|v| v.as_bool()).unwrap_or(false);
        frame.extend(self.stack.drain(base..));
        self.fp = saved_fp;
        r
    }

    /// Runs the body (or the timeout block) in the trigger's frame.
    fn run_when_block(&mut self, w: &WhenStmt, frame: Vec<Value>, timeout: bool) {
        let saved_fp = self.fp;
        let base = self.stack.len();
        self.stack.extend(frame);
        self.fp = base;
        self.depth += 1;
        if timeout {
            if let Some((_, stmts)) = &w.timeout {
                let _ = self.exec_list(stmts);
            }
        } else {
            let _ = self.exec(&w.body);
        }
        self.depth -= 1;
        self.stack.truncate(base);
        self.fp = saved_fp;
    }

    /// Re-evaluates pending triggers in creation order; those now true run
    /// their body and are removed.
    pub fn check_triggers(&mut self) {
        if self.triggers.is_empty() {
            return;
        }
        let mut i = 0;
        while i < self.triggers.len() {
            let w = self.triggers[i].when.clone();
            let mut frame = std::mem::take(&mut self.triggers[i].frame);
            if self.eval_when_cond(&w, &mut frame) {
                self.triggers.remove(i);
                self.run_when_block(&w, frame, false);
            } else {
                self.triggers[i].frame = frame;
                i += 1;
            }
            if self.exit_code.is_some() {
                return;
            }
        }
    }

    /// A trigger's timeout fired: run its timeout block if still pending.
    pub fn trigger_timeout(&mut self, id: u64) {
        let Some(pos) = self.triggers.iter().position(|t| t.id == id) else {
            return;
        };
        let t = self.triggers.remove(pos);
        self.run_when_block(&t.when, t.frame, true);
    }
}
