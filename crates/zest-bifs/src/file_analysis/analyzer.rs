//! The file analyzers (`file_analysis/analyzer/`): the hashes (MD5, SHA1,
//! SHA256), entropy, extraction to a file, and data events. The others of
//! Zeek's list (PE, X.509, OCSP) parse formats Zest does not analyze: they
//! attach, take the data and raise nothing.

use super::{event_gid, has_handler, report_error};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use zest_runtime::value::FuncValKind;
use zest_runtime::{Interp, Value};
use zest_syntax::Symbol;

/// An analyzer attached to a file (`file_analysis::Analyzer`).
pub struct Analyzer {
    pub tag: i64,
    pub args: Value,
    pub got_stream_delivery: bool,
    pub skip: bool,
    pub kind: Kind,
}

pub enum Digester {
    Md5(Md5),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl Digester {
    fn update(&mut self, data: &[u8]) {
        match self {
            Digester::Md5(h) => h.update(data),
            Digester::Sha1(h) => h.update(data),
            Digester::Sha256(h) => h.update(data),
        }
    }

    fn finish(&mut self) -> Vec<u8> {
        match self {
            Digester::Md5(h) => h.finalize_reset().to_vec(),
            Digester::Sha1(h) => h.finalize_reset().to_vec(),
            Digester::Sha256(h) => h.finalize_reset().to_vec(),
        }
    }
}

pub enum Kind {
    Hash {
        digest: Digester,
        /// Valid until finalized (`HashVal::IsValid`).
        valid: bool,
        fed: bool,
        kind: &'static str,
    },
    Entropy {
        state: Box<crate::misc::RandTest>,
        fed: bool,
    },
    Extract {
        filename: Vec<u8>,
        limit: u64,
        depth: u64,
        out: Option<std::io::BufWriter<std::fs::File>>,
    },
    DataEvent {
        chunk: Option<u32>,
        stream: Option<u32>,
    },
    /// An analyzer of a format Zest does not parse.
    Inert,
}

/// What delivering stream data to an analyzer needs from the file.
pub enum Delivered {
    Ok(bool),
    /// The extraction limit was reached: the file raises
    /// `file_extraction_limit(limit, len)`, then [`Analyzer::extract_write`]
    /// finishes the delivery.
    ExtractionLimit {
        limit: u64,
        len: u64,
    },
}

/// `check_limit_exceeded` of the extract analyzer: whether the limit is
/// reached, and how many bytes may still be written.
fn check_limit_exceeded(lim: u64, depth: u64, len: u64) -> (bool, u64) {
    if lim == 0 {
        (false, len)
    } else if depth >= lim {
        (true, 0)
    } else if depth + len > lim {
        (true, lim - depth)
    } else {
        (false, len)
    }
}

fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The field `name` of an analyzer's arguments, if set.
fn arg_field(args: &Value, name: &str) -> Option<Value> {
    let Value::Record(r) = args else { return None };
    let rb = r.borrow();
    let i = rb.ty.record()?.field_index(Symbol::intern(name))?;
    rb.fields.get(i).cloned().flatten()
}

fn event_of(v: Option<Value>) -> Option<u32> {
    match v {
        Some(Value::Func(f)) => match f.kind {
            FuncValKind::Global(g) => Some(g),
            _ => None,
        },
        _ => None,
    }
}

impl Analyzer {
    /// The component's factory: `None` where Zeek's returns null.
    pub fn instantiate(it: &mut Interp, tag: i64, name: &str, args: &Value) -> Option<Analyzer> {
        let hash = |d: Digester, kind: &'static str| Kind::Hash {
            digest: d,
            valid: true,
            fed: false,
            kind,
        };
        let file_hash = event_gid(it, "file_hash").is_some_and(|g| has_handler(it, g));
        let kind = match name {
            "MD5" if file_hash => hash(Digester::Md5(Md5::new()), "md5"),
            "SHA1" if file_hash => hash(Digester::Sha1(Sha1::new()), "sha1"),
            "SHA256" if file_hash => hash(Digester::Sha256(Sha256::new()), "sha256"),
            "MD5" | "SHA1" | "SHA256" => return None,
            "ENTROPY" => Kind::Entropy {
                state: Box::default(),
                fed: false,
            },
            "DATA_EVENT" => {
                let chunk = arg_field(args, "chunk_event");
                let stream = arg_field(args, "stream_event");
                if chunk.is_none() && stream.is_none() {
                    return None;
                }
                Kind::DataEvent {
                    chunk: event_of(chunk),
                    stream: event_of(stream),
                }
            }
            "EXTRACT" => {
                let fname = arg_field(args, "extract_filename");
                if fname.is_none() {
                    report_error(
                        it,
                        "File extraction analyzer missing arg field: extract_filename",
                    );
                }
                let limit = arg_field(args, "extract_limit");
                if limit.is_none() {
                    report_error(
                        it,
                        "File extraction analyzer missing arg field: extract_limit",
                    );
                }
                let (Some(fname), Some(limit)) = (fname, limit) else {
                    return None;
                };
                let filename = super::check_string(fname.as_bytes());
                let path = std::path::Path::new(std::ffi::OsStr::from_bytes(&filename));
                let out = match std::fs::File::create(path) {
                    Ok(f) => Some(std::io::BufWriter::with_capacity(8192, f)),
                    Err(e) => {
                        report_error(
                            it,
                            &format!(
                                "cannot open {}: {}",
                                String::from_utf8_lossy(&filename),
                                os_error_text(&e)
                            ),
                        );
                        None
                    }
                };
                Kind::Extract {
                    filename,
                    limit: limit.as_count(),
                    depth: 0,
                    out,
                }
            }
            _ => Kind::Inert,
        };
        Some(Analyzer {
            tag,
            args: args.clone(),
            got_stream_delivery: false,
            skip: false,
            kind,
        })
    }

