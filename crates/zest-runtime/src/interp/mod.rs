//! The interpreter: evaluation of the resolved program, the event queue,
//! timers, and the reporter.
//!
//! Single-threaded. Frames live on one value stack (`stack`), so calling a
//! simple function allocates nothing; `fp` is the base of the current frame.

mod eval;
mod exec;
pub(crate) mod ops;
mod tables;
pub mod timers;
mod triggers;

pub use ops::deep_copy as ops_deep_copy;

use crate::ir::{Body, Loc};
use crate::program::Program;
use crate::types::TypeRef;
use crate::value::Value;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;
use timers::{Timer, TimerAction, TimerHeap};

/// A run-time error that was already reported; unwinds to the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtErr;

pub type RtResult = Result<Value, RtErr>;

/// Where a built-in function was called from.
pub struct CallSite<'a> {
    pub loc: Loc,
    pub expr: Option<&'a crate::ir::Expr>,
}

/// How a statement finished.
#[derive(Debug)]
pub enum Flow {
    Normal,
    Next,
    Break,
    Fallthrough,
    Return(Value),
}

pub type ExecResult = Result<Flow, RtErr>;

/// A queued event: the event's global id and its arguments.
pub struct QueuedEvent {
    pub handler: u32,
    pub args: Vec<Value>,
    /// Raised for a message from a Broker peer (`SOURCE_BROKER`), not
    /// locally.
    pub remote: bool,
}

type FileRef = Rc<std::cell::RefCell<crate::opaque::FileVal>>;
/// Takes a `print` statement's values (`Log::print_to_log`).
pub type PrintFn = fn(&mut Interp, &[Value], Loc) -> bool;
/// Writes bytes to a script-level file through the file library.
pub type FileWriteFn = fn(&mut Interp, &FileRef, &[u8]) -> bool;

/// Functions of native libraries that statements call: printing to a
/// file goes through the file library's buffering, and shutdown lets each
/// library flush.
#[derive(Default, Clone)]
pub struct NativeHooks {
    pub file_write: Option<FileWriteFn>,
    pub file_is_open: Option<fn(&mut Interp, &FileRef) -> bool>,
    pub file_size: Option<fn(&mut Interp, &FileRef) -> f64>,
    /// Run, in order, when the process ends (normally or by `exit()`).
    pub at_exit: Vec<fn(&mut Interp)>,
    /// Polls counted I/O sources (the Broker endpoint): delivers what
    /// arrived and says whether a source is active (keeps the loop alive).
    pub io_poll: Option<fn(&mut Interp) -> bool>,
    /// Waits at most the given time for an I/O source to deliver (returns
    /// early when one does); without it the run loop just sleeps.
    pub io_wait: Option<fn(&mut Interp, std::time::Duration)>,
    /// Sees every locally raised event as it is dispatched (auto-publish).
    pub on_dispatch: Option<fn(&mut Interp, u32, &[Value])>,
    /// Whether an event is auto-published: such an event is queued (and
    /// published when dispatched, in order with the others) even without
    /// a local handler body.
    pub is_auto_published: Option<fn(&mut Interp, u32) -> bool>,
    /// Sees every `print` statement's values first; true means it took
    /// them (`Log::print_to_log`) and nothing is printed.
    pub print: Option<PrintFn>,
    /// Sees every reporter message (prefix such as `error` or `expression
    /// error`, location, text) before it is written: raises the
    /// `reporter_*` events and says whether the line goes to stderr.
    pub on_report: Option<ReportFn>,
    /// Describes an opaque value owned by a native library (`ValDescribe`);
    /// false leaves Zeek's `<no value description>`.
    pub describe_opaque: Option<DescribeOpaqueFn>,
    /// Converts a `Broker::Data` record to a value of the given type
    /// (`DataVal::castTo`) for `as`, `is` and type switches.
    pub cast_data: Option<CastDataFn>,
    /// Sees a script's change to a table that forwards to a Broker store
    /// (`TableVal::SendToStore`): the store number, the index, and the new
    /// value (`None` for a set element) or removal.
    pub table_store: Option<TableStoreFn>,
    /// Run, in order, when the process begins to terminate, before
    /// `zeek_done` is queued (`file_mgr->Terminate()`).
    pub terminate_first: Vec<fn(&mut Interp)>,
    /// Run once after the scripts are loaded, before `zeek_init`
    /// (`InitPostScript`).
    pub post_script: Vec<fn(&mut Interp)>,
    /// `copy()` of an opaque value whose state a native library keeps.
    pub copy_opaque: Option<fn(&mut Interp, &Value) -> Option<Value>>,
}

