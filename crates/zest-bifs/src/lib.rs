//! Zeek's built-in functions, implemented natively.
//!
//! One module per upstream `.bif` group. Every function is registered with
//! its name; the script-level declaration (same name and type as Zeek's)
//! binds to it when the declaration is compiled; each entry also carries
//! Zeek's declared type, which a test checks against `scripts/base/bif`.
//!
//! Groups: `zeek` (fmt/cat/time/process), `strings` (strings.bif),
//! `conversion` (to_*/ *_to_* / math of zeek.bif), `containers` (sort,
//! order, table_keys, resize, clear_table, …), `introspection` (type and
//! identifier queries: record_fields, global_ids, lookup_ID, …), `hashing`
//! (md5/sha*/hmac/hash opaques, rand, uuid), `json` (to_json, from_json),
//! `reporter` (reporter.bif).

pub mod broker;
pub mod containers;
pub mod conversion;
pub mod file_analysis;
pub mod files;
pub mod frameworks;
pub mod hashing;
pub mod input;
pub mod introspection;
pub mod json;
pub mod logging;

pub mod misc;
pub mod option;
pub mod pcap;
pub mod probabilistic;
pub mod protocols;
pub mod reporter;
pub mod signatures;
pub mod stats;
pub mod strings;
pub mod supervisor;
mod support;
pub mod telemetry;
pub mod x509;
pub mod zeek;

use zest_runtime::program::{BuiltinFn, Program};

/// One native function: its name, Zeek's declaration, and the code.
pub struct Bif {
    pub name: &'static str,
    /// The type as Zeek declares it, e.g. `function(va_args: any): string`.
    pub signature: &'static str,
    pub func: BuiltinFn,
}

/// Every native function of every group.
pub fn all() -> Vec<&'static [Bif]> {
    vec![
        zeek::BIFS,
        strings::BIFS,
        conversion::BIFS,
        containers::BIFS,
        introspection::BIFS,
        hashing::BIFS,
        input::BIFS,
        json::BIFS,
        reporter::BIFS,
        reporter::NAMED_TYPE_BIFS,
        option::BIFS,
        frameworks::BIFS,
        broker::BIFS,
        logging::BIFS,
        files::BIFS,
        file_analysis::BIFS,
        misc::BIFS,
        broker::TAKEOVER,
        broker::store::BIFS,
        stats::BIFS,
        probabilistic::BIFS,
        telemetry::BIFS,
        pcap::BIFS,
        protocols::BIFS,
        supervisor::BIFS,
        x509::BIFS,
    ]
}

/// Registers every native function with the program.
pub fn register(prog: &mut Program) {
    for group in all() {
        for b in group {
            prog.register_builtin(b.name, b.func);
        }
    }
}

/// Polls the I/O sources once per iteration of the run loop: the log
/// writers' threads, then the Broker endpoint (whose answer it returns).
pub(crate) fn io_poll(it: &mut zest_runtime::Interp) -> bool {
    logging::heartbeat(it);
    broker::poll(it)
}

/// Connects the interpreter to the libraries it calls directly (file
/// output, shutdown flushing).
pub fn install_hooks(it: &mut zest_runtime::Interp) {
    it.hooks.file_write = Some(files::write);
    it.hooks.file_is_open = Some(files::is_open);
    it.hooks.file_size = Some(files::size);
    // Logs close (with their #close lines) before open files are flushed.
    it.hooks.at_exit.push(logging::shutdown);
    it.hooks.at_exit.push(supervisor::shutdown);
    it.hooks.at_exit.push(files::shutdown);
    it.hooks.print = Some(logging::print_statement);
    it.hooks.on_report = Some(reporter::on_report);
    it.hooks.io_poll = Some(io_poll);
    it.hooks.io_wait = Some(broker::wait);
    it.hooks.on_dispatch = Some(broker::auto_publish_dispatch);
    it.hooks.is_auto_published = Some(broker::is_auto_published);
    it.hooks.at_exit.push(broker::store::shutdown);
    it.hooks.at_exit.push(broker::shutdown);
    it.hooks.describe_opaque = Some(broker::describe_opaque);
    it.hooks.cast_data = Some(broker::cast_data);
    it.hooks.table_store = Some(broker::store::table_changed);
    it.hooks.post_script.push(broker::store::init_forwarding);
    it.hooks.copy_opaque = Some(probabilistic::copy_opaque);
    it.hooks.terminate_first.push(file_analysis::terminate);
}
