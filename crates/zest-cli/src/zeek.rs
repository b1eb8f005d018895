//! `zeek [options] [scripts…] [var=value…]`: the parts of Zeek's command
//! line a script-only runtime needs.

use std::io::Write;
use zest_runtime::loader::{LoadStatus, Loader};
use zest_runtime::{Interp, Program};

const USAGE: &str = "usage: zeek [options] [file ...]
usage: zeek --test [doctest-options] -- [options] [file ...]
    <file>                          | Zeek script file, or read stdin
    -b|--bare-mode                  | don't load scripts from the base/ directory
    -e|--exec <zeek code>           | augment loaded scripts by given code
    -h|--help                       | command line help
    -j|--jobs                       | enable supervisor mode
    -N|--print-plugins              | print available plugins and exit (-NN for verbose)
    -v|--version                    | print version and exit
    --parse-only                    | exit immediately after parsing scripts
    --no-unused-warnings            | suppress warnings of unused functions/hooks/events
    -u|--usage-issues               | find variable usage issues and exit
";

/// Options of one run.
#[derive(Default)]
struct Options {
    bare: bool,
    exec: Vec<String>,
    parse_only: bool,
    no_unused_warnings: bool,
    usage_issues: bool,
    scripts: Vec<String>,
    redefs: Vec<String>,
    /// `-j`: supervisor mode.
    supervisor: bool,
    /// The command line, and where in it the scripts are (the stem and
    /// the nodes of a supervisor run with it, scripts made absolute).
    args: Vec<String>,
    script_positions: Vec<usize>,
    /// Arguments after `-- script`, for `zeek_script_args`.
    script_args: Vec<String>,
    /// Signature files (`-s`).
    sig_files: Vec<String>,
}

/// The built-in plugins Zest implements natively, as `zeek -NN` lists
/// them (Zeek's text, sorted by name; `-N` prints only each first line).
const PLUGINS: &str = "Zeek::AsciiReader - ASCII input reader (built-in)
    [Reader] Ascii (Input::READER_ASCII)
    [Constant] InputAscii::separator
    [Constant] InputAscii::set_separator
    [Constant] InputAscii::empty_field
    [Constant] InputAscii::unset_field
    [Constant] InputAscii::fail_on_invalid_lines
    [Constant] InputAscii::fail_on_file_problem
    [Constant] InputAscii::path_prefix

Zeek::AsciiWriter - ASCII log writer (built-in)
    [Writer] Ascii (Log::WRITER_ASCII)
    [Constant] LogAscii::output_to_stdout
    [Constant] LogAscii::include_meta
    [Constant] LogAscii::meta_prefix
    [Constant] LogAscii::separator
    [Constant] LogAscii::set_separator
    [Constant] LogAscii::empty_field
    [Constant] LogAscii::unset_field
    [Constant] LogAscii::use_json
    [Constant] LogAscii::enable_leftover_log_rotation
    [Constant] LogAscii::enable_utf_8
    [Constant] LogAscii::json_timestamps
    [Constant] LogAscii::json_include_unset_fields
    [Constant] LogAscii::gzip_level
    [Constant] LogAscii::gzip_file_extension
    [Constant] LogAscii::logdir

Zeek::BenchmarkReader - Benchmark input reader (built-in)
    [Reader] Benchmark (Input::READER_BENCHMARK)
    [Constant] InputBenchmark::factor
    [Constant] InputBenchmark::spread
    [Constant] InputBenchmark::autospread
    [Constant] InputBenchmark::addfactor
    [Constant] InputBenchmark::stopspreadat
    [Constant] InputBenchmark::timedspread

Zeek::BinaryReader - Binary input reader (built-in)
    [Reader] Binary (Input::READER_BINARY)
    [Constant] InputBinary::chunk_size
    [Constant] InputBinary::path_prefix

Zeek::ConfigReader - Configuration file input reader (built-in)
    [Reader] Config (Input::READER_CONFIG)
    [Constant] InputConfig::set_separator
    [Constant] InputConfig::empty_field
    [Constant] InputConfig::fail_on_file_problem