/// A table change for [`NativeHooks::table_store`].
pub enum TableChange<'a> {
    Assigned(Option<&'a Value>),
    Removed,
}

/// See [`NativeHooks::table_store`].
pub type TableStoreFn = fn(&mut Interp, u32, &[Value], TableChange<'_>);

/// See [`NativeHooks::describe_opaque`].
pub type DescribeOpaqueFn = fn(&Interp, &Value, &mut Vec<u8>) -> bool;
/// See [`NativeHooks::cast_data`].
pub type CastDataFn = fn(&mut Interp, &Value, &TypeRef) -> Option<Value>;

/// See [`NativeHooks::on_report`].
pub type ReportFn = fn(&mut Interp, &str, Option<Loc>, &str) -> bool;

pub struct Interp {
    pub prog: Program,
    pub stack: Vec<Value>,
    pub fp: usize,
    pub events: VecDeque<QueuedEvent>,
    pub timers: TimerHeap,
    /// Pending `when` statements.
    pub triggers: Vec<triggers::Trigger>,
    pub trigger_seq: u64,
    /// Initialization (the first drain) is over.
    pub init_done: bool,
    /// `terminate()` was called; the run loop stops after its drain.
    pub terminate_requested: bool,
    /// The timer manager's notion of time (advanced only by the loop).
    pub timer_time: f64,
    /// The error being unwound is a missing value: only the current
    /// statement is skipped (`zeek-semantics.md` §4.5).
    pub no_value: bool,
    /// The `when` trigger whose condition is being evaluated.
    pub cur_trigger: Option<u64>,
    /// Values of calls made inside trigger conditions, by (trigger, call
    /// site), and the calls still waiting in a `return when`.
    pub call_cache: std::collections::BTreeMap<(u64, usize), Value>,
    pub pending_calls: std::collections::BTreeSet<(u64, usize)>,
    /// Triggers that got a value they waited for since their condition
    /// was last evaluated.
    pub(crate) woken: std::collections::BTreeSet<u64>,
    /// The trigger call site a function call is made for; a `return when`
    /// that must wait reports back through `suspended`.
    pub call_parent: Option<(u64, usize)>,
    /// The calls in progress, innermost last (Zeek's `call_stack`, for
    /// `backtrace()`).
    pub call_stack: Vec<CallInfo>,
    pub suspended: bool,
    /// Set when a call inside a trigger condition had to wait: the calls
    /// around it have no value yet either.
    pub call_waiting: bool,
    /// Events dispatched so far (trigger conditions are re-checked only
    /// after something ran).
    pub dispatched: u64,
    /// Events queued so far (`get_event_stats`).
    pub queued: u64,
    /// How often each event handler was called, by global id (grown on
    /// demand; `get_event_handler_stats`).
    pub handler_calls: Vec<u64>,
    pub(crate) last_trigger_check: u64,
    /// Event groups that exist (declared by some handler) and those that
    /// are disabled.
    pub groups: rustc_hash::FxHashSet<(crate::ir::GroupKind, zest_syntax::Symbol)>,
    pub disabled_groups: rustc_hash::FxHashSet<(crate::ir::GroupKind, zest_syntax::Symbol)>,
    /// Entry points into native libraries the interpreter itself needs
    /// (set when the libraries register).
    pub hooks: NativeHooks,
    /// The event being dispatched came from a Broker peer.
    pub remote_event: bool,
    /// State kept by native libraries (logging streams, option handlers,
    /// …), one entry per library, keyed by its name.
    pub ext: rustc_hash::FxHashMap<&'static str, Box<dyn std::any::Any>>,
    pub out: std::io::BufWriter<std::io::Stdout>,
    pub network_time: f64,
    pub terminating: bool,
    pub exit_code: Option<i32>,
    /// Number of errors reported (non-zero at load time means exit 1).
    pub error_count: usize,
    /// Call depth, to stop runaway recursion.
    pub depth: u32,
    /// Reusable scratch buffer for rendering.
    pub scratch: Vec<u8>,
    /// Set while evaluating at parse time (global initializers, `@if`).
    pub in_init: bool,
    /// Compilation state (the program grows while scripts load).
    pub sema: crate::compile::Sema,
    /// Table expiration and `&on_change` state.
    pub tables: tables::TableRt,
}

/// The function of a call in progress.
#[derive(Debug, Clone)]
pub enum CallFunc {
    /// A script function, event or hook.
    Global(u32),
    Builtin(u32),
    Lambda(Rc<crate::ir::LambdaDef>),
}

/// One call in progress: the function, where it was called (none for an
/// event), and where its arguments are on the value stack (`usize::MAX`
/// for a built-in, whose arguments are not there).
#[derive(Debug, Clone)]
pub struct CallInfo {
    pub func: CallFunc,
    pub call: Option<Loc>,
    pub args_base: usize,
    pub nargs: u32,
}

impl Interp {
    pub fn new(prog: Program) -> Self {
        Interp {
            prog,
            stack: Vec::with_capacity(1024),
            fp: 0,
            events: VecDeque::new(),
            timers: TimerHeap::default(),
            triggers: Vec::new(),
            trigger_seq: 0,
            init_done: false,
            terminate_requested: false,
            timer_time: 0.0,
            no_value: false,
            ext: rustc_hash::FxHashMap::default(),
            hooks: NativeHooks::default(),
            remote_event: false,
            cur_trigger: None,
            call_cache: std::collections::BTreeMap::new(),
            pending_calls: std::collections::BTreeSet::new(),
            woken: std::collections::BTreeSet::new(),
            call_parent: None,
            call_stack: Vec::with_capacity(256),
            suspended: false,
            call_waiting: false,
            dispatched: 0,
            queued: 0,
            handler_calls: Vec::new(),
            last_trigger_check: 0,
            groups: rustc_hash::FxHashSet::default(),
            disabled_groups: rustc_hash::FxHashSet::default(),
            out: std::io::BufWriter::with_capacity(4096, std::io::stdout()),
            network_time: 0.0,
            terminating: false,
            exit_code: None,
            error_count: 0,
            depth: 0,
            scratch: Vec::new(),
            in_init: false,
            sema: crate::compile::Sema::new(),
            tables: tables::TableRt::default(),
        }
    }

    /// The state a native library keeps under `key`, if it has any.
    pub fn ext_ref<T: 'static>(&self, key: &'static str) -> Option<&T> {
        self.ext.get(key)?.downcast_ref::<T>()
    }

    /// The state a native library keeps under `key`, created on first use.
    pub fn ext_mut<T: Default + 'static>(&mut self, key: &'static str) -> &mut T {
        self.ext
            .entry(key)
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .expect("one type per extension key")
    }

    // ------------------------------------------------------------ reporter

    /// Writes one reporter line to stderr as Zeek formats it.
    pub fn report(&mut self, prefix: &str, loc: Option<Loc>, msg: &str) {
        if let Some(h) = self.hooks.on_report {
            if !h(self, prefix, loc, msg) {
                if prefix == "fatal error" {
                    crate::run::set_processing_status("TERMINATED", "fatal_error");
                }
                return;
            }
        }
        let mut line = String::from(prefix);
        if let Some(loc) = loc {
            line.push_str(" in ");
            self.describe_loc(loc, &mut line);
        }
        line.push_str(": ");
        line.push_str(msg);
        line.push('\n');
        let _ = std::io::stderr().write_all(line.as_bytes());
        if prefix == "fatal error" {
            crate::run::set_processing_status("TERMINATED", "fatal_error");
        }
    }

    pub fn describe_loc(&self, loc: Loc, out: &mut String) {
        out.push_str(self.prog.file_name(loc));
        if loc.last_line > loc.first_line {
            out.push_str(&format!(", lines {}-{}", loc.first_line, loc.last_line));
        } else {
            out.push_str(&format!(", line {}", loc.first_line));
        }
    }

    pub fn error(&mut self, loc: Option<Loc>, msg: &str) {
        self.error_count += 1;
        self.report("error", loc, msg);
    }

    /// An error whose location is Zeek's `TYPE and FILE, line N` pair (the
    /// type object has no location of its own).
    pub fn error_with_type_loc(&mut self, ty: &str, loc: Loc, msg: &str) {
        self.error_count += 1;
        let mut l = String::new();
        self.describe_loc(loc, &mut l);
        let _ = std::io::stderr().write_all(format!("error in {ty} and {l}: {msg}\n").as_bytes());
    }

    /// A reporter info message: no prefix, no location.
    /// Zeek's `reporter->Info`: a `reporter_info` event (through the
    /// report hook) and, as `Reporter::info_to_stderr` says, stderr.
    pub fn report_info(&mut self, msg: &str) {
        if let Some(h) = self.hooks.on_report {
            if !h(self, "info", None, msg) {
                return;
            }
        }
        let _ = std::io::stderr().write_all(format!("{msg}\n").as_bytes());
    }

    pub fn warn(&mut self, loc: Option<Loc>, msg: &str) {
        self.report("warning", loc, msg);
    }

    /// An `expression error`: reports and returns the unwinding marker.
    pub fn expr_error(&mut self, loc: Loc, msg: &str) -> RtErr {
        self.error_count += 1;
        self.report("expression error", Some(loc), msg);
        RtErr
    }

    /// A missing value: the enclosing statement is skipped silently and
    /// execution goes on with the next one.
    pub fn no_value(&mut self) -> RtErr {
        self.no_value = true;
        RtErr
    }

    pub fn runtime_error(&mut self, loc: Loc, msg: &str) -> RtErr {
        self.error_count += 1;
        self.report("runtime error", Some(loc), msg);
        RtErr
    }

    // ------------------------------------------------------------ calls

    /// Runs one body with `args` as its parameters. Returns the value of a
    /// `return`, or `Void`.
    pub fn run_body(
        &mut self,
        body: &Rc<Body>,
        args: &[Value],
        captures: Option<&std::cell::RefCell<Vec<Value>>>,
    ) -> RtResult {
        let base = self.stack.len();
        self.stack.extend_from_slice(args);
        self.run_body_at(body, base, captures)
    }

    /// Runs `body` with its arguments already on the stack from `base` on
    /// (so a script-to-script call copies nothing and allocates nothing).
    pub fn run_body_at(
        &mut self,
        body: &Rc<Body>,
        base: usize,
        captures: Option<&std::cell::RefCell<Vec<Value>>>,
    ) -> RtResult {
        if self.depth > 5000 {
            self.stack.truncate(base);
            return Err(self.runtime_error(body.loc, "call stack too deep"));
        }
        let saved_fp = self.fp;
        let ncaps = captures.map_or(0, |c| c.borrow().len());
        if let Some(c) = captures {
            // Captures follow the parameters.
            self.stack.resize(base + body.nparams as usize, Value::Void);
            self.stack.extend_from_slice(&c.borrow());
        }
        let size = (body.frame_size as usize).max(self.stack.len() - base);
        self.stack.resize(base + size, Value::Void);
        self.fp = base;
        self.depth += 1;
        let mut result = Ok(Value::Void);
        for s in &body.stmts {
            match self.exec(s) {
                Ok(Flow::Normal) => {}
                Ok(Flow::Return(v)) => {
                    result = Ok(v);
                    break;
                }
                Ok(_) => break,
                // A call waiting in a `return when` delays the whole
                // function (Zeek's `Frame::SetDelayed`): no statement
                // after it runs.
                Err(_) if self.no_value && !self.call_waiting => self.no_value = false,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.depth -= 1;
        if let Some(c) = captures {
            // A closure's captured variables persist across its calls.
            let start = base + body.nparams as usize;
            let mut cb = c.borrow_mut();
            cb.clear();
            cb.extend_from_slice(&self.stack[start..start + ncaps]);
        }
        self.stack.truncate(base);
        self.fp = saved_fp;
        result
    }

    /// Calls a function value with evaluated arguments.
    pub fn call_value(&mut self, f: &Value, args: &mut [Value], loc: Loc) -> RtResult {
        let Value::Func(fv) = f else {
            return Err(self.expr_error(loc, "value used but not set"));
        };
        match &fv.kind {
            crate::value::FuncValKind::Global(gid) => self.call_global(*gid, args, loc),
            crate::value::FuncValKind::Builtin(bid) => {
                let f = self.prog.builtins[*bid as usize].func;
                self.push_call(CallFunc::Builtin(*bid), Some(loc), usize::MAX, 0);
                let r = f(self, args, &CallSite { loc, expr: None });
                self.call_stack.pop();
                r
            }
            crate::value::FuncValKind::Lambda(def, caps) => {
                let body = def.body.clone();
                let caps = caps.clone();
                let base = self.stack.len();
                self.push_call(CallFunc::Lambda(def.clone()), Some(loc), base, args.len());
                let r = self.run_body(&body, args, Some(&caps));
                self.call_stack.pop();
                r
            }
        }
    }

    /// Zeek's `render_call_stack`: the calls in progress, innermost
    /// first, as `| #0 f(args) at file:line | … |` (empty outside calls).
    pub fn render_call_stack(&self) -> String {
        let mut out = String::new();
        if self.call_stack.is_empty() {
            return out;
        }
        out.push_str("| ");
        for (lvl, ci) in self.call_stack.iter().rev().enumerate() {
            if lvl > 0 {
                out.push_str(" | ");
            }
            let name = match &ci.func {
                CallFunc::Global(g) => self.prog.globals[*g as usize].name,
                CallFunc::Builtin(b) => self.prog.builtins[*b as usize].name,
                CallFunc::Lambda(def) => def.name,
            };
            let mut args = Vec::new();
            if ci.args_base != usize::MAX {
                for i in 0..ci.nargs as usize {
                    let Some(v) = self.stack.get(ci.args_base + i) else {
                        break;
                    };
                    if i > 0 {
                        args.extend_from_slice(b", ");
                    }
                    self.describe_value(v, &mut args, crate::describe::Style::Short);
                }
            }
            out.push_str(&format!(
                "#{lvl} {}({})",
                name.as_str(),
                String::from_utf8_lossy(&args)
            ));
            if let Some(loc) = ci.call {
                out.push_str(&format!(
                    " at {}:{}",
                    self.prog.file_name(loc),
                    loc.first_line
                ));
            }
        }
        out.push_str(" |");
        out
    }

    /// Zeek's `Expr::RuntimeErrorWithCallStack`: a runtime error naming
    /// the expression and the call stack, or an expression error outside
    /// any call.
    pub fn runtime_error_with_call_stack(&mut self, loc: Loc, d: &str, msg: &str) -> RtErr {
        let rcs = self.render_call_stack();
        if rcs.is_empty() {
            self.expr_error(loc, &format!("{msg} ({d})"))
        } else {
            self.runtime_error(loc, &format!("{msg}, expression: {d}, call stack: {rcs}"))
        }
    }

    /// Records a call in progress (see `call_stack`); the caller pops it.
    #[inline]
    pub fn push_call(&mut self, func: CallFunc, call: Option<Loc>, args_base: usize, nargs: usize) {
        self.call_stack.push(CallInfo {
            func,
            call,
            args_base,
            nargs: nargs as u32,
        });
    }

    /// Calls a global script function (all its bodies are one function).
    pub fn call_global(&mut self, gid: u32, args: &mut [Value], loc: Loc) -> RtResult {
        let g = &self.prog.globals[gid as usize];
        if let Some(b) = g.builtin {
            let f = self.prog.builtins[b as usize].func;
            self.push_call(CallFunc::Builtin(b), Some(loc), usize::MAX, 0);
            let r = f(self, args, &CallSite { loc, expr: None });
            self.call_stack.pop();
            return r;
        }
        let Some(body) = g.bodies.first().cloned() else {
            let name = g.name;
            return Err(self.expr_error(loc, &format!("{name} has no body")));
        };
        let base = self.stack.len();
        self.push_call(CallFunc::Global(gid), Some(loc), base, args.len());
        let r = self.run_body(&body, args, None);
        self.call_stack.pop();
        r
    }

    /// Runs every body of a hook in priority order; false if one `break`s.
    pub fn call_hook(&mut self, gid: u32, args: &[Value]) -> Result<bool, RtErr> {
        let bodies = self.prog.globals[gid as usize].bodies.clone();
        let base = self.stack.len();
        self.push_call(CallFunc::Global(gid), None, base, args.len());
        let mut r = true;
        for b in &bodies {
            if self.body_disabled(b) {
                continue;
            }
            if let Ok(Value::Bool(false)) = self.run_hook_body(b, args) {
                r = false;
                break;
            }
        }
        self.call_stack.pop();
        Ok(r)
    }

    fn run_hook_body(&mut self, body: &Rc<Body>, args: &[Value]) -> RtResult {
        let saved_fp = self.fp;
        let base = self.stack.len();
        self.stack.extend_from_slice(args);
        self.stack.resize(
            base + body.frame_size.max(args.len() as u32) as usize,
            Value::Void,
        );
        self.fp = base;
        self.depth += 1;
        let mut result = Ok(Value::Bool(true));
        for s in &body.stmts {
            match self.exec(s) {
                Ok(Flow::Normal) => {}
                Ok(Flow::Break) => {
                    result = Ok(Value::Bool(false));
                    break;
                }
                Ok(_) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.depth -= 1;
        self.stack.truncate(base);
        self.fp = saved_fp;
        result
    }

    // ------------------------------------------------------------ events

    /// A handler body runs only if none of its groups is disabled.
    fn body_disabled(&self, b: &Body) -> bool {
        !self.disabled_groups.is_empty()
            && b.groups.iter().any(|g| self.disabled_groups.contains(g))
    }

    /// `enable_event_group`/`disable_event_group` and the module variants;
    /// false if no handler belongs to the group.
    pub fn set_group_enabled(
        &mut self,
        kind: crate::ir::GroupKind,
        name: zest_syntax::Symbol,
        enabled: bool,
    ) -> bool {
        if !self.groups.contains(&(kind, name)) {
            return false;
        }
        if enabled {
            self.disabled_groups.remove(&(kind, name));
        } else {
            self.disabled_groups.insert((kind, name));
        }
        true
    }

    pub fn has_group(&self, kind: crate::ir::GroupKind, name: zest_syntax::Symbol) -> bool {
        self.groups.contains(&(kind, name))
    }

    pub fn queue_event(&mut self, mut handler: u32, args: Vec<Value>) {
        // An event variable assigned another event (`e5 = e4;`) raises
        // that one.
        for _ in 0..8 {
            let g = &self.prog.globals[handler as usize];
            if !g.bodies.is_empty() {
                break;
            }
            match &g.value {
                Value::Func(f) => match f.kind {
                    crate::value::FuncValKind::Global(other) if other != handler => {
                        handler = other;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        if self.prog.globals[handler as usize].bodies.is_empty()
            && !self
                .hooks
                .is_auto_published
                .is_some_and(|h| h(self, handler))
        {
            return;
        }
        self.queued += 1;
        self.events.push_back(QueuedEvent {
            handler,
            args,
            remote: false,
        });
    }

    /// Queues an event received from a Broker peer: `is_remote_event()`
    /// is true while it runs, and it is not auto-published again.
    pub fn queue_remote_event(&mut self, handler: u32, args: Vec<Value>) {
        if self.prog.globals[handler as usize].bodies.is_empty() {
            return;
        }
        self.queued += 1;
        self.events.push_back(QueuedEvent {
            handler,
            args,
            remote: true,
        });
    }

    /// Dispatches one event to every handler body, in priority order. An
    /// error ends only the body it happens in.
    pub fn dispatch(&mut self, ev: QueuedEvent) {
        self.dispatched += 1;
        let h = ev.handler as usize;
        if h >= self.handler_calls.len() {
            self.handler_calls
                .resize(self.prog.globals.len().max(h + 1), 0);
        }
        self.handler_calls[h] += 1;
        if !ev.remote {
            if let Some(h) = self.hooks.on_dispatch {
                h(self, ev.handler, &ev.args);
            }
        }
        let outer = std::mem::replace(&mut self.remote_event, ev.remote);
        let bodies = self.prog.globals[ev.handler as usize].bodies.clone();
        let base = self.stack.len();
        self.push_call(CallFunc::Global(ev.handler), None, base, ev.args.len());
        for b in &bodies {
            if self.body_disabled(b) {
                continue;
            }
            let _ = self.run_body(b, &ev.args, None);
            if self.exit_code.is_some() {
                break;
            }
        }
        self.remote_event = outer;
        self.call_stack.pop();
    }

    /// Zeek's `EventMgr::Drain`: at most two rounds (the events queued when
    /// it starts, then those they queued), then the pending `when`
    /// conditions are checked.
    pub fn drain(&mut self) {
        for _ in 0..2 {
            let n = self.events.len();
            for _ in 0..n {
                let Some(ev) = self.events.pop_front() else {
                    break;
                };
                self.dispatch(ev);
                if self.exit_code.is_some() {
                    return;
                }
            }
        }
        self.check_triggers();
    }

    /// Drains until the queue is empty.
    pub fn drain_events(&mut self) {
        loop {
            self.drain();
            if self.events.is_empty() || self.exit_code.is_some() {
                return;
            }
        }
    }

    /// Adds a timer for a `schedule`d event (ignored once terminating).
    pub fn schedule(&mut self, when: f64, handler: u32, args: Vec<Value>) {
        if self.terminating {
            return;
        }
        self.timers.push(Timer {
            when,
            action: TimerAction::Event(QueuedEvent {
                handler,
                args,
                remote: false,
            }),
        });
    }

    /// Fires one timer: a scheduled event is queued; a `when` timeout runs
    /// right away.
    pub fn fire_timer(&mut self, t: Timer) {
        match t.action {
            TimerAction::Event(ev) => self.queue_event(ev.handler, ev.args),
            TimerAction::WhenTimeout(id) => self.trigger_timeout(id),
            // At termination Zeek expires a table's timer without running
            // its expiration.
            TimerAction::TableExpire(w) => {
                if !self.terminating {
                    self.table_expire(&w);
                }
            }
            TimerAction::Native(f, data) => {
                let t = if self.terminating {
                    self.timer_time.max(self.network_time)
                } else {
                    self.network_time
                };
                f(self, t, self.terminating, &data);
            }
        }
    }

    /// Lets every native library flush and close (logs, files).
    pub fn run_exit_hooks(&mut self) {
        let hooks = std::mem::take(&mut self.hooks.at_exit);
        for h in &hooks {
            h(self);
        }
        self.hooks.at_exit = hooks;
    }

    pub fn flush_stdout(&mut self) {
        let _ = self.out.flush();
    }
}
