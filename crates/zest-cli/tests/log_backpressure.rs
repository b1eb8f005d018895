//! A log writer that drains more slowly than the script writes: the
//! `zeek` binary writes a burst of rows to an ASCII log whose file is a
//! FIFO read by the test, which first stops reading for a while and then
//! reads slowly. The writer thread blocks on the full pipe, its bounded
//! queue fills, and the interpreter waits (backpressure): the script does
//! not get past its burst while the reader pauses, the growth of the
//! process's memory stays well below the size of the data it writes, and
//! every row arrives, in order.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;

const SCRIPT: &str = r#"
module Bulk;

export {
	redef enum Log::ID += { LOG };
	type Info: record {
		n: count &log;
		pad: string &log;
	};
	const N = 0 &redef;
}

event zeek_init()
	{
	Log::create_stream(LOG, [$columns=Info, $path="bulk"]);
	local pad = string_fill(100, "x");
	local i = 0;
	while ( i < N )
		{
		Log::write(LOG, [$n=i, $pad=pad]);
		++i;
		}
	print "written";
	flush_all();
	}
"#;

/// A process's resident set (`VmRSS`) or peak (`VmHWM`) in KiB.
fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn slow_log_reader_stalls_the_script_and_loses_nothing() {
    const ROWS: u64 = 150_000;
    let dir = std::env::temp_dir().join(format!("zest-log-backpressure-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bulk.zeek"), SCRIPT).unwrap();
    let fifo = dir.join("bulk.log");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success());

    let zeekpath = common::zeekpath();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zeek"))
        .current_dir(&dir)
        .args(["-b", "bulk.zeek", &format!("Bulk::N={ROWS}")])
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("ZEEK_ALLOW_INIT_ERRORS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zeek");
    let pid = child.id();

    // Opening the FIFO waits for the writer thread to open it.
    let mut log = BufReader::with_capacity(1 << 16, std::fs::File::open(&fifo).unwrap());
    let mut header = Vec::new();
    // The header (8 lines) and a little of the data.
    for _ in 0..8 {
        let mut l = String::new();
        log.read_line(&mut l).unwrap();
        header.push(l);
    }
    assert!(header[6].starts_with("#fields\tn\tpad"), "{header:?}");

    let rss_start = status_kib(pid, "VmRSS:");
    // Pause: the pipe (64 KiB), the thread's queue and the batch being
    // collected fill up, then the script waits.
    std::thread::sleep(Duration::from_secs(2));
    let rss_start = rss_start.expect("zeek is running");
    let rss_a = status_kib(pid, "VmRSS:").expect("zeek is running");
    std::thread::sleep(Duration::from_secs(1));
    let rss_b = status_kib(pid, "VmRSS:").expect("zeek is running");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the script finished while its log was not read"
    );

    // Read slowly at first, then at full speed.
    let mut seen = 0u64;
    let mut bytes = 0u64;
    let mut line = String::new();
    // `string_fill` ends its result with a NUL, which the writer escapes.
    let expected_pad = format!("{}\\x00", "x".repeat(99));
    loop {
        line.clear();
        let n = log.read_line(&mut line).unwrap();
        if n == 0 {
            break;
        }
        bytes += n as u64;
        if line.starts_with('#') {
            continue;
        }
        let (num, pad) = line.trim_end().split_once('\t').expect("two columns");
        assert_eq!(num.parse::<u64>().unwrap(), seen, "rows in order");
        assert_eq!(pad, expected_pad);
        seen += 1;
        if seen < 2000 && seen % 100 == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let peak = status_kib(pid, "VmHWM:");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "written\n");
    assert_eq!(seen, ROWS, "every row arrived");

    let data_kib = bytes / 1024;
    println!(
        "{ROWS} rows, {data_kib} KiB of log; zeek's RSS {rss_start} KiB at the start, {rss_a} then {rss_b} KiB while stalled, peak {peak:?} KiB"
    );
    // Stalled means stalled: no growth while the reader paused.
    assert!(
        rss_b <= rss_a + 4096,
        "RSS grew from {rss_a} to {rss_b} KiB while stalled"
    );
    // Bounded: the growth since the writer started is well below the
    // data written (the queue holds at most 16 batches of 1000 rows).
    if let Some(peak) = peak {
        assert!(
            peak.saturating_sub(rss_start) < data_kib / 2,
            "peak RSS {peak} KiB ({rss_start} KiB at the start) for {data_kib} KiB of log"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
