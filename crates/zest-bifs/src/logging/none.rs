//! The None writer (`Log::WRITER_NONE`): writes nothing; with
//! `LogNone::debug` it describes its setup on standard output.
//!
//! Upstream: `src/logging/writers/none/None.cc`.

use super::format::ostream_double;
use super::value::{type_name, LogField, LogValue};
use super::writer::{BackendMsg, Outbox, Writer, WriterInfo};

pub struct NoneWriter {
    pub debug: bool,
}

impl Writer for NoneWriter {
    fn init(&mut self, info: &WriterInfo, fields: &[LogField], out: &mut Outbox) -> bool {
        if self.debug {
            let mut s = Vec::new();
            s.extend_from_slice(b"[logging::writer::None]\n  path=");
            s.extend_from_slice(&info.path);
            s.extend_from_slice(
                format!(
                    "\n  rotation_interval={}\n  rotation_base={}\n",
                    ostream_double(info.rotation_interval),
                    ostream_double(info.rotation_base)
                )
                .as_bytes(),
            );
            // The config sorted by key (and value).
            for (k, v) in &info.config {
                s.extend_from_slice(b"  config[");
                s.extend_from_slice(k);
                s.extend_from_slice(b"] = ");
                s.extend_from_slice(v);
                s.push(b'\n');
            }
            for f in fields {
                s.extend_from_slice(b"  field ");
                s.extend_from_slice(&f.name);
                s.extend_from_slice(b": ");
                s.extend_from_slice(type_name(f.ty).as_bytes());
                s.push(b'\n');
            }
            s.push(b'\n');
            out.push(BackendMsg::Stdout(s));
        }
        true
    }

    fn shares_stdout(&self) -> bool {
        self.debug
    }

    fn write(
        &mut self,
        _info: &WriterInfo,
        _fields: &[LogField],
        _vals: &[LogValue],
        _buffered: bool,
        _out: &mut Outbox,
    ) -> bool {
        true
    }

    fn set_buf(&mut self, _enabled: bool, _out: &mut Outbox) -> bool {
        true
    }

    fn flush(&mut self, _network_time: f64, _out: &mut Outbox) -> bool {
        true
    }

    fn rotate(
        &mut self,
        info: &WriterInfo,
        _rotated_path: &[u8],
        open: f64,
        close: f64,
        terminating: bool,
        out: &mut Outbox,
    ) -> bool {
        super::writer::rotated_to_dev_null(info, open, close, terminating, out);
        true
    }

    fn finish(&mut self, _network_time: f64, _out: &mut Outbox) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zest_runtime::types::Tag;

    /// Baseline/scripts.base.frameworks.logging.none-debug/output.
    #[test]
    fn debug_output() {
        let mut info = WriterInfo {
            path: b"ssh".to_vec(),
            rotation_interval: 3600.0,
            rotation_base: 300.0,
            ..WriterInfo::default()
        };
        info.config.insert(b"foo".to_vec(), b"bar".to_vec());
        info.config.insert(b"foo2".to_vec(), b"bar2".to_vec());
        let f = |n: &str, t| LogField {
            name: n.as_bytes().to_vec(),
            ty: t,
            subtype: Tag::Void,
            optional: false,
        };
        let fields = [
            f("id.orig_p", Tag::Port),
            f("id.resp_h", Tag::Addr),
            f("id.resp_p", Tag::Port),
            f("status", Tag::String),
            f("country", Tag::String),
        ];
        let mut out = Vec::new();
        assert!(NoneWriter { debug: true }.init(&info, &fields, &mut out));
        let want = "[logging::writer::None]\n  path=ssh\n  rotation_interval=3600\n  rotation_base=300\n  config[foo] = bar\n  config[foo2] = bar2\n  field id.orig_p: port\n  field id.resp_h: addr\n  field id.resp_p: port\n  field status: string\n  field country: string\n\n";
        assert_eq!(out, vec![BackendMsg::Stdout(want.as_bytes().to_vec())]);
    }
}
