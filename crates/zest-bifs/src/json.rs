//! `to_json` (`src/Val.cc: BuildJSON`, written with rapidjson's `Writer` through Zeek's
//! `NullDoubleWriter`). Zeek 5.2 has no `from_json`.
//!
//! The writer is modelled on rapidjson's: commas and colons come from the per-level value
//! count, so even Zeek's quirks come out the same (an empty object key is skipped by
//! `BuildJSON`, after which the value takes the key's place).

use crate::Bif;
use zest_pattern::Pattern;
use zest_runtime::describe::Style;
use zest_runtime::render::{self, json as leaves};
use zest_runtime::types::TypeKind;
use zest_runtime::value::Proto;
use zest_runtime::{CallSite, Interp, RtResult, Value};

pub static BIFS: &[Bif] = &[Bif {
    name: "to_json",
    signature: "function(val: any, only_loggable: bool &default=F, field_escape_pattern: pattern &default=/^_/): string",
    func: to_json,
}];

fn to_json(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(val) = args.first() else {
        return Ok(Value::str(b""));
    };
    let only_loggable = args.get(1).is_some_and(Value::as_bool);
    let re = match args.get(2) {
        Some(Value::Pattern(p)) => Some(p),
        _ => None,
    };
    let mut out = value_to_json(it, val, only_loggable, re);
    // The result is made from the buffer as a C string.
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    Ok(Value::String(out.into()))
}

/// `Val::ToJSON(only_loggable, re)`: the compact JSON text of a value.
pub fn value_to_json(
    it: &Interp,
    v: &Value,
    only_loggable: bool,
    field_escape: Option<&Pattern>,
) -> Vec<u8> {
    let mut w = Writer::default();
    let b = Builder {
        it,
        only_loggable,
        re: field_escape,
    };
    b.build(&mut w, Some(v), b"");
    w.out
}

/// rapidjson's `Writer` state: the output and, per open array or object, whether it is an
/// array and how many values (keys included) it has.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    levels: Vec<(bool, usize)>,
}

impl Writer {
    /// `Writer::Prefix`: the separator before a value.
    fn prefix(&mut self) {
        if let Some((in_array, count)) = self.levels.last_mut() {
            if *count > 0 {
                if *in_array || *count % 2 == 0 {
                    self.out.push(b',');
                } else {
                    self.out.push(b':');
                }
            }
            *count += 1;
        }
    }

    fn key(&mut self, k: &[u8]) {
        self.prefix();
        leaves::write_json_str(&mut self.out, k);
    }

    fn start(&mut self, array: bool) {
        self.prefix();
        self.out.push(if array { b'[' } else { b'{' });
        self.levels.push((array, 0));
    }

    fn end(&mut self, array: bool) {
        self.levels.pop();
        self.out.push(if array { b']' } else { b'}' });
    }

    fn null(&mut self) {
        self.prefix();
        self.out.extend_from_slice(b"null");
    }
}

struct Builder<'a> {
    it: &'a Interp,
    only_loggable: bool,
    re: Option<&'a Pattern>,
}

