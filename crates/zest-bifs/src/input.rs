//! `input.bif`: Zeek's input framework natively — streams that fill
//! tables or raise events from files, commands and databases — under the
//! upstream `base/frameworks/input` scripts, which call these functions.
//!
//! * [`manager`]: streams and what happens to the rows (`Manager.cc`).
//! * [`backend`]: the reader interface and the reader's thread state
//!   (`ReaderBackend`, `MsgThread`); readers run synchronously when the
//!   manager hands them their messages.
//! * The readers: [`ascii`], [`raw`], [`binary`], [`config`],
//!   [`benchmark`], [`sqlite`]; [`formatter`] parses field texts as Zeek's ASCII
//!   formatter does; [`value`] is the value type readers produce.
//!
//! Timing. Zeek reads in a thread per stream and delivers the results in
//! its run loop. Here the reading happens when the run loop polls its I/O
//! sources: the first stream created chains [`poll`] in front of the
//! interpreter's I/O poll hook (keeping the hook that was there, Broker's)
//! and puts [`shutdown`] first among the exit hooks. Each poll sends due
//! heartbeats (`Threading::heartbeat_interval`), runs the readers on their
//! pending messages (initial read, `force_update`, heartbeats, stop) and
//! processes what they sent: table changes, predicate calls, queued events
//! and reporter messages. The poll does nothing when the loop is not going
//! to run (no `exit_only_after_terminate` and no counted source), as
//! Zeek's loop then never processes its threads' output; everything left
//! is processed at shutdown, after `zeek_done`, followed by one drain of
//! the event queue — where Zeek's `input_mgr->Terminate()` and
//! `thread_mgr->Terminate()` do it.
//!
//! The chaining is a stand-in: the runtime has one I/O poll slot, which
//! Broker holds. With a second poll hook (or a list of them) [`poll`]
//! would move there and drop the chaining (`manager::install_hooks`).
//!
//! Differences from Zeek's threads: a command read in `MANUAL` mode is
//! read to its end at once (a long-running one holds up the run loop), and
//! the raw reader waits up to 50 ms after such a command's output ended
//! for its exit, so that `InputRaw::process_finished` is not lost to a
//! race.
//!
//! Analysis streams (`Input::__create_analysis_stream`) hand their data to
//! file analysis ([`crate::file_analysis`]).

pub mod ascii;
pub mod backend;
pub mod benchmark;
pub mod binary;
pub mod config;
pub mod formatter;
pub mod manager;
pub mod raw;
pub mod sqlite;
pub mod value;

use crate::Bif;
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Input::__create_table_stream",
        signature: "function(description: Input::TableDescription): bool",
        func: create_table_stream,
    },
    Bif {
        name: "Input::__create_event_stream",
        signature: "function(description: Input::EventDescription): bool",
        func: create_event_stream,
    },
    Bif {
        name: "Input::__create_analysis_stream",
        signature: "function(description: Input::AnalysisDescription): bool",
        func: create_analysis_stream,
    },
    Bif {
        name: "Input::__remove_stream",
        signature: "function(id: string): bool",
        func: remove_stream,
    },
    Bif {
        name: "Input::__force_update",
        signature: "function(id: string): bool",
        func: force_update,
    },
];

fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The input framework's part of the run loop's I/O poll: calls the poll
/// hook installed before it, then (when the loop runs) sends due
/// heartbeats and processes the readers. Returns the earlier hook's
/// answer: input streams do not keep the loop alive.
pub fn poll(it: &mut Interp) -> bool {
    let prev = manager::manager(it).borrow().prev_poll;
    let counting = prev.is_some_and(|f| f(it));
    if counting || manager::global_bool(it, "exit_only_after_terminate") {
        manager::heartbeat(it, wall_clock());
        manager::process(it);
    }
    counting
}

/// Stops every stream, processes what the readers still send, and drains
/// the event queue once. Runs when the process ends.
pub fn shutdown(it: &mut Interp) {
    crate::logging::terminate_writers(it);
    manager::terminate(it);
    manager::process(it);
    it.drain();
    it.flush_stdout();
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn check_string(v: &Value) -> String {
    let b = v.as_bytes();
    let b = b.split(|&c| c == 0).next().unwrap_or(&[]);
    String::from_utf8_lossy(b).into_owned()
}

fn create_table_stream(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ok = manager::create_table_stream(it, site, &arg(args, 0));
    Ok(Value::Bool(ok))
}

fn create_event_stream(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ok = manager::create_event_stream(it, site, &arg(args, 0));
    Ok(Value::Bool(ok))
}

fn create_analysis_stream(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ok = manager::create_analysis_stream(it, site, &arg(args, 0));
    Ok(Value::Bool(ok))
}

fn remove_stream(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = check_string(&arg(args, 0));
    Ok(Value::Bool(manager::remove_stream(it, &name)))
}

fn force_update(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let name = check_string(&arg(args, 0));
    Ok(Value::Bool(manager::force_update(it, site, &name)))
}