Zeek::NoneWriter - None log writer (primarily for debugging) (built-in)
    [Writer] None (Log::WRITER_NONE)
    [Constant] LogNone::debug

Zeek::RawReader - Raw input reader (built-in)
    [Reader] Raw (Input::READER_RAW)
    [Constant] InputRaw::record_separator

Zeek::SQLiteReader - SQLite input reader (built-in)
    [Reader] SQLite (Input::READER_SQLITE)
    [Constant] InputSQLite::set_separator
    [Constant] InputSQLite::unset_field
    [Constant] InputSQLite::empty_field

Zeek::SQLiteWriter - SQLite log writer (built-in)
    [Writer] SQLite (Log::WRITER_SQLITE)
    [Constant] LogSQLite::set_separator
    [Constant] LogSQLite::empty_field
    [Constant] LogSQLite::unset_field

Zeek::Zest - Zest native runtime (built-in)

";

fn version() -> String {
    format!("zeek version 5.2.2 (zest {})", env!("CARGO_PKG_VERSION"))
}

/// Runs the `zeek` command; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    if let Ok(v) = std::env::var(zest_bifs::supervisor::stem::STEM_ENV) {
        return zest_bifs::supervisor::stem::main(&v);
    }
    let mut o = Options::default();
    // Everything after an argument ending in `--` is a script and its
    // arguments. A `#!` line's options arrive as one argument (`-b --`),
    // split here as Options.cc does.
    let mut args = args.to_vec();
    let mut tail = Vec::new();
    if let Some(sep) = args.iter().position(|a| a.ends_with("--")) {
        let rest = args.split_off(sep);
        if sep == 0 {
            args.extend(
                rest[0]
                    .split_ascii_whitespace()
                    .filter(|s| !s.ends_with("--"))
                    .map(str::to_owned),
            );
        }
        let mut after = rest.into_iter().skip(1);
        if let Some(script) = after.next() {
            o.scripts.push(script.clone());
            tail.push(script);
        }
        o.script_args.extend(after);
    }
    // The command line as a supervisor passes it on: the options, then
    // `-- script args…` if there were any.
    o.args = args.clone();
    if let Some(script) = tail.pop() {
        o.args.push("--".to_owned());
        o.script_positions.push(o.args.len());
        o.args.push(script);
        o.args.extend(o.script_args.iter().cloned());
    }
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-b" | "--bare-mode" => o.bare = true,
            "-e" | "--exec" => {
                i += 1;
                match args.get(i) {
                    Some(code) => o.exec.push(code.clone()),
                    None => {
                        eprintln!("zeek: option requires an argument -- 'e'");
                        return 1;
                    }
                }
            }
            "--parse-only" | "-a" => o.parse_only = true,
            "--no-unused-warnings" => o.no_unused_warnings = true,
            "-u" | "--usage-issues" => o.usage_issues = true,
            _ if a == "--jobs" || a.starts_with("--jobs=") || a.starts_with("-j") => {
                o.supervisor = true;
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            "-v" | "--version" => {
                println!("{}", version());
                return 0;
            }
            "-N" | "--print-plugins" => {
                for l in PLUGINS.lines().filter(|l| l.starts_with("Zeek::")) {
                    println!("{l}");
                }
                return 0;
            }
            "-NN" => {
                print!("{PLUGINS}");
                return 0;
            }
            "-r" | "-i" | "--readfile" | "--iface" => {
                eprintln!("zeek: {a}: packet analysis is not supported by Zest");
                return 1;
            }
            "-D" | "--deterministic" | "-C" | "--no-checksums" | "-Q" | "--time" | "-W"
            | "--watchdog" => {}
            "-s" | "--rulefile" => {
                i += 1;
                match args.get(i) {
                    Some(f) => o.sig_files.push(f.clone()),
                    None => {
                        eprintln!("zeek: option requires an argument -- 's'");
                        return 1;
                    }
                }
            }
            "-U" | "--status-file" => {
                i += 1;
                if let Some(p) = args.get(i) {
                    zest_runtime::run::set_proc_status_file(p);
                    zest_runtime::run::set_processing_status("INITIALIZING", "main");
                }
            }
            "-B" | "--debug" | "-G" | "--load-seeds" | "-H" | "--save-seeds" | "-p"
            | "--prefix" => {
                i += 1;
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                eprintln!("zeek: unrecognized option '{a}'");
                eprint!("{USAGE}");
                return 1;
            }
            _ if a.contains('=') => o.redefs.push(a.to_owned()),
            _ => {
                o.script_positions.push(i);
                o.scripts.push(a.to_owned());
            }
        }
        i += 1;
    }
    let rc = run(&mut o);
    zest_runtime::run::set_processing_status("TERMINATED", "atexit");
    rc
}