impl Builder<'_> {
    fn raw(&self, v: &Value) -> Vec<u8> {
        let mut b = Vec::new();
        self.it.describe_value(v, &mut b, Style::Raw);
        b
    }

    /// `BuildJSON(writer, val, only_loggable, re, key)`.
    fn build(&self, w: &mut Writer, val: Option<&Value>, key: &[u8]) {
        if !key.is_empty() {
            w.key(key);
        }
        let Some(val) = val else {
            w.null();
            return;
        };
        match val {
            Value::Bool(b) => {
                w.prefix();
                leaves::write_json_bool(&mut w.out, *b);
            }
            Value::Int(i) => {
                w.prefix();
                leaves::write_json_int(&mut w.out, *i);
            }
            Value::Count(c) => {
                w.prefix();
                leaves::write_json_count(&mut w.out, *c);
            }
            Value::Double(d) | Value::Time(d) => {
                w.prefix();
                leaves::write_json_double(&mut w.out, *d);
            }
            Value::Port(p) => {
                w.start(false);
                w.key(b"port");
                w.prefix();
                leaves::write_json_count(&mut w.out, u64::from(p.num));
                w.key(b"proto");
                w.prefix();
                leaves::write_json_str(
                    &mut w.out,
                    match p.proto {
                        Proto::Tcp => b"tcp",
                        Proto::Udp => b"udp",
                        Proto::Icmp => b"icmp",
                        Proto::Unknown => b"unknown",
                    },
                );
                w.end(false);
            }
            Value::Interval(secs) => {
                w.prefix();
                leaves::write_json_interval(&mut w.out, *secs);
            }
            Value::Addr(a) => {
                w.prefix();
                leaves::write_json_addr(&mut w.out, a.to_ip());
            }
            Value::Subnet(s) => {
                w.prefix();
                leaves::write_json_subnet(&mut w.out, s.prefix.to_ip(), s.len);
            }
            Value::Pattern(p) => {
                let mut text = Vec::new();
                render::string::write_pattern(&mut text, p.exact_text());
                w.prefix();
                leaves::write_json_str(&mut w.out, &text);
            }
            Value::String(_) | Value::Enum(..) | Value::File(_) => {
                let desc = self.raw(val);
                w.prefix();
                leaves::write_json_string(&mut w.out, &desc);
            }
            Value::Func(_) => {
                let desc = self.raw(val);
                w.prefix();
                leaves::write_json_string(&mut w.out, strstrip(&desc));
            }
            Value::Table(t) => {
                let tb = t.borrow();
                let is_set = tb.is_set();
                w.start(is_set);
                for e in tb.dict.values() {
                    let list;
                    let entry_key = if e.key.len() == 1 {
                        &e.key[0]
                    } else {
                        list = Value::List(std::rc::Rc::new(e.key.clone()));
                        &list
                    };
                    if is_set {
                        self.build(w, Some(entry_key), b"");
                    } else {
                        let mut kw = Writer::default();
                        self.build(&mut kw, Some(entry_key), b"");
                        let mut k = kw.out;
                        // The key is read back as a C string.
                        if let Some(nul) = k.iter().position(|&b| b == 0) {
                            k.truncate(nul);
                        }
                        let k = if k.len() >= 2 && k[0] == b'"' && k[k.len() - 1] == b'"' {
                            &k[1..k.len() - 1]
                        } else {
                            &k[..]
                        };
                        self.build(w, e.val.as_ref(), k);
                    }
                }
                w.end(is_set);
            }
            Value::Record(r) => {
                let rb = r.borrow();
                w.start(false);
                let fields = rb.ty.record().map(|rt| rt.fields.borrow().clone());
                for (i, f) in fields.iter().flatten().enumerate() {
                    let value = rb
                        .fields
                        .get(i)
                        .and_then(Option::as_ref)
                        .or(f.default.as_ref());
                    let Some(value) = value else { continue };
                    if self.only_loggable && !f.log() {
                        continue;
                    }
                    let name = f.name.as_str().as_bytes();
                    let key = match self.re {
                        Some(re) if re.match_anywhere(name) != 0 => re.replace(name, b"", false),
                        _ => name.to_vec(),
                    };
                    self.build(w, Some(value), &key);
                }
                w.end(false);
            }
            Value::List(items) => {
                w.start(true);
                for x in items.iter() {
                    self.build(w, Some(x), b"");
                }
                w.end(true);
            }
            Value::Vector(vv) => {
                let vb = vv.borrow();
                w.start(true);
                for x in &vb.items {
                    self.build(w, x.as_ref(), b"");
                }
                w.end(true);
            }
            Value::Opaque(o) => {
                let name = match &o.borrow().ty.kind {
                    TypeKind::Opaque(n) => opaque_type_id(n.as_str()),
                    _ => None,
                };
                match name {
                    Some(n) => {
                        w.start(false);
                        w.key(b"opaque_type");
                        w.prefix();
                        leaves::write_json_str(&mut w.out, n.as_bytes());
                        w.end(false);
                    }
                    None => w.null(),
                }
            }
            Value::Type(_) | Value::Void => w.null(),
        }
    }
}

