//! The X.509 functions of `file_analysis/analyzer/x509/functions.bif` that
//! work without a file analysis: `x509_from_der`, `x509_parse` and
//! `x509_get_certificate_string`.
//!
//! An `opaque of x509` keeps the certificate's DER encoding
//! (`OpaqueState::Hash` with the algorithm name `"x509"`), which is also
//! what Zeek serializes (`X509Val::DoSerialize`); `x509_parse` decodes it
//! with OpenSSL and fills `X509::Certificate` as `X509::ParseCertificate`
//! does.

use crate::Bif;
use openssl::asn1::{Asn1StringRef, Asn1Time};
use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::x509::{X509NameRef, X509};
use std::cell::RefCell;
use std::rc::Rc;
use zest_broker::Data;
use zest_runtime::opaque::{OpaqueState, OpaqueVal};
use zest_runtime::types::{Type, TypeKind};
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "x509_from_der",
        signature: "function(der: string): opaque of x509",
        func: x509_from_der,
    },
    Bif {
        name: "x509_parse",
        signature: "function(cert: opaque of x509): X509::Certificate",
        func: x509_parse,
    },
    Bif {
        name: "x509_get_certificate_string",
        signature: "function(cert: opaque of x509, pem: bool &default=F): string",
        func: x509_get_certificate_string,
    },
];

/// The algorithm name of the opaque state.
const ALGO: &str = "x509";
/// The name Zeek registers the opaque under.
pub const X509_VAL: &str = "X509Val";

/// A new `opaque of x509` holding a DER encoding.
pub fn new_x509(der: Vec<u8>) -> Value {
    Value::Opaque(Rc::new(RefCell::new(OpaqueVal {
        ty: Type::new(TypeKind::Opaque(Symbol::intern(ALGO))),
        state: OpaqueState::Hash {
            algo: ALGO,
            data: der,
        },
    })))
}

/// The DER encoding in an `opaque of x509`.
pub fn der_of(v: &Value) -> Option<Vec<u8>> {
    let Value::Opaque(o) = v else { return None };
    match &o.borrow().state {
        OpaqueState::Hash { algo, data } if *algo == ALGO => Some(data.clone()),
        _ => None,
    }
}

/// `X509Val::DoSerialize`: the DER encoding as a string (`None` for other
/// opaques and for a value that holds no certificate).
pub fn serialize(v: &Value) -> Option<Data> {
    let der = der_of(v)?;
    (!der.is_empty()).then_some(Data::String(der))
}

/// `X509Val::DoUnserialize`: a string that decodes as a certificate.
pub fn unserialize(state: &Data) -> Option<Value> {
    let der = state.as_string()?;
    X509::from_der(der).ok()?;
    Some(new_x509(der.to_vec()))
}

fn x509_from_der(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let der = crate::support::str_arg(args, 0);
    // Zeek keeps what `d2i_X509` makes of the input: only the certificate
    // itself, without trailing bytes; nothing when it does not decode.
    let der = X509::from_der(der)
        .and_then(|c| c.to_der())
        .unwrap_or_default();
    Ok(new_x509(der))
}

