//! Table and set values on Zeek's dictionary (`zest-dict`), so iteration
//! order is Zeek's: keyed SipHash over Zeek's key layout.

use crate::ir::Expr;
use crate::types::{Tag, TypeRef};
use crate::value::{Proto, Value};
use std::rc::Rc;
use zest_dict::{Dict, EntryId, KeyBuf, KeyHasher};

/// One element: the index values and, for tables, the yield.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Vec<Value>,
    pub val: Option<Value>,
}

#[derive(Debug)]
pub struct TableVal {
    pub ty: TypeRef,
    pub dict: Dict<Entry>,
    /// `&default` (a constant, a function, or an expression evaluated per use).
    pub default: Option<Rc<Expr>>,
    /// The Broker store this table forwards its changes to (`&backend`,
    /// `&broker_store`), as the native library numbers them.
    pub store_sync: Option<u32>,
    /// The value of `default`, evaluated once (Zeek's `def_val`: when a
    /// constructor builds the table, or at the first use).
    pub default_val: Option<Value>,
    hasher: KeyHasher,
    kb: KeyBuf,
}

fn proto_of(p: Proto) -> zest_dict::Proto {
    match p {
        Proto::Tcp => zest_dict::Proto::Tcp,
        Proto::Udp => zest_dict::Proto::Udp,
        Proto::Icmp => zest_dict::Proto::Icmp,
        Proto::Unknown => zest_dict::Proto::Unknown,
    }
}

/// Writes one value in Zeek's composite key form (`CompositeHash`):
/// table keys, and the hashing of probabilistic data structures.
pub fn write_composite(kb: &mut KeyBuf, v: &Value) {
    match v {
        Value::Count(c) => kb.write_count(*c),
        Value::Int(i) => kb.write_int(*i),
        Value::Bool(b) => kb.write_bool(*b),
        Value::Enum(_, i) => kb.write_enum(*i),
        Value::Port(p) => kb.write_port(p.num as u16, proto_of(p.proto)),
        Value::Double(d) | Value::Time(d) | Value::Interval(d) => kb.write_double(*d),
        Value::String(s) => kb.write_string(s),
        Value::Addr(a) => kb.write_addr_bytes(a.0),
        Value::Subnet(s) => kb.write_subnet_bytes(s.prefix.0, u32::from(s.len)),
        Value::Pattern(p) => kb.write_pattern(p.exact_text(), p.anywhere_text()),
        Value::Record(r) => {
            let rb = r.borrow();
            let opt: Vec<bool> = rb
                .ty
                .record()
                .map(|rt| {
                    rt.fields
                        .borrow()
                        .iter()
                        .map(crate::types::Field::optional)
                        .collect()
                })
                .unwrap_or_default();
            for (i, f) in rb.fields.iter().enumerate() {
                if opt.get(i).copied().unwrap_or(false) {
                    kb.write_optional_flag(f.is_some());
                }
                if let Some(x) = f {
                    write_composite(kb, x);
                }
            }
        }
        Value::Vector(vv) => {
            let vb = vv.borrow();
            kb.write_vector_header(vb.items.len() as u32);
            for (i, it) in vb.items.iter().enumerate() {
                kb.write_vector_slot(i as u32, it.is_some());
                if let Some(x) = it {
                    write_composite(kb, x);
                }
            }
        }
        Value::Table(t) => {
            let tb = t.borrow();
            kb.write_table_header(tb.len());
            let mut order: Vec<(u32, Vec<u8>, &Entry)> = tb
                .dict
                .iter()
                .map(|(k, e)| (k.h32(), k.bytes().to_vec(), e))
                .collect();
            order.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(a.1.len().cmp(&b.1.len()))
                    .then(a.1.cmp(&b.1))
            });
            for (_, _, e) in order {
                kb.write_list_header(e.key.len());
                for k in &e.key {
                    write_composite(kb, k);
                }
                if let Some(v) = &e.val {
                    write_composite(kb, v);
                }
            }
        }
        Value::List(l) => {
            for x in l.iter() {
                write_composite(kb, x);
            }
        }
        Value::Func(f) => kb.write_func(f.name.index()),
        _ => {}
    }
}

impl TableVal {
    pub fn new(ty: TypeRef) -> TableVal {
        TableVal {
            ty,
            dict: Dict::new(),
            default: None,
            store_sync: None,
            default_val: None,
            hasher: zest_dict::global_hasher(),
            kb: KeyBuf::new(),
        }
    }

    /// Builds the key bytes of an index into the table's scratch buffer.
    fn build_key(&mut self, key: &[Value]) {
        self.kb.clear();
        if let [single] = key {
            match single {
                Value::String(s) => {
                    self.kb.write_singleton_string(s);
                    return;
                }
                Value::Pattern(p) => {
                    self.kb
                        .write_singleton_pattern(p.exact_text(), p.anywhere_text());
                    return;
                }
                _ => {}
            }
        }
        for v in key {
            write_composite(&mut self.kb, v);
        }
    }

