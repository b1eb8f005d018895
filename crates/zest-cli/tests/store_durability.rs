//! A SQLite-backed Broker master keeps every write it acknowledged when
//! its process is killed.
//!
//! What "acknowledged" means: a master store lives in the `zeek` process
//! that created it, and `Broker::put` on it applies the write before it
//! returns. The SQLite backend (like Broker's `sqlite_backend`) runs each
//! write as one statement in autocommit mode, so the write is committed
//! when `put` returns; the script then prints `ack KEY` and flushes
//! stdout. A commit is in the database file (or its WAL) when SQLite
//! returns, so it survives the process being killed whatever
//! `PRAGMA synchronous` says (that pragma decides what survives a power
//! loss: Broker leaves SQLite's default, `FULL`, unless
//! `Broker::SQLiteOptions$synchronous` is set, and so does Zest).
//!
//! The test runs a master that writes `k0`, `k1`, … (value = the number),
//! kills it with SIGKILL after some acknowledgements, restarts it on the
//! same database three times, and checks that the restarted master reads
//! back every acknowledged write, that the store holds exactly a prefix
//! `k0..kN` (no write is half there and none is lost before a later one),
//! and, when the `sqlite3` command is installed, that the file read by
//! SQLite itself has the same rows. It does so for the default options and
//! for WAL with `synchronous=NORMAL`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

fn spawn_zeek(dir: &Path, script: &str) -> Child {
    let zeekpath = common::zeekpath();
    Command::new(env!("CARGO_BIN_EXE_zeek"))
        .current_dir(dir)
        .args(["-b", script])
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("CLUSTER_NODE")
        .env_remove("ZEEK_ALLOW_INIT_ERRORS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zeek")
}

/// The master: on start it reads the store back (`have KEY VALUE` for
/// every entry, after `restart N`), then writes `kN`, `kN+1`, … forever,
/// acknowledging each write once `put` has returned.
const SCRIPT: &str = r#"
redef exit_only_after_terminate = T;

global h: opaque of Broker::Store;
global n = 0;

event write_batch()
	{
	local i = 0;
	while ( i < 10 )
		{
		local k = fmt("k%d", n);
		Broker::put(h, k, n);
		print fmt("ack %s", k);
		flush_all();
		++n;
		++i;
		}
	schedule 1msec { write_batch() };
	}

event zeek_init()
	{
	h = Broker::create_master("durable", Broker::SQLITE, [$sqlite=[$path="db/durable.sqlite"@OPTIONS@]]);
	when [] ( local r = Broker::keys(h) )
		{
		local ks = r$result as set[string];
		print fmt("restart %d", |ks|);
		for ( k in ks )
			{
			when [k, ks] ( local v = Broker::get(h, k) )
				{
				print fmt("have %s %s", k, v$result as count);
				if ( ++n == |ks| )
					event write_batch();
				}
			timeout 5sec
				{
				print fmt("get %s timed out", k);
				}
			}
		flush_all();
		if ( |ks| == 0 )
			event write_batch();
		}
	timeout 5sec
		{
		print "keys timed out";
		}
	}
"#;

/// What one run printed before it was killed.
#[derive(Default)]
struct Run {
    restart: Option<usize>,
    have: BTreeMap<String, u64>,
    acks: Vec<String>,
    other: Vec<String>,
}

/// Runs the master until it has acknowledged `acks` writes (after reading
/// the store back), kills it with SIGKILL, and returns everything it
/// printed, including what it flushed before it died.
fn run_and_kill(dir: &Path, acks: usize) -> Run {
    let mut child = spawn_zeek(dir, "durable.zeek");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut run = Run::default();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut killed = false;
    let take = |run: &mut Run, line: String| {
        if let Some(k) = line.strip_prefix("ack ") {
            run.acks.push(k.to_owned());
        } else if let Some(n) = line.strip_prefix("restart ") {
            run.restart = n.parse().ok();
        } else if let Some(kv) = line.strip_prefix("have ") {
            let (k, v) = kv.split_once(' ').unwrap();
            run.have.insert(k.to_owned(), v.parse().unwrap());
        } else {
            run.other.push(line);
        }
    };
    while !killed {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                take(&mut run, line);
                if run.acks.len() >= acks {
                    // Mid-stream: the next batch is being written.
                    child.kill().unwrap();
                    killed = true;
                }
            }
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "zeek ended or hung after {} acks; other output {:?}; stderr:\n{}",
                    run.acks.len(),
                    run.other,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
    // Lines flushed before the kill are still in the pipe.
    while let Ok(line) = rx.recv() {
        take(&mut run, line);
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "zeek was killed");
    assert!(run.other.is_empty(), "unexpected output {:?}", run.other);
    run
}

