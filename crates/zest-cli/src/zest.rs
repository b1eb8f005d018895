//! `zest`: Zest's own tools.
//!
//! - `zest parse [--json] FILE…`: parse files; print the AST as JSON.
//! - `zest check FILE…`: parse and show every syntax error richly.
//! - `zest cluster up|status|stop|restart|ctl …`: run a Zeek cluster
//!   (see [`crate::cluster`]).

use zest_diagnostics::{from_syntax, Diagnostic};
use zest_syntax::LineIndex;

const USAGE: &str = "usage: zest <command> [args]
commands:
    parse [--json] FILE...   parse scripts (every @if branch taken); --json dumps the AST
    check FILE...            parse scripts and report every syntax error with source excerpts
    cluster COMMAND ...      run a cluster-layout.zeek's nodes under the supervisor
                             (up, status, stop, restart, ctl; `zest cluster --help`)
";

/// Runs the `zest` command; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("parse") => parse(&args[1..]),
        Some("check") => check(&args[1..]),
        Some("cluster") => crate::cluster::main(&args[1..]),
        Some("-h" | "--help") | None => {
            print!("{USAGE}");
            i32::from(args.is_empty())
        }
        Some(other) => {
            eprintln!("zest: unknown command '{other}'");
            eprint!("{USAGE}");
            2
        }
    }
}

fn read(path: &str) -> Option<String> {
    match std::fs::read(path) {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            eprintln!("zest: {path}: {e}");
            None
        }
    }
}

fn parse(args: &[String]) -> i32 {
    let json = args.iter().any(|a| a == "--json");
    let mut status = 0;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let Some(src) = read(path) else { return 1 };
        let parsed = zest_syntax::parse_file(&src, true);
        if json {
            match serde_json::to_string_pretty(&parsed) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("zest: {e}");
                    return 1;
                }
            }
        }
        let lines = LineIndex::new(&src);
        for e in &parsed.errors {
            eprintln!("{}", from_syntax(e, path, &lines).zeek_text());
            status = 1;
        }
    }
    status
}

fn check(args: &[String]) -> i32 {
    let mut status = 0;
    for path in args {
        let Some(src) = read(path) else { return 1 };
        let parsed = zest_syntax::parse_file(&src, true);
        let lines = LineIndex::new(&src);
        for e in &parsed.errors {
            let d: Diagnostic = from_syntax(e, path, &lines);
            eprintln!("{}", d.rich_text(Some(&src)));
            status = 1;
        }
    }
    status
}
