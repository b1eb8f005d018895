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
    script_args: Vec<usize>,
}

fn version() -> String {
    format!("zeek version 5.2.2 (zest {})", env!("CARGO_PKG_VERSION"))
}

/// Runs the `zeek` command; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    if let Ok(v) = std::env::var(zest_bifs::supervisor::stem::STEM_ENV) {
        return zest_bifs::supervisor::stem::main(&v);
    }
    let mut o = Options {
        args: args.to_vec(),
        ..Options::default()
    };
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
            "-N" | "-NN" | "--print-plugins" => {
                println!("Zeek::Zest - Zest native runtime (built-in)");
                return 0;
            }
            "-r" | "-i" | "--readfile" | "--iface" => {
                eprintln!("zeek: {a}: packet analysis is not supported by Zest");
                return 1;
            }
            "-D" | "--deterministic" | "-C" | "--no-checksums" | "-Q" | "--time" | "-W"
            | "--watchdog" => {}
            "-B" | "--debug" | "-G" | "--load-seeds" | "-H" | "--save-seeds" | "-U"
            | "--status-file" | "-p" | "--prefix" => {
                i += 1;
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                eprintln!("zeek: unrecognized option '{a}'");
                eprint!("{USAGE}");
                return 1;
            }
            _ if a.contains('=') => o.redefs.push(a.to_owned()),
            _ => {
                o.script_args.push(i);
                o.scripts.push(a.to_owned());
            }
        }
        i += 1;
    }
    run(&o)
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

fn run(o: &Options) -> i32 {
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
            ..Options::default()
        };
        o_node.scripts.extend(cfg.addl_base_scripts.iter().cloned());
        o_node.scripts.extend(o.scripts.iter().cloned());
        o_node.scripts.extend(cfg.addl_user_scripts.iter().cloned());
        o_node.scripts.extend(cfg.scripts.iter().cloned());
        o = &o_node;
    }
    let supervisor = o.supervisor && node.is_none();
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
        for &i in &o.script_args {
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
    for (i, s) in o.scripts.iter().enumerate() {
        loader.next_script = o.scripts.get(i + 1).cloned();
        if it.load_script(&mut loader, s, None, None) != LoadStatus::Ok {
            let _ = std::io::stdout().flush();
            return 1;
        }
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
    if o.parse_only {
        return 0;
    }
    if !o.no_unused_warnings {
        it.report_usage_issues();
    }
    zest_bifs::logging::init_post_script(&mut it);
    let scripts = loader.loaded_scripts.clone();
    it.run(&scripts)
}