/// The rows of the store as the `sqlite3` command reads them (keys and
/// values in Broker's encoding of a string and a count), or `None`
/// without the command.
fn sqlite3_rows(db: &Path) -> Option<BTreeMap<String, u64>> {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("select hex(key), hex(value) from store")
        .output()
        .ok()?;
    assert!(out.status.success(), "sqlite3 failed: {:?}", out);
    let bytes = |h: &str| -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut rows = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (k, v) = line.split_once('|').unwrap();
        let (k, v) = (bytes(k), bytes(v));
        // A string: tag 5, varbyte length (< 128 here), the bytes.
        assert_eq!(k[0], 5, "key {k:?}");
        assert_eq!(k[1] as usize, k.len() - 2, "key {k:?}");
        let key = String::from_utf8(k[2..].to_vec()).unwrap();
        // A count: tag 2, eight bytes in network order.
        assert_eq!(v[0], 2, "value {v:?}");
        let value = u64::from_be_bytes(v[1..9].try_into().unwrap());
        rows.insert(key, value);
    }
    Some(rows)
}

fn durability(name: &str, options: &str) {
    let dir = std::env::temp_dir().join(format!(
        "zest-store-durability-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("durable.zeek"),
        SCRIPT.replace("@OPTIONS@", options),
    )
    .unwrap();

    let mut acked: Vec<String> = Vec::new();
    let mut stored = 0;
    // Three killed runs, then a fourth that only reads the store back.
    for (round, acks) in [40, 70, 30, 1].into_iter().enumerate() {
        let run = run_and_kill(&dir, acks);
        assert_eq!(
            run.restart,
            Some(run.have.len()),
            "round {round}: every key was read back"
        );
        // The store is exactly k0..kN-1, each with its number, and
        // holds at least every acknowledged write.
        let n = run.have.len();
        let expect: BTreeMap<String, u64> = (0..n as u64).map(|i| (format!("k{i}"), i)).collect();
        assert_eq!(run.have, expect, "round {round}: the store is a prefix");
        assert!(n >= stored, "round {round}: {n} entries, {stored} before");
        for k in &acked {
            assert!(
                run.have.contains_key(k),
                "round {round}: acknowledged write {k} was lost ({n} entries)"
            );
        }
        println!(
            "{name} round {round}: read back {n} entries ({} acknowledged before), then {} acknowledged writes before SIGKILL",
            acked.len(),
            run.acks.len()
        );
        // This run's writes continue the sequence.
        assert_eq!(run.acks.first(), Some(&format!("k{n}")), "round {round}");
        stored = n;
        acked.extend(run.acks);
    }
    // The file as SQLite itself reads it, with the last run's acks too.
    if let Some(rows) = sqlite3_rows(&dir.join("db/durable.sqlite")) {
        for k in &acked {
            assert!(rows.contains_key(k), "sqlite3 lacks acknowledged {k}");
        }
        for (i, (k, v)) in rows.iter().enumerate().take(3) {
            assert_eq!(k, &format!("k{v}"), "row {i}");
        }
        assert!(rows.len() >= acked.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sqlite_master_keeps_acknowledged_writes_across_sigkill() {
    durability("default", "");
}

#[test]
fn sqlite_master_in_wal_mode_keeps_acknowledged_writes_across_sigkill() {
    durability(
        "wal",
        ", $journal_mode=Broker::SQLITE_JOURNAL_MODE_WAL, $synchronous=Broker::SQLITE_SYNCHRONOUS_NORMAL",
    );
}