    /// An index value as the list of its parts.
    pub fn key_from_index(v: &Value) -> Vec<Value> {
        match v {
            Value::List(l) => l.as_ref().clone(),
            other => vec![other.clone()],
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    pub fn is_set(&self) -> bool {
        self.ty.is_set()
    }

    pub fn insert(&mut self, key: Vec<Value>, val: Option<Value>) {
        self.build_key(&key);
        let kr = self.kb.key_ref(&self.hasher);
        let _ = self.dict.insert(kr, Entry { key, val });
    }

    pub fn get(&mut self, key: &[Value]) -> Option<Value> {
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        self.dict
            .find(kr)
            .map(|e| e.val.clone().unwrap_or(Value::Bool(true)))
    }

    pub fn contains_key(&self, key: &[Value]) -> bool {
        let mut kb = KeyBuf::new();
        if let [Value::String(s)] = key {
            kb.write_singleton_string(s);
        } else if let [Value::Pattern(p)] = key {
            kb.write_singleton_pattern(p.exact_text(), p.anywhere_text());
        } else {
            for v in key {
                write_composite(&mut kb, v);
            }
        }
        self.dict.get(kb.key_ref(&self.hasher)).is_some()
    }

    pub fn remove(&mut self, key: &[Value]) -> Option<Entry> {
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        self.dict.remove(kr).map(|(_, e)| e)
    }

    pub fn clear(&mut self) {
        self.dict.clear();
    }

    /// Keys in Zeek's iteration order.
    pub fn keys_vec(&self) -> Vec<Vec<Value>> {
        self.dict.values().map(|e| e.key.clone()).collect()
    }

    /// Entries in Zeek's iteration order.
    pub fn entries_vec(&self) -> Vec<(Vec<Value>, Option<Value>)> {
        self.dict
            .values()
            .map(|e| (e.key.clone(), e.val.clone()))
            .collect()
    }

    pub fn entry(&self, id: EntryId) -> Option<&Entry> {
        self.dict.value(id)
    }

    /// `copy()`: Zeek copies the dictionary itself (keeping its layout and
    /// thus its order), then deep-copies the values.
    pub fn deep_copy(&self) -> TableVal {
        self.deep_copy_with(&mut crate::interp::ops_deep_copy)
    }

    /// `copy()` with `copy_val` copying each yield value (keys are copied
    /// on their own, as Zeek rebuilds them from the hash key).
    pub fn deep_copy_with(&self, copy_val: &mut dyn FnMut(&Value) -> Value) -> TableVal {
        let mut dict = self.dict.zeek_copy();
        dict.for_each_mut(|_, e| {
            e.key = e.key.iter().map(crate::interp::ops_deep_copy).collect();
            e.val = e.val.as_ref().map(&mut *copy_val);
        });
        TableVal {
            ty: self.ty.clone(),
            dict,
            default: self.default.clone(),
            store_sync: None,
            default_val: self.default_val.as_ref().map(crate::interp::ops_deep_copy),
            hasher: self.hasher,
            kb: KeyBuf::new(),
        }
    }

    /// Makes an empty table iterate in insertion order (`&ordered`).
    pub fn set_ordered(&mut self) {
        if self.dict.is_empty() {
            self.dict = Dict::new_ordered();
        }
    }

    pub fn is_subnet_indexed(&self) -> bool {
        self.ty
            .table_index()
            .is_some_and(|ix| ix.len() == 1 && ix[0].tag() == Tag::Subnet)
    }

    /// For a table indexed by one subnet: the key of the most specific
    /// subnet holding `x` (an address, or a subnet inside it), as Zeek's
    /// prefix-table lookup finds it for `in` and indexing.
    pub fn best_subnet_match(&self, x: &Value) -> Option<Vec<Value>> {
        if !self.is_subnet_indexed() {
            return None;
        }
        let holds = |s: &crate::value::Subnet| match x {
            Value::Addr(a) => s.contains(*a),
            Value::Subnet(inner) => s.len128() <= inner.len128() && s.contains(inner.prefix),
            _ => false,
        };
        self.dict
            .values()
            .filter_map(|e| match e.key.first() {
                Some(Value::Subnet(s)) if holds(s) => Some((s.len128(), &e.key)),
                _ => None,
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, k)| k.clone())
    }

    /// Whether the type is the placeholder of an untyped constructor.
    pub fn ty_is_unspecified(&self) -> bool {
        self.ty
            .table_index()
            .is_some_and(|ix| ix.iter().any(|t| t.tag() == Tag::Any))
    }
}