fn x509_get_certificate_string(
    _it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let pem = args.get(1).is_some_and(Value::as_bool);
    let cert = args
        .first()
        .and_then(der_of)
        .and_then(|d| X509::from_der(&d).ok());
    let out = match cert {
        Some(c) if pem => c.to_pem().unwrap_or_default(),
        Some(c) => c.to_der().unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(Value::str(&out))
}

/// `i2a_ASN1_INTEGER`: the magnitude's bytes in upper-case hex ("00" for
/// zero), a minus sign for negative numbers.
fn serial_text(cert: &X509) -> String {
    let Ok(bn) = cert.serial_number().to_bn() else {
        return String::new();
    };
    let mut s = String::new();
    if bn.is_negative() {
        s.push('-');
    }
    let bytes = bn.to_vec();
    if bytes.is_empty() {
        s.push_str("00");
    }
    for (i, b) in bytes.iter().enumerate() {
        if i != 0 && i % 35 == 0 {
            s.push_str("\\\n");
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// One attribute value as `X509_NAME_print_ex` with `XN_FLAG_RFC2253`
/// prints it: RFC 2253 escapes, control and non-ASCII bytes (of the UTF-8
/// form) as `\XX`.
fn rfc2253_value(s: &Asn1StringRef, out: &mut String) {
    let utf8 = s.to_string().map(String::into_bytes);
    let bytes = utf8.unwrap_or_else(|_| s.as_slice().to_vec());
    let n = bytes.len();
    for (i, &c) in bytes.iter().enumerate() {
        let special = matches!(c, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';')
            || (i == 0 && (c == b'#' || c == b' '))
            || (i + 1 == n && c == b' ');
        if c < 0x20 || c == 0x7f || c > 0x7f {
            out.push_str(&format!("\\{c:02X}"));
        } else if special {
            out.push('\\');
            out.push(c as char);
        } else {
            out.push(c as char);
        }
    }
}

/// `X509_NAME_print_ex(…, XN_FLAG_RFC2253)`: the entries in reverse order,
/// `SN=value`, separated by commas.
fn name_text(name: &X509NameRef) -> String {
    let mut parts = Vec::new();
    for e in name.entries() {
        let obj = e.object();
        let field = match obj.nid().short_name() {
            Ok(sn) if obj.nid() != Nid::UNDEF => sn.to_string(),
            _ => obj.to_string(),
        };
        let mut s = field;
        s.push('=');
        rfc2253_value(e.data(), &mut s);
        parts.push(s);
    }
    parts.reverse();
    parts.join(",")
}

/// `ASN1_STRING_print` read back with `BIO_gets`: non-printable bytes as
/// dots, up to and including the first newline.
fn printable_text(s: &Asn1StringRef) -> Vec<u8> {
    let mut out = Vec::new();
    for &c in s.as_slice() {
        let c = if (c < b' ' && c != b'\n' && c != b'\r') || c > b'~' {
            b'.'
        } else {
            c
        };
        out.push(c);
        if c == b'\n' {
            break;
        }
    }
    out
}

/// Seconds since the epoch of an ASN.1 time.
fn asn1_seconds(t: &openssl::asn1::Asn1TimeRef) -> f64 {
    let Ok(epoch) = Asn1Time::from_unix(0) else {
        return 0.0;
    };
    match epoch.diff(t) {
        Ok(d) => f64::from(d.days) * 86400.0 + f64::from(d.secs),
        Err(_) => 0.0,
    }
}

fn x509_parse(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let rec = match crate::broker::convert::lookup_type(it, "X509::Certificate") {
        Some(t) => it.default_value(&t),
        None => return Ok(Value::Void),
    };
    let Some(cert) = args
        .first()
        .and_then(der_of)
        .and_then(|d| X509::from_der(&d).ok())
    else {
        return Ok(rec);
    };
    let set = |i: usize, v: Value| {
        if let Value::Record(r) = &rec {
            if let Some(slot) = r.borrow_mut().fields.get_mut(i) {
                *slot = Some(v);
            }
        }
    };
    set(
        0,
        Value::Count(u64::try_from(cert.version()).unwrap_or(0) + 1),
    );
    set(1, Value::str(serial_text(&cert).as_bytes()));
    set(2, Value::str(name_text(cert.subject_name()).as_bytes()));
    set(3, Value::str(name_text(cert.issuer_name()).as_bytes()));
    if let Some(cn) = cert.subject_name().entries_by_nid(Nid::COMMONNAME).last() {
        set(4, Value::str(&printable_text(cn.data())));
    }
    set(5, Value::Time(asn1_seconds(cert.not_before())));
    set(6, Value::Time(asn1_seconds(cert.not_after())));
    let sig = cert.signature_algorithm().object().nid();
    set(8, Value::str(sig.long_name().unwrap_or("").as_bytes()));
    match cert.public_key() {
        Ok(key) => {
            let id = key.id();
            let alg = Nid::from_raw(id.as_raw()).long_name().unwrap_or("");
            set(7, Value::str(alg.as_bytes()));
            if id == Id::DSA {
                set(9, Value::str(b"dsa"));
            } else if id == Id::RSA {
                set(9, Value::str(b"rsa"));
                if let Ok(rsa) = key.rsa() {
                    if let Ok(e) = rsa.e().to_dec_str() {
                        set(11, Value::str(e.as_bytes()));
                    }
                }
            } else if id == Id::EC {
                set(9, Value::str(b"ecdsa"));
                let curve = key
                    .ec_key()
                    .ok()
                    .and_then(|k| k.group().curve_name())
                    .and_then(|n| n.short_name().ok());
                if let Some(c) = curve {
                    set(12, Value::str(c.as_bytes()));
                }
            }
            let bits = key.bits();
            if bits > 0 && matches!(id, Id::DSA | Id::RSA | Id::EC) {
                set(10, Value::Count(u64::from(bits)));
            }
        }
        Err(_) => set(7, Value::str(b"")),
    }
    Ok(rec)
}
