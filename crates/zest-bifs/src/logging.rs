//! `logging.bif`: Zeek's logging framework natively — streams, filters,
//! the ASCII and None writers — under the upstream
//! `base/frameworks/logging` scripts, which call these functions.
//!
//! * [`manager`]: streams, filters and the path of a write (`Manager.cc`).
//! * [`writer`]: the writer interface (`WriterBackend`); [`thread`]: the
//!   `WriterFrontend` and the thread each writer runs on, behind a bounded
//!   queue, with its messages coming back over a channel.
//! * [`ascii`] and [`none`]: the writers; [`format`]: their number and
//!   time texts; [`value`]: the column and value types writers receive;
//!   [`rotation`]: rotated names, postprocessors, leftover logs.
//!
//! Entry points for the run loop, at the places Zeek has them:
//!
//! * [`init_post_script`] once every script is loaded, before the top-level
//!   statements and `zeek_init` (the ASCII writer's `InitPostScript`: it
//!   rotates leftover logs of an earlier run).
//! * [`next_rotation_time`] / [`dispatch_rotation_timers`]: the rotation
//!   timers (`Log::default_rotation_interval`, a filter's `interv`), for
//!   the timer loop to fire in time order with the other timers.
//! * [`expire_rotation_timers`] where Zeek's `terminate_zeek()` expires
//!   every timer (after `zeek_done` is queued, before it is drained).
//! * [`process_writer_output`] once per iteration of the run loop (after
//!   initialization), where Zeek processes its threads' output: writer
//!   errors and finished rotations (postprocessors) surface there.
//! * [`shutdown`] once the run loop has finished (after `zeek_done`): it
//!   flushes every writer and closes its output (the ASCII `#close` line),
//!   as Zeek's `log_mgr->Terminate()` does.
//! * [`print_statement`] from the `print` statement, for
//!   `Log::print_to_log`: it logs the print to `Log::PRINTLOG` instead.
//!
//! Not done: remote logging (Broker). Gzip output is
//! valid gzip but stored, not compressed as zlib would.

pub mod ascii;
pub mod format;
pub mod manager;
pub mod none;
pub mod rotation;
pub mod serial;
pub mod sqlite;
pub mod thread;
pub mod value;
pub mod writer;

use crate::Bif;
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "Log::__create_stream",
        signature: "function(id: Log::ID, stream: Log::Stream): bool",
        func: create_stream,
    },
    Bif {
        name: "Log::__remove_stream",
        signature: "function(id: Log::ID): bool",
        func: remove_stream,
    },
    Bif {
        name: "Log::__enable_stream",
        signature: "function(id: Log::ID): bool",
        func: enable_stream,
    },
    Bif {
        name: "Log::__disable_stream",
        signature: "function(id: Log::ID): bool",
        func: disable_stream,
    },
    Bif {
        name: "Log::__add_filter",
        signature: "function(id: Log::ID, filter: Log::Filter): bool",
        func: add_filter,
    },
    Bif {
        name: "Log::__remove_filter",
        signature: "function(id: Log::ID, name: string): bool",
        func: remove_filter,
    },
    Bif {
        name: "Log::__write",
        signature: "function(id: Log::ID, columns: any): bool",
        func: write,
    },
    Bif {
        name: "Log::__set_buf",
        signature: "function(id: Log::ID, buffered: bool): bool",
        func: set_buf,
    },
    Bif {
        name: "Log::__flush",
        signature: "function(id: Log::ID): bool",
        func: flush,
    },
];

/// Stops every log writer: flushes it and closes its output. Call at the
/// end of the run (after `zeek_done` and the last drain). Rotation timers
/// still pending are expired first.
pub fn shutdown(it: &mut Interp) {
    if manager::terminated(it) {
        manager::abandon_live_writers(it);
    } else {
        expire_rotation_timers(it);
        manager::terminate(it);
    }
    manager::process_pending(it);
    it.flush_stdout();
}

/// Zeek's `log_mgr->Terminate()` where it comes in the shutdown before
/// the input framework's threads deliver what is left: the writers open
/// now finish (with their `#close` lines); [`shutdown`] leaves those
/// created afterwards unfinished.
pub fn terminate_writers(it: &mut Interp) {
    expire_rotation_timers(it);
    manager::terminate(it);
}

