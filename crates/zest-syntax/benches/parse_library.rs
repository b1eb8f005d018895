//! Parses the 443 files of the Zeek 5.2.2 script library (read once, outside
//! the timed loop). Run with `cargo bench -p zest-syntax`; criterion prints
//! the estimate and this harness prints the median per run and per file.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

fn zeek_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
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

fn parse_all(sources: &[String]) -> usize {
    let mut decls = 0;
    for src in sources {
        let parsed = zest_syntax::parse_file(black_box(src), true);
        assert!(parsed.errors.is_empty());
        decls += parsed.decls.len();
    }
    decls
}

fn bench_library(c: &mut Criterion) {
    let mut paths = Vec::new();
    zeek_files(&zeek_dist().join("scripts"), &mut paths);
    assert_eq!(
        paths.len(),
        443,
        "the Zeek 5.2.2 library has 443 .zeek files"
    );
    let sources: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("utf-8 library file"))
        .collect();
    let bytes: usize = sources.iter().map(String::len).sum();

    // A plain timing loop for the median, independent of criterion's
    // statistics (criterion's own estimate is printed below it).
    let mut runs: Vec<Duration> = (0..30)
        .map(|_| {
            let t = std::time::Instant::now();
            black_box(parse_all(&sources));
            t.elapsed()
        })
        .collect();
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "parse_library: {} files, {:.2} MB; median of {} runs {:.2} ms ({:.1} µs per file, {:.0} MB/s)",
        sources.len(),
        bytes as f64 / 1e6,
        runs.len(),
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / sources.len() as f64,
        bytes as f64 / 1e6 / median.as_secs_f64()
    );

    let mut group = c.benchmark_group("zest-syntax");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("parse_library_443_files", |b| {
        b.iter(|| black_box(parse_all(&sources)))
    });
    group.finish();
}

criterion_group!(benches, bench_library);
criterion_main!(benches);
