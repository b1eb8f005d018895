//! The file analyzers (`file_analysis/analyzer/`): the hashes (MD5, SHA1,
//! SHA256), entropy, extraction to a file, data events, and the PE headers
//! ([`super::pe`]). The others of Zeek's list (X.509, OCSP) parse formats
//! Zest does not analyze: they attach, take the data and raise nothing.

use super::pe;
use super::{event_gid, has_handler, report_error};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use zest_runtime::table::TableVal;
use zest_runtime::types::TypeRef;
use zest_runtime::value::FuncValKind;
use zest_runtime::{Interp, Value};
use zest_syntax::Symbol;

/// An analyzer attached to a file (`file_analysis::Analyzer`).
pub struct Analyzer {
    pub tag: i64,
    pub args: Value,
    pub got_stream_delivery: bool,
    pub skip: bool,
    /// Violations reported so far (`analyzer_violations`).
    pub violations: u64,
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
    /// The PE headers.
    Pe(Box<pe::Parser>),
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
    /// A parse error (`AnalyzerViolation` with this reason); the analyzer
    /// is done.
    Violation(String),
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
            "PE" => Kind::Pe(Box::default()),
            _ => Kind::Inert,
        };
        Some(Analyzer {
            tag,
            args: args.clone(),
            got_stream_delivery: false,
            skip: false,
            violations: 0,
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
            Kind::Pe(parser) => {
                if parser.is_done() {
                    return Delivered::Ok(false);
                }
                let mut events = Vec::new();
                let r = parser.feed(data, &mut events);
                let done = parser.is_done();
                for e in events {
                    raise_pe_event(it, file, e);
                }
                match r {
                    Ok(()) => Delivered::Ok(!done),
                    Err(e) => Delivered::Violation(format!("Binpac exception: {e}")),
                }
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
            Kind::Pe(_) => false,
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

/// A new record of a named type with its fields set in order.
fn make_record(it: &mut Interp, type_name: &str, fields: Vec<Value>) -> Option<Value> {
    let t = super::global_type(it, type_name)?;
    let rec = it.default_value(&t);
    if let Value::Record(r) = &rec {
        let mut rb = r.borrow_mut();
        for (slot, v) in rb.fields.iter_mut().zip(fields) {
            if !matches!(v, Value::Void) {
                *slot = Some(v);
            }
        }
    }
    Some(rec)
}

/// The type of field `name` of the record type `type_name`.
fn field_type(it: &Interp, type_name: &str, name: &str) -> Option<TypeRef> {
    let t = super::global_type(it, type_name)?;
    let rt = t.record()?;
    let i = rt.field_index(Symbol::intern(name))?;
    let fields = rt.fields.borrow();
    fields.get(i).map(|f| f.ty.clone())
}

/// `characteristics_to_zeek`: a `set[count]` of the bits set.
fn characteristics_set(it: &Interp, type_name: &str, field: &str, c: u32, bits: u32) -> Value {
    let Some(t) = field_type(it, type_name, field) else {
        return Value::Void;
    };
    let mut set = TableVal::new(t);
    for v in pe::characteristics(c, bits) {
        set.insert(vec![Value::Count(v)], None);
    }
    Value::Table(std::rc::Rc::new(std::cell::RefCell::new(set)))
}

/// Raises a PE event when it has a handler (the record is built only
/// then, as in Zeek).
fn raise_pe_event(it: &mut Interp, file: &Value, e: pe::Event) {
    let name = match &e {
        pe::Event::DosHeader(_) => "pe_dos_header",
        pe::Event::DosCode(_) => "pe_dos_code",
        pe::Event::FileHeader(_) => "pe_file_header",
        pe::Event::OptionalHeader(_) => "pe_optional_header",
        pe::Event::SectionHeader(_) => "pe_section_header",
    };
    let Some(g) = event_gid(it, name).filter(|&g| has_handler(it, g)) else {
        return;
    };
    let c = |v: u64| Value::Count(v);
    let arg = match e {
        pe::Event::DosHeader(h) => make_record(
            it,
            "PE::DOSHeader",
            vec![
                Value::str(&h.signature),
                c(h.used_bytes_in_last_page.into()),
                c(h.file_in_pages.into()),
                c(h.num_reloc_items.into()),
                c(h.header_in_paragraphs.into()),
                c(h.min_extra_paragraphs.into()),
                c(h.max_extra_paragraphs.into()),
                c(h.init_relative_ss.into()),
                c(h.init_sp.into()),
                c(h.checksum.into()),
                c(h.init_ip.into()),
                c(h.init_relative_cs.into()),
                c(h.addr_of_reloc_table.into()),
                c(h.overlay_num.into()),
                c(h.oem_id.into()),
                c(h.oem_info.into()),
                c(h.addr_of_new_exe_header.into()),
            ],
        ),
        pe::Event::DosCode(code) => Some(Value::str(&code)),
        pe::Event::FileHeader(h) => {
            let chars = characteristics_set(
                it,
                "PE::FileHeader",
                "characteristics",
                h.characteristics.into(),
                16,
            );
            make_record(
                it,
                "PE::FileHeader",
                vec![
                    c(h.machine.into()),
                    Value::Time(h.ts.into()),
                    c(h.sym_table_ptr.into()),
                    c(h.num_syms.into()),
                    c(h.optional_header_size.into()),
                    chars,
                ],
            )
        }
        pe::Event::OptionalHeader(h) => {
            let chars = characteristics_set(
                it,
                "PE::OptionalHeader",
                "dll_characteristics",
                h.dll_characteristics.into(),
                16,
            );
            let sizes = match field_type(it, "PE::OptionalHeader", "table_sizes") {
                Some(t) => {
                    let v = Value::new_vector(t);
                    if let Value::Vector(vv) = &v {
                        vv.borrow_mut().items =
                            h.table_sizes.iter().map(|&s| Some(c(s.into()))).collect();
                    }
                    v
                }
                None => Value::Void,
            };
            make_record(
                it,
                "PE::OptionalHeader",
                vec![
                    c(h.magic.into()),
                    c(h.major_linker_version.into()),
                    c(h.minor_linker_version.into()),
                    c(h.size_of_code.into()),
                    c(h.size_of_init_data.into()),
                    c(h.size_of_uninit_data.into()),
                    c(h.addr_of_entry_point.into()),
                    c(h.base_of_code.into()),
                    h.base_of_data.map_or(Value::Void, |v| c(v.into())),
                    c(h.image_base),
                    c(h.section_alignment.into()),
                    c(h.file_alignment.into()),
                    c(h.os_version_major.into()),
                    c(h.os_version_minor.into()),
                    c(h.major_image_version.into()),
                    c(h.minor_image_version.into()),
                    c(h.major_subsys_version.into()),
                    c(h.minor_subsys_version.into()),
                    c(h.size_of_image.into()),
                    c(h.size_of_headers.into()),
                    c(h.checksum.into()),
                    c(h.subsystem.into()),
                    chars,
                    sizes,
                ],
            )
        }
        pe::Event::SectionHeader(h) => {
            let chars = characteristics_set(
                it,
                "PE::SectionHeader",
                "characteristics",
                h.characteristics,
                32,
            );
            make_record(
                it,
                "PE::SectionHeader",
                vec![
                    Value::str(&h.name),
                    c(h.virtual_size.into()),
                    c(h.virtual_addr.into()),
                    c(h.size_of_raw_data.into()),
                    c(h.ptr_to_raw_data.into()),
                    c(h.ptr_to_relocs.into()),
                    c(h.ptr_to_line_nums.into()),
                    c(h.num_of_relocs.into()),
                    c(h.num_of_line_nums.into()),
                    chars,
                ],
            )
        }
    };
    if let Some(arg) = arg {
        it.queue_event(g, vec![file.clone(), arg]);
    }
}