/// Waits until every writer thread has written out the rows it was given,
/// without closing the logs: for a process that ends early (`exit()`, a
/// fatal error, a failed start), where the shutdown sequence does not run.
/// Nothing happens once [`shutdown`] has run.
pub fn sync_writers(it: &mut Interp) {
    manager::sync_writers(it);
}

/// Processes what the writers reported since the last call (their error
/// messages, finished rotations with their postprocessors), as Zeek's main
/// loop does with its threads' output once per iteration. [`shutdown`]
/// does it too.
pub fn process_writer_output(it: &mut Interp) {
    manager::poll_writers(it, false);
    manager::process_pending(it);
}

/// Sends the rows each writer batched to its thread and collects what the
/// threads reported, without reporting it yet (Zeek's heartbeat flush of
/// the write buffers). Cheap; call once per iteration of the run loop.
pub fn heartbeat(it: &mut Interp) {
    manager::poll_writers(it, false);
}

/// The ASCII writer's start-up work: rotates the logs an earlier run left
/// behind (`LogAscii::enable_leftover_log_rotation`). Call once all scripts
/// are loaded, before the top-level statements run and `zeek_init`.
pub fn init_post_script(it: &mut Interp) {
    rotation::rotate_leftover_logs(it);
}

/// When the next rotation timer is due (network time), if any.
pub fn next_rotation_time(it: &mut Interp) -> Option<f64> {
    manager::next_rotation_time(it)
}

/// Fires the rotation timers due at `now`: each rotates its writer's
/// output (renaming the file, running the postprocessor) and is installed
/// again for the next interval.
pub fn dispatch_rotation_timers(it: &mut Interp, now: f64) {
    manager::dispatch_rotation_timers(it, now, false);
}

/// Expires every pending rotation timer, as Zeek's timer manager does at
/// termination: each writer with one rotates once more.
pub fn expire_rotation_timers(it: &mut Interp) {
    manager::dispatch_rotation_timers(it, f64::INFINITY, true);
}

/// The `print` statement's redirection to the print log
/// (`Stmt.cc: do_print_stmt`, `print_log`): with `Log::print_to_log` set to
/// `REDIRECT_ALL`, or `REDIRECT_STDOUT` and a print to standard output,
/// the printed values (all of them, a leading file too) are described and
/// written to `Log::PRINTLOG`, and the statement prints nothing. Returns
/// whether it took the print.
pub fn print_statement(it: &mut Interp, vals: &[Value], loc: zest_runtime::ir::Loc) -> bool {
    let mode = match manager::global_enum_name(it, "Log::print_to_log") {
        Some(m) => m,
        None => return false,
    };
    let to_stdout = !matches!(vals.first(), Some(Value::File(_)));
    match mode.as_str() {
        "Log::REDIRECT_ALL" => {}
        "Log::REDIRECT_STDOUT" if to_stdout => {}
        _ => return false,
    }
    manager::write_print_log(it, vals, loc);
    true
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn create_stream(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let ok = manager::create_stream(it, &arg(args, 0), &arg(args, 1));
    Ok(Value::Bool(ok))
}

fn remove_stream(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(manager::remove_stream(it, &arg(args, 0))))
}

fn enable_stream(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(manager::set_enabled(it, &arg(args, 0), true)))
}

fn disable_stream(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(manager::set_enabled(it, &arg(args, 0), false)))
}

fn add_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(manager::add_filter(
        it,
        &arg(args, 0),
        &arg(args, 1),
    )))
}

fn remove_filter(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let name = arg(args, 1);
    let name = match zest_runtime::render::string::check_string(name.as_bytes()) {
        Ok(s) | Err(s) => s.to_vec(),
    };
    Ok(Value::Bool(manager::remove_filter(
        it,
        &arg(args, 0),
        &name,
    )))
}

fn write(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let ok = manager::write(it, &arg(args, 0), &arg(args, 1), site.loc)?;
    Ok(Value::Bool(ok))
}

fn set_buf(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let enabled = arg(args, 1).as_bool();
    Ok(Value::Bool(manager::set_buf(it, &arg(args, 0), enabled)))
}

fn flush(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    Ok(Value::Bool(manager::flush(it, &arg(args, 0))))
}
