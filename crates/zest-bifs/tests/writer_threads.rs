//! Log writers on their own threads: a writer slower than the interpreter
//! fills its queue, the interpreter waits (backpressure), no row is lost
//! and the rows in flight stay bounded; a failing writer reports its
//! error and does not affect another writer.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use zest_bifs::logging::value::{LogData, LogField, LogValue};
use zest_bifs::logging::writer::{Backend, BackendMsg, Frontend, Outbox, Writer, WriterInfo};
use zest_runtime::types::Tag;

/// Records the first column of every row; sleeps now and then, so that
/// it drains more slowly than rows arrive. Fails at row `fail_at`.
struct Recorder {
    rows: Arc<Mutex<Vec<u64>>>,
    delay_every: u64,
    fail_at: Option<u64>,
}

impl Writer for Recorder {
    fn init(&mut self, _: &WriterInfo, _: &[LogField], _: &mut Outbox) -> bool {
        true
    }
    fn write(
        &mut self,
        _: &WriterInfo,
        _: &[LogField],
        vals: &[LogValue],
        _: bool,
        out: &mut Outbox,
    ) -> bool {
        let Some(LogData::Count(n)) = vals[0].data else {
            return false;
        };
        if Some(n) == self.fail_at {
            out.push(BackendMsg::Error(format!("cannot write row {n}")));
            return false;
        }
        if n % self.delay_every == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.rows.lock().unwrap().push(n);
        true
    }
    fn set_buf(&mut self, _: bool, _: &mut Outbox) -> bool {
        true
    }
    fn flush(&mut self, _: f64, _: &mut Outbox) -> bool {
        true
    }
    fn rotate(
        &mut self,
        _: &WriterInfo,
        _: &[u8],
        _: f64,
        _: f64,
        _: bool,
        _: &mut Outbox,
    ) -> bool {
        true
    }
    fn finish(&mut self, _: f64, _: &mut Outbox) -> bool {
        true
    }
}

fn fields() -> Vec<LogField> {
    vec![LogField {
        name: b"n".to_vec(),
        ty: Tag::Count,
        subtype: Tag::Void,
        optional: false,
    }]
}

fn row(n: u64) -> Vec<LogValue> {
    vec![LogValue {
        ty: Tag::Count,
        data: Some(LogData::Count(n)),
    }]
}

fn frontend(
    rows: &Arc<Mutex<Vec<u64>>>,
    fail_at: Option<u64>,
    queue: usize,
    batch: usize,
) -> Frontend {
    let w = Recorder {
        rows: rows.clone(),
        delay_every: 50,
        fail_at,
    };
    let backend = Backend::new(Box::new(w), WriterInfo::default());
    let mut fe = Frontend::with_queue("test/Log::WRITER_TEST".into(), Some(backend), queue, batch);
    assert!(fe.threaded());
    let mut out = Vec::new();
    fe.init(fields(), &mut out);
    fe
}

#[test]
fn slow_writer_loses_nothing_and_stays_bounded() {
    const ROWS: u64 = 20_000;
    const QUEUE: usize = 4;
    const BATCH: usize = 100;
    let rows = Arc::new(Mutex::new(Vec::new()));
    let mut fe = frontend(&rows, None, QUEUE, BATCH);
    let mut out = Vec::new();
    let mut peak = 0;
    for n in 0..ROWS {
        fe.write(row(n), &mut out);
        peak = peak.max(fe.queued_rows());
    }
    // The writer fell behind: the queue filled up ...
    assert!(peak >= QUEUE * BATCH, "peak {peak}");
    // ... and held no more than the queue, the batch being written and
    // the batch being collected.
    assert!(peak <= (QUEUE + 2) * BATCH, "peak {peak}");
    fe.stop(0.0, &mut out);
    fe.join(&mut out);
    assert!(out.is_empty(), "{out:?}");
    let got = rows.lock().unwrap();
    assert_eq!(got.len() as u64, ROWS);
    assert!(got.iter().copied().eq(0..ROWS), "rows out of order");
}

#[test]
fn failing_writer_reports_and_spares_others() {
    let bad_rows = Arc::new(Mutex::new(Vec::new()));
    let good_rows = Arc::new(Mutex::new(Vec::new()));
    let mut bad = frontend(&bad_rows, Some(10), 2, 8);
    let mut good = frontend(&good_rows, None, 2, 8);
    let mut bad_out = Vec::new();
    let mut good_out = Vec::new();
    for n in 0..1000 {
        bad.write(row(n), &mut bad_out);
        good.write(row(n), &mut good_out);
    }
    bad.stop(0.0, &mut bad_out);
    bad.join(&mut bad_out);
    good.stop(0.0, &mut good_out);
    good.join(&mut good_out);
    let msgs: Vec<&BackendMsg> = bad_out.iter().map(|(_, m)| m).collect();
    assert_eq!(
        msgs,
        vec![
            &BackendMsg::Error("cannot write row 10".into()),
            &BackendMsg::Disable,
            &BackendMsg::Error("terminating thread".into()),
        ]
    );
    // The messages carry the sequence number of the write that failed:
    // numbers only grow, so it lies between the first and last writes.
    assert!(bad_out.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(*bad_rows.lock().unwrap(), (0..10).collect::<Vec<u64>>());
    assert!(good_out.is_empty());
    assert_eq!(good_rows.lock().unwrap().len(), 1000);
}
