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
    /// For a `return when` inside a function called from another trigger's
    /// condition: where its value is delivered.
    pub parent: Option<(u64, usize)>,
    /// The statement, kept alive by the body that contains it.
    pub when: Rc<WhenStmt>,
    pub frame: Vec<Value>,
}

impl Interp {
    /// Executes a `when` statement.
    pub(crate) fn exec_when(&mut self, w: &Rc<WhenStmt>) -> Result<Flow, RtErr> {
        let size = (w.frame_size as usize).max(self.stack.len().saturating_sub(self.fp));
        let mut frame: Vec<Value> = if w.deep_copy {
            self.stack[self.fp..]
                .iter()
                .take(size)
                .map(super::ops::deep_copy)
                .collect()
        } else {
            self.stack[self.fp..].iter().take(size).cloned().collect()
        };
        frame.resize(size.max(w.frame_size as usize), Value::Void);
        if w.is_return {
            // `return when` inside a function: when the condition holds
            // now, the body's `return` is the function's value. The
            // condition is evaluated as the new trigger's, so that the calls
            // it waits for deliver to it.
            self.trigger_seq += 1;
            let id = self.trigger_seq;
            let parent = self.call_parent.take();
            if self.eval_when_cond(id, w, &mut frame) {
                self.forget_trigger(id);
                let flow = if w.deep_copy {
                    // Without captures the body runs in the statement's own
                    // copy of the function's frame.
                    let saved_fp = self.fp;
                    let base = self.stack.len();
                    self.stack.extend(frame);
                    self.fp = base;
                    let flow = self.exec(&w.body);
                    self.stack.truncate(base);
                    self.fp = saved_fp;
                    flow
                } else {
                    // Otherwise in the function's frame, with what the
                    // condition assigned.
                    let n = frame.len().min(self.stack.len().saturating_sub(self.fp));
                    let fp = self.fp;
                    self.stack[fp..fp + n].clone_from_slice(&frame[..n]);
                    self.exec(&w.body)
                };
                self.call_parent = parent;
                return Ok(self.return_when_ready(flow?));
            }
            // Otherwise the caller (a trigger condition) waits for it.
            self.suspended = parent.is_some();
            if let Some((te, _)) = &w.timeout {
                let t = self.eval(te).map(|v| v.as_double()).unwrap_or(0.0);
                self.timers.push(Timer {
                    when: self.network_time + t,
                    action: TimerAction::WhenTimeout(id),
                });
            }
            self.triggers.push(Trigger {
                id,
                parent,
                when: w.clone(),
                frame,
            });
            return Ok(Flow::Return(Value::Void));
        }
        self.trigger_seq += 1;
        let id = self.trigger_seq;
        if self.eval_when_cond(id, w, &mut frame) {
            self.forget_trigger(id);
            self.run_when_block(w, frame, false, None);
            return Ok(Flow::Normal);
        }
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
            parent: None,
            when: w.clone(),
            frame,
        });
        Ok(Flow::Normal)
    }

    /// The result of a native function that Zeek computes asynchronously
    /// (a DNS lookup): the calling `when` condition sees it on its next
    /// evaluation. False outside a `when` condition.
    pub fn delay_call_result(&mut self, v: Value) -> bool {
        let Some(key) = self.call_parent.take() else {
            return false;
        };
        self.call_cache.insert(key, v);
        self.woken.insert(key.0);
        self.suspended = true;
        self.last_trigger_check = u64::MAX;
        true
    }

    /// A `return when` whose condition held at once. Called from a trigger
    /// condition, its value is still delayed as in Zeek: cached for the
    /// caller's next evaluation, which this one does not complete.
    fn return_when_ready(&mut self, flow: Flow) -> Flow {
        if let Flow::Return(v) = &flow {
            if let Some(key) = self.call_parent.take() {
                self.call_cache.insert(key, v.clone());
                self.woken.insert(key.0);
                self.suspended = true;
                self.last_trigger_check = u64::MAX;
                return Flow::Return(Value::Void);
            }
        }
        flow
    }

    /// Evaluates the condition inside the trigger's frame. Without
    /// captures it runs in a fresh deep copy, which becomes the frame only
    /// when the condition holds (the body then runs in it).
    fn eval_when_cond(&mut self, id: u64, w: &WhenStmt, frame: &mut Vec<Value>) -> bool {
        if w.deep_copy {
            let mut copy: Vec<Value> = frame.iter().map(super::ops::deep_copy).collect();
            let r = self.eval_when_cond_in(id, w, &mut copy);
            if r {
                *frame = copy;
            }
            return r;
        }
        self.eval_when_cond_in(id, w, frame)
    }

    fn eval_when_cond_in(&mut self, id: u64, w: &WhenStmt, frame: &mut Vec<Value>) -> bool {
        let saved_trigger = self.cur_trigger.replace(id);
        let saved_fp = self.fp;
        let base = self.stack.len();
        self.stack.append(frame);
        self.fp = base;
        let r = self.eval(&w.cond).map(|v| when_true(&v)).unwrap_or(false);
        frame.extend(self.stack.drain(base..));
        self.fp = saved_fp;
        self.cur_trigger = saved_trigger;
        // A value still missing (a call waiting in `return when`) just means
        // "not yet".
        self.no_value = false;
        self.call_waiting = false;
        r
    }

    /// Runs the body (or the timeout block) in the trigger's frame.
    fn run_when_block(
        &mut self,
        w: &WhenStmt,
        frame: Vec<Value>,
        timeout: bool,
        parent: Option<(u64, usize)>,
    ) {
        let saved_fp = self.fp;
        let base = self.stack.len();
        self.stack.extend(frame);
        self.fp = base;
        self.depth += 1;
        let flow = if timeout {
            match &w.timeout {
                Some((_, stmts)) => self.exec_list(stmts),
                None => Ok(Flow::Normal),
            }
        } else {
            self.exec(&w.body)
        };
        // A `return when` delivers its value to the waiting call.
        if let (Some(key), Ok(Flow::Return(v))) = (parent, flow) {
            self.pending_calls.remove(&key);
            self.call_cache.insert(key, v);
            self.woken.insert(key.0);
            self.last_trigger_check = u64::MAX;
        }
        self.depth -= 1;
        self.stack.truncate(base);
        self.fp = saved_fp;
    }

    /// Re-evaluates pending triggers in creation order; those now true run
    /// their body and are removed. Triggers that a body creates are
    /// evaluated in the same pass, after the others.
    pub fn check_triggers(&mut self) {
        if self.triggers.is_empty() || self.last_trigger_check == self.dispatched {
            return;
        }
        self.last_trigger_check = self.dispatched;
        // Linear in the pending triggers: the list is rebuilt, not
        // shifted on every removal.
        let mut queue: std::collections::VecDeque<Trigger> =
            std::mem::take(&mut self.triggers).into();
        let mut kept: Vec<Trigger> = Vec::with_capacity(queue.len());
        let mut ran_body = false;
        loop {
            let Some(mut t) = queue.pop_front() else {
                if self.triggers.is_empty() {
                    break;
                }
                queue.extend(self.triggers.drain(..));
                continue;
            };
            let w = t.when.clone();
            let woken = self.woken.remove(&t.id);
            if !woken && watches_nothing(&w, &t.frame) {
                // Nothing the condition depends on can have changed.
                kept.push(t);
                continue;
            }
            let mut frame = std::mem::take(&mut t.frame);
            if self.eval_when_cond(t.id, &w, &mut frame) {
                self.forget_trigger(t.id);
                self.run_when_block(&w, frame, false, t.parent);
                ran_body = true;
            } else {
                t.frame = frame;
                kept.push(t);
            }
            if self.exit_code.is_some() {
                break;
            }
        }
        kept.extend(queue);
        kept.append(&mut self.triggers);
        self.triggers = kept;
        // What a body changed may make other conditions true: they are
        // checked again in the next round of the loop (Zeek's trigger
        // manager queues the triggers a modification notifies).
        if ran_body {
            self.last_trigger_check = u64::MAX;
        }
    }

    /// Whether a value some pending trigger waits for has arrived since
    /// the triggers were last checked.
    pub fn trigger_check_due(&self) -> bool {
        self.last_trigger_check == u64::MAX && !self.triggers.is_empty()
    }

    /// A trigger's timeout fired: run its timeout block if still pending.
    pub fn trigger_timeout(&mut self, id: u64) {
        let Some(pos) = self.triggers.iter().position(|t| t.id == id) else {
            return;
        };
        let t = self.triggers.remove(pos);
        self.forget_trigger(id);
        self.run_when_block(&t.when, t.frame, true, t.parent);
        // The timeout block may have changed what others wait for.
        self.last_trigger_check = u64::MAX;
    }

    /// Delivers the value of a native call that made a trigger condition
    /// wait (`Trigger::Cache` and `Release`): the condition is re-checked
    /// at the end of the next drain. A trigger that is gone drops it.
    pub fn deliver_call_result(&mut self, key: (u64, usize), v: Value) {
        if !self.pending_calls.remove(&key) {
            return;
        }
        self.call_cache.insert(key, v);
        self.woken.insert(key.0);
        self.last_trigger_check = u64::MAX;
    }

    /// Drops the cached call values of a finished trigger.
    fn forget_trigger(&mut self, id: u64) {
        self.woken.remove(&id);
        let range = (id, 0)..=(id, usize::MAX);
        if !self.call_cache.is_empty() {
            let keys: Vec<_> = self
                .call_cache
                .range(range.clone())
                .map(|(k, _)| *k)
                .collect();
            for k in keys {
                self.call_cache.remove(&k);
            }
        }
        if !self.pending_calls.is_empty() {
            let keys: Vec<_> = self.pending_calls.range(range).copied().collect();
            for k in keys {
                self.pending_calls.remove(&k);
            }
        }
    }
}

/// Whether a pending trigger's condition watches nothing that can change
/// (Zeek's trigger registers with the globals and the aggregates of its
/// condition): no global, and no aggregate in the locals it reads.
fn watches_nothing(w: &WhenStmt, frame: &[Value]) -> bool {
    let Some(slots) = &w.static_locals else {
        return false;
    };
    slots.iter().all(|s| {
        !matches!(
            frame.get(*s as usize),
            Some(Value::Record(_) | Value::Table(_) | Value::Vector(_) | Value::List(_))
        )
    })
}

/// A `when` condition holds when it is true, or, for `local x = f()`,
/// as soon as a value is there.
fn when_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Void => false,
        Value::Count(c) => *c != 0,
        Value::Int(i) => *i != 0,
        _ => true,
    }
}
