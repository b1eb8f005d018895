//! Every `.zeek` file of the Zeek 5.2.2 script library parses without error,
//! with every `@if` branch taken and with every `@if` branch skipped.

use std::path::{Path, PathBuf};

fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

fn zeek_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            zeek_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "zeek") {
            out.push(p);
        }
    }
}

#[test]
fn whole_library_parses() {
    let root = zeek_dist().join("scripts");
    let mut files = Vec::new();
    zeek_files(&root, &mut files);
    assert_eq!(
        files.len(),
        443,
        "the Zeek 5.2.2 library has 443 .zeek files"
    );
    let mut failures = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).expect("utf-8 source");
        for take in [true, false] {
            let parsed = zest_syntax::parse_file(&src, take);
            if let Some(e) = parsed.errors.first() {
                let line = zest_syntax::LineIndex::new(&src).line(e.span.start);
                failures.push(format!(
                    "{}:{line} (@if branches {}): {}",
                    f.display(),
                    if take { "taken" } else { "skipped" },
                    e.zeek_message("EOF")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