/// `OpaqueMgr::TypeID`: the name each opaque class registers (`IMPLEMENT_OPAQUE_VALUE`),
/// by the script-level opaque type name.
fn opaque_type_id(name: &str) -> Option<&'static str> {
    Some(match name {
        "md5" => "MD5Val",
        "sha1" => "SHA1Val",
        "sha256" => "SHA256Val",
        "entropy" => "EntropyVal",
        "bloomfilter" => "BloomFilterVal",
        "cardinality" => "CardinalityVal",
        "topk" => "TopkVal",
        "paraglob" => "ParaglobVal",
        "x509" => "X509Val",
        "Broker::Data" => "zeek::Broker::detail::DataVal",
        "Broker::SetIterator" => "zeek::Broker::detail::SetIterator",
        "Broker::TableIterator" => "zeek::Broker::detail::TableIterator",
        "Broker::VectorIterator" => "zeek::Broker::detail::VectorIterator",
        "Broker::RecordIterator" => "zeek::Broker::detail::RecordIterator",
        "Broker::Store" => "StoreHandleVal",
        _ => return None,
    })
}

/// `util::strstrip`: without leading and trailing white space (`isspace`).
fn strstrip(s: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = s.iter().position(|b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use zest_runtime::table::TableVal;
    use zest_runtime::types::{Attrs, Field, RecordType, Type, TypeRef};
    use zest_runtime::value::{Addr, Port, Subnet, VectorVal};
    use zest_runtime::Program;
    use zest_syntax::ast::AttrKind;
    use zest_syntax::Symbol;

    fn interp() -> Interp {
        Interp::new(Program::new())
    }

    fn json(it: &Interp, v: &Value) -> String {
        let re = Pattern::new("^_", false).unwrap();
        String::from_utf8(value_to_json(it, v, false, Some(&re))).unwrap()
    }

    fn field(name: &str, ty: &TypeRef, log: bool, default: Option<Value>) -> Field {
        let mut attrs = Attrs::default();
        if log {
            attrs.list.push((AttrKind::Log, None));
        }
        Field {
            name: Symbol::intern(name),
            ty: ty.clone(),
            attrs,
            default,
        }
    }

    fn record_type(fields: Vec<Field>) -> TypeRef {
        Type::new(TypeKind::Record(RecordType {
            fields: RefCell::new(fields),
        }))
    }

    fn record(ty: &TypeRef, vals: Vec<Option<Value>>) -> Value {
        let v = Value::new_record(ty.clone());
        if let Value::Record(r) = &v {
            r.borrow_mut().fields = vals;
        }
        v
    }

    fn vector(it: &Interp, yield_: &TypeRef, items: Vec<Option<Value>>) -> Value {
        let _ = it;
        Value::Vector(Rc::new(RefCell::new(VectorVal {
            ty: Type::new(TypeKind::Vector(yield_.clone())),
            items,
        })))
    }

    fn table(
        index: Vec<TypeRef>,
        yield_: Option<TypeRef>,
        entries: Vec<(Vec<Value>, Option<Value>)>,
    ) -> Value {
        let mut t = TableVal::new(Type::new(TypeKind::Table { index, yield_ }));
        for (k, v) in entries {
            t.insert(k, v);
        }
        Value::Table(Rc::new(RefCell::new(t)))
    }

    fn addr(s: &str) -> Value {
        Value::Addr(Addr::from_ip(s.parse().unwrap()))
    }

    /// btest scripts.base.utils.json: the atomic values.
    #[test]
    // 3.14 is the literal of Zeek's test script, not an approximation of π.
    #[allow(clippy::approx_constant)]
    fn atoms() {
        let it = interp();
        let cases: Vec<(Value, &str)> = vec![
            (Value::Bool(true), "true"),
            (Value::Count(123), "123"),
            (Value::Int(-999), "-999"),
            (Value::Double(3.14), "3.14"),
            (Value::Double(-1.23456789e308), "-1.23456789e308"),
            (Value::Double(9e-308), "9e-308"),
            (Value::Interval(-12.0 * 3600.0), r#""-12.0 hrs""#),
            (Value::str(b"hello"), r#""hello""#),
            (Value::str(b""), r#""""#),
            (
                Value::Port(Port {
                    num: 65535,
                    proto: Proto::Tcp,
                }),
                r#"{"port":65535,"proto":"tcp"}"#,
            ),
            (
                Value::Port(Port {
                    num: 1,
                    proto: Proto::Udp,
                }),
                r#"{"port":1,"proto":"udp"}"#,
            ),
            (
                Value::Port(Port {
                    num: 123,
                    proto: Proto::Icmp,
                }),
                r#"{"port":123,"proto":"icmp"}"#,
            ),
            (
                Value::Port(Port {
                    num: 0,
                    proto: Proto::Unknown,
                }),
                r#"{"port":0,"proto":"unknown"}"#,
            ),
            (addr("1.2.3.4"), r#""1.2.3.4""#),
            (addr("ffff:1234::1"), r#""ffff:1234::1""#),
            (addr("::ffff:123.123.123.123"), r#""123.123.123.123""#),
            (
                Value::Subnet(Subnet::new(Addr::from_ip("192.0.0.0".parse().unwrap()), 8)),
                r#""192.0.0.0/8""#,
            ),
            (
                Value::Subnet(Subnet::new(Addr::from_ip("fe80::".parse().unwrap()), 64)),
                r#""fe80::/64""#,
            ),
            (
                Value::Pattern(Pattern::new("^abcd", false).unwrap()),
                r#""/^?(^abcd)$?/""#,
            ),
            // reference/semantics render/to_json
            (Value::Time(1700000000.5), "1700000000.5"),
            (Value::Double(f64::INFINITY), "null"),
        ];
        for (v, want) in cases {
            assert_eq!(json(&it, &v), want, "{v:?}");
        }
    }

    /// btest scripts.base.utils.json (records, vectors, one-element sets and tables) and
    /// reference/semantics render/to_json (field_escape_pattern, only_loggable).
    #[test]
    fn containers() {
        let it = interp();
        let base = &it.prog.base;
        let myrec1 = record_type(vec![
            field("c", &base.count, false, None),
            field("s", &base.string, true, None),
        ]);
        let re1 = record(
            &myrec1,
            vec![Some(Value::Count(100)), Some(Value::str(b"test"))],
        );
        let re2 = record(&myrec1, vec![None, Some(Value::str(b"test"))]);
        assert_eq!(json(&it, &re1), r#"{"c":100,"s":"test"}"#);
        assert_eq!(json(&it, &re2), r#"{"s":"test"}"#);
        let re = Pattern::new("^_", false).unwrap();
        let only = |v: &Value| String::from_utf8(value_to_json(&it, v, true, Some(&re))).unwrap();
        assert_eq!(only(&re1), r#"{"s":"test"}"#);
        let myrec2 = record_type(vec![field("m", &myrec1, true, None)]);
        let inner = record(
            &myrec1,
            vec![Some(Value::Count(15)), Some(Value::str(b"test"))],
        );
        let re3 = record(&myrec2, vec![Some(inner)]);
        assert_eq!(only(&re3), r#"{"m":{"s":"test"}}"#);

        let count = base.count.clone();
        assert_eq!(json(&it, &vector(&it, &count, vec![])), "[]");
        assert_eq!(
            json(
                &it,
                &vector(
                    &it,
                    &count,
                    vec![Some(Value::Count(2)), Some(Value::Count(1))]
                )
            ),
            "[2,1]"
        );
        assert_eq!(
            json(
                &it,
                &vector(
                    &it,
                    &count,
                    vec![Some(Value::Count(0)), None, Some(Value::Count(2))]
                )
            ),
            "[0,null,2]"
        );
        let ve5 = vector(
            &it,
            &myrec1,
            vec![Some(record(
                &myrec1,
                vec![Some(Value::Count(2)), Some(Value::str(b"test"))],
            ))],
        );
        assert_eq!(only(&ve5), r#"[{"s":"test"}]"#);

        let st3 = table(
            vec![base.addr.clone()],
            None,
            vec![(vec![addr("1.2.3.4")], None)],
        );
        assert_eq!(json(&it, &st3), r#"["1.2.3.4"]"#);
        let st4 = table(vec![myrec1.clone()], None, vec![(vec![re2.clone()], None)]);
        assert_eq!(json(&it, &st4), r#"[{"s":"test"}]"#);
        let empty = table(vec![count.clone()], Some(base.addr.clone()), vec![]);
        assert_eq!(json(&it, &empty), "{}");
        let ta5 = table(
            vec![count.clone()],
            Some(myrec1.clone()),
            vec![(vec![Value::Count(1)], Some(re1.clone()))],
        );
        assert_eq!(only(&ta5), r#"{"1":{"s":"test"}}"#);

        // reference/semantics render/to_json: keys of other types.
        let t = table(
            vec![base.string.clone()],
            Some(count.clone()),
            vec![(vec![Value::str(b"k")], Some(Value::Count(1)))],
        );
        assert_eq!(json(&it, &t), r#"{"k":1}"#);
        let t = table(
            vec![base.port.clone()],
            Some(base.bool_.clone()),
            vec![(
                vec![Value::Port(Port {
                    num: 80,
                    proto: Proto::Tcp,
                })],
                Some(Value::Bool(true)),
            )],
        );
        assert_eq!(json(&it, &t), r#"{"{\"port\":80,\"proto\":\"tcp\"}":true}"#);
        let t = table(
            vec![count.clone()],
            Some(base.pattern.clone()),
            vec![(
                vec![Value::Count(1)],
                Some(Value::Pattern(Pattern::new("x", false).unwrap())),
            )],
        );
        assert_eq!(json(&it, &t), r#"{"1":"/^?(x)$?/"}"#);
        // zeek-semantics.md §1.14: a composite index.
        let t = table(
            vec![count.clone(), base.string.clone()],
            Some(count.clone()),
            vec![(
                vec![Value::Count(1), Value::str(b"a")],
                Some(Value::Count(10)),
            )],
        );
        assert_eq!(json(&it, &t), r#"{"[1,\"a\"]":10}"#);
        let s = table(
            vec![count.clone(), base.string.clone()],
            None,
            vec![(vec![Value::Count(1), Value::str(b"a")], None)],
        );
        assert_eq!(json(&it, &s), r#"[[1,"a"]]"#);
    }

    /// reference/semantics render/to_json: record `R`, with `&default`, `&optional`, `&log`
    /// and the field-name pattern.
    #[test]
    fn record_options() {
        let it = interp();
        let base = &it.prog.base;
        let nested = record_type(vec![field("x", &base.int, false, None)]);
        let r = record_type(vec![
            field("a", &base.count, false, None),
            field("_underscore", &base.string, false, Some(Value::str(b"u"))),
            field("opt", &base.string, false, None),
            field("logged", &base.count, true, Some(Value::Count(1))),
            field("nested", &nested, false, None),
        ]);
        let v = record(&r, vec![Some(Value::Count(1)), None, None, None, None]);
        let with = |only: bool, re: &str| {
            let p = Pattern::new(re, false).unwrap();
            String::from_utf8(value_to_json(&it, &v, only, Some(&p))).unwrap()
        };
        assert_eq!(with(false, "^_"), r#"{"a":1,"underscore":"u","logged":1}"#);
        assert_eq!(with(true, "^_"), r#"{"logged":1}"#);
        assert_eq!(with(false, "^X"), r#"{"a":1,"_underscore":"u","logged":1}"#);
        assert_eq!(with(false, "d$"), r#"{"a":1,"_underscore":"u","logge":1}"#);
        let full = record(
            &r,
            vec![
                Some(Value::Count(1)),
                None,
                Some(Value::str(b"o")),
                None,
                Some(record(&nested, vec![Some(Value::Int(-1))])),
            ],
        );
        assert_eq!(
            json(&it, &full),
            r#"{"a":1,"underscore":"u","opt":"o","logged":1,"nested":{"x":-1}}"#
        );
    }

    /// reference/semantics render/to_json and render/misc-types: opaques and type values.
    #[test]
    fn opaques_and_types() {
        let it = interp();
        for (name, want) in [
            ("md5", r#"{"opaque_type":"MD5Val"}"#),
            ("topk", r#"{"opaque_type":"TopkVal"}"#),
        ] {
            let v = Value::Opaque(Rc::new(RefCell::new(zest_runtime::opaque::OpaqueVal {
                ty: Type::new(TypeKind::Opaque(Symbol::intern(name))),
                state: zest_runtime::opaque::OpaqueState::Other,
            })));
            assert_eq!(json(&it, &v), want);
        }
        assert_eq!(json(&it, &Value::Type(it.prog.base.count.clone())), "null");
    }
}