/// Zeek's `canonify_script_path` for supervisor mode: a script becomes
/// an absolute path, found on ZEEKPATH unless it starts with a dot.
fn canonify_script_path(loader: &Loader, path: &str) -> Result<String, String> {
    if path.is_empty() || path.starts_with('/') || path.starts_with('~') {
        return Ok(path.to_owned());
    }
    let mut p = path.to_owned();
    if !path.starts_with('.') {
        match loader.find(path, None) {
            Some(found) => p = found.to_string_lossy().into_owned(),
            None => return Err(format!("failed to locate script: {path}")),
        }
        if p.starts_with('/') {
            return Ok(p);
        }
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("failed to get current directory: {e}"))?;
    Ok(format!("{}/{}", cwd.display(), p.trim_start_matches("./")))
}

fn run(o: &mut Options) -> i32 {
    let o: &Options = o;
    let usage_issues = o.usage_issues || std::env::var_os("ZEEK_USAGE_ISSUES").is_some();
    let mut o_node;
    let mut o = o;
    // A node a supervisor started: its configuration decides the working
    // directory, output files, environment and extra scripts.
    let node = zest_bifs::supervisor::node_from_env();
    if let Some((cfg, _)) = &node {
        if let Err(code) = zest_bifs::supervisor::init_node_process(cfg) {
            return code;
        }
        o_node = Options {
            bare: cfg.bare_mode.unwrap_or(o.bare),
            exec: o.exec.clone(),
            parse_only: o.parse_only,
            redefs: o.redefs.clone(),
            script_args: o.script_args.clone(),
            ..Options::default()
        };
        o_node.scripts.extend(cfg.addl_base_scripts.iter().cloned());
        o_node.scripts.extend(o.scripts.iter().cloned());
        o_node.scripts.extend(cfg.addl_user_scripts.iter().cloned());
        o_node.scripts.extend(cfg.scripts.iter().cloned());
        o = &o_node;
    }
    let is_node = node.is_some();
    let supervisor = o.supervisor && !is_node;
    let mut prog = Program::new();
    zest_bifs::register(&mut prog);
    let mut it = Interp::new(prog);
    if o.no_unused_warnings && usage_issues {
        it.report(
            "fatal error",
            None,
            "-u incompatible with --no-unused-warnings",
        );
        return 1;
    }
    it.sema.usage_issues = usage_issues;
    zest_bifs::install_hooks(&mut it);
    let mut loader = Loader::from_env();
    if let Some((cfg, parent)) = node {
        zest_bifs::supervisor::install_node(&mut it, cfg, parent);
    }
    if supervisor {
        let mut args = o.args.clone();
        for &i in &o.script_positions {
            match canonify_script_path(&loader, &args[i]) {
                Ok(p) => args[i] = p,
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
        }
        if let Err(e) = zest_bifs::supervisor::start_supervisor(&mut it, args) {
            eprintln!("{e}");
            return 1;
        }
    }
    // Zeek's own start-up: the bare library, then (without -b) the
    // default set (for a supervisor, the supervisor's), all from ZEEKPATH.
    let mut base = vec!["base/init-bare.zeek", "base/init-frameworks-and-bifs.zeek"];
    if !o.bare {
        base.push(if supervisor {
            "base/init-supervisor.zeek"
        } else {
            "base/init-default.zeek"
        });
    }
    for s in base {
        if it.load_script(&mut loader, s, None, None) != LoadStatus::Ok {
            return 1;
        }
    }
    // Without scripts, options or code to run, Zeek reads its script
    // from standard input.
    let stdin_script = ["-".to_owned()];
    let scripts: &[String] = if o.scripts.is_empty()
        && o.redefs.is_empty()
        && o.exec.is_empty()
        && !o.supervisor
        && !is_node
    {
        &stdin_script
    } else {
        &o.scripts
    };
    for (i, s) in scripts.iter().enumerate() {
        loader.next_script = scripts.get(i + 1).cloned();
        if it.load_script(&mut loader, s, None, None) != LoadStatus::Ok {
            let _ = std::io::stdout().flush();
            return 1;
        }
    }
    if it.load_prefixed_scripts(&mut loader) != LoadStatus::Ok {
        return 1;
    }
    for (n, code) in o.exec.iter().enumerate() {
        let name = if n == 0 {
            "<command line>".to_owned()
        } else {
            format!("<command line {n}>")
        };
        if it.load_source(&mut loader, name, code.clone()) != LoadStatus::Ok {
            return 1;
        }
    }
    // `var=value` arguments become redefs, quoted for string variables
    // (scan.l's handling of command-line parameters).
    let mut policy = String::new();
    for r in &o.redefs {
        let id_len = r
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b':')
            .count();
        let id = &r[..id_len];
        let Some(eq) = r[id_len..].find('=').map(|i| i + id_len) else {
            continue;
        };
        let op = &r[id_len..eq];
        let val = &r[eq + 1..];
        let Some(gid) = it.prog.lookup(zest_syntax::Symbol::intern(id)) else {
            it.error(
                None,
                &format!("unknown identifier '{id}' in command-line options"),
            );
            continue;
        };
        let Some(ty) = it.prog.globals[gid as usize].ty.clone() else {
            it.error(
                None,
                &format!("can't set value of '{id}' in command-line options: unknown type"),
            );
            continue;
        };
        let is_string = ty.tag() == zest_runtime::types::Tag::String;
        if val.is_empty() && !is_string {
            it.error(
                None,
                &format!("must assign non-empty value to '{id}' in command-line options"),
            );
            continue;
        }
        if is_string {
            policy.push_str(&format!("redef {id} {op}= \"{val}\";"));
        } else {
            policy.push_str(&format!("redef {id} {op}= {val};"));
        }
    }
    if !policy.is_empty()
        && it.load_source(&mut loader, "<params>".to_owned(), policy) != LoadStatus::Ok
    {
        return 1;
    }
    if it.error_count > 0 {
        return 1;
    }
    // `RuleMatcher::ReadFiles`, before `--parse-only` stops.
    if !zest_bifs::signatures::read_files(&mut it, &o.sig_files, &|name| {
        loader.find_sig_file(name, None)
    }) {
        return 1;
    }
    if !o.script_args.is_empty() {
        if let Some(gid) = it
            .prog
            .lookup(zest_syntax::Symbol::intern("zeek_script_args"))
        {
            if let zest_runtime::value::Value::Vector(v) = &it.prog.globals[gid as usize].value {
                v.borrow_mut().items.extend(
                    o.script_args
                        .iter()
                        .map(|a| Some(zest_runtime::value::Value::str(a.as_bytes()))),
                );
            }
        }
    }
    if o.parse_only {
        return i32::from(it.error_count > 0);
    }
    if !o.no_unused_warnings {
        it.report_usage_issues();
    }
    zest_bifs::logging::init_post_script(&mut it);
    let scripts = loader.loaded_scripts.clone();
    let code = it.run(&scripts);
    // A run that ended early did not close its logs; the rows given to
    // the writer threads still reach the files.
    zest_bifs::logging::sync_writers(&mut it);
    code
}