    /// `DeliverStream`.
    pub fn deliver_stream(&mut self, it: &mut Interp, file: &Value, data: &[u8]) -> Delivered {
        match &mut self.kind {
            Kind::Hash {
                digest, valid, fed, ..
            } => {
                if !*valid {
                    return Delivered::Ok(false);
                }
                if !*fed {
                    *fed = !data.is_empty();
                }
                digest.update(data);
                Delivered::Ok(true)
            }
            Kind::Entropy { state, fed } => {
                if !*fed {
                    *fed = !data.is_empty();
                }
                state.add(data);
                Delivered::Ok(true)
            }
            Kind::Extract {
                limit, depth, out, ..
            } => {
                if out.is_none() {
                    return Delivered::Ok(false);
                }
                let (exceeded, _) = check_limit_exceeded(*limit, *depth, data.len() as u64);
                let limit_event =
                    event_gid(it, "file_extraction_limit").is_some_and(|g| has_handler(it, g));
                if exceeded && limit_event {
                    return Delivered::ExtractionLimit {
                        limit: *limit,
                        len: data.len() as u64,
                    };
                }
                Delivered::Ok(self.extract_write(it, data))
            }
            Kind::DataEvent { stream, .. } => {
                if let Some(g) = *stream {
                    it.queue_event(g, vec![file.clone(), Value::str(data)]);
                }
                Delivered::Ok(true)
            }
            Kind::Inert => Delivered::Ok(true),
        }
    }

    /// The extract analyzer's write of stream data, after the limit check
    /// (and the limit event, which may have changed the limit).
    pub fn extract_write(&mut self, it: &mut Interp, data: &[u8]) -> bool {
        let Kind::Extract {
            filename,
            limit,
            depth,
            out,
        } = &mut self.kind
        else {
            return true;
        };
        let Some(w) = out.as_mut() else { return false };
        let (exceeded, towrite) = check_limit_exceeded(*limit, *depth, data.len() as u64);
        if towrite > 0 {
            if let Err(e) = w.write_all(&data[..towrite as usize]) {
                let msg = format!(
                    "failed to write to extracted file {}: {}",
                    String::from_utf8_lossy(filename),
                    os_error_text(&e)
                );
                *out = None;
                report_error(it, &msg);
                return false;
            }
            *depth += towrite;
        }
        if exceeded {
            if let Err(e) = w.flush() {
                let msg = format!(
                    "cannot fflush extracted file {}: {}",
                    String::from_utf8_lossy(filename),
                    os_error_text(&e)
                );
                crate::reporter::message(
                    it,
                    crate::reporter::Level::Warning,
                    None,
                    zest_runtime::ir::Loc::default(),
                    &msg,
                );
            }
        }
        !exceeded
    }

    /// `DeliverChunk`.
    pub fn deliver_chunk(
        &mut self,
        it: &mut Interp,
        file: &Value,
        data: &[u8],
        offset: u64,
    ) -> bool {
        if let Kind::DataEvent { chunk: Some(g), .. } = self.kind {
            it.queue_event(
                g,
                vec![file.clone(), Value::str(data), Value::Count(offset)],
            );
        }
        true
    }

    /// `Undelivered`: a gap in the stream.
    pub fn undelivered(&mut self, offset: u64, len: u64) -> bool {
        match &mut self.kind {
            Kind::Hash { .. } | Kind::Entropy { .. } => false,
            Kind::Extract { depth, out, .. } => {
                let Some(w) = out.as_mut() else { return false };
                if *depth == offset {
                    let zeros = vec![0u8; len as usize];
                    if w.write_all(&zeros).is_err() {
                        *out = None;
                        return false;
                    }
                    *depth += len;
                }
                true
            }
            _ => true,
        }
    }

    /// `EndOfFile`: false detaches the analyzer.
    pub fn end_of_file(&mut self, it: &mut Interp, file: &Value) -> bool {
        match &mut self.kind {
            Kind::Hash {
                digest,
                valid,
                fed,
                kind,
            } => {
                if !*valid || !*fed {
                    return false;
                }
                let Some(g) = event_gid(it, "file_hash").filter(|&g| has_handler(it, g)) else {
                    return false;
                };
                let d = digest.finish();
                *valid = false;
                let hex = crate::hashing::hex(&d);
                it.queue_event(
                    g,
                    vec![file.clone(), Value::str(kind.as_bytes()), Value::str(&hex)],
                );
                false
            }
            Kind::Entropy { state, fed } => {
                if !*fed {
                    return false;
                }
                let Some(g) = event_gid(it, "file_entropy").filter(|&g| has_handler(it, g)) else {
                    return false;
                };
                let r = state.end();
                let rec = crate::misc::entropy_record(it, r);
                it.queue_event(g, vec![file.clone(), rec]);
                false
            }
            _ => true,
        }
    }

    /// Sets the extraction limit (`Extract::SetLimit`); false for any
    /// other analyzer.
    pub fn set_limit(&mut self, n: u64) -> bool {
        match &mut self.kind {
            Kind::Extract { limit, .. } => {
                *limit = n;
                true
            }
            _ => false,
        }
    }
}

impl Drop for Analyzer {
    fn drop(&mut self) {
        if let Kind::Extract { out: Some(w), .. } = &mut self.kind {
            let _ = w.flush();
        }
    }
}
