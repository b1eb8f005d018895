//! Table and set values on Zeek's dictionary (`zest-dict`), so iteration
//! order is Zeek's: keyed SipHash over Zeek's key layout.

use crate::ir::Expr;
use crate::types::{Tag, TypeRef};
use crate::value::{Proto, Value};
use std::cell::Cell;
use std::rc::Rc;
use zest_dict::{Dict, EntryId, KeyBuf, KeyHasher, RobustCursor};

/// One element: the index values and, for tables, the yield.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Vec<Value>,
    pub val: Option<Value>,
    /// Zeek's `expire_access_time`: whole seconds of network time (since
    /// the first packet, which is 0 without packets) of the last access
    /// that counts for expiration. Kept only for tables with expiration.
    pub access: i32,
}

thread_local! {
    static NETWORK_TIME: Cell<f64> = const { Cell::new(0.0) };
}

/// Sets the network time that table entries record as their access time
/// (Zeek's `run_state::network_time`).
pub fn set_network_time(t: f64) {
    NETWORK_TIME.with(|c| c.set(t));
}

/// The network time as table entries see it.
pub fn network_time() -> f64 {
    NETWORK_TIME.with(Cell::get)
}

/// An access time as Zeek stores it (`int(time - zeek_start_network_time)`).
pub fn access_time(t: f64) -> i32 {
    t as i32
}

/// Which accesses restart an entry's expiration interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireKind {
    /// `&read_expire`: reads and writes.
    Read,
    /// `&write_expire`: writes.
    Write,
    /// `&create_expire`: only the creation.
    Create,
}

/// A table's expiration and change attributes as compiled
/// (`&read_expire`/`&write_expire`/`&create_expire`, `&expire_func`,
/// `&on_change`).
#[derive(Debug)]
pub struct TableAttrs {
    pub expire: Option<(ExpireKind, Rc<Expr>)>,
    pub expire_func: Option<Rc<Expr>>,
    pub on_change: Option<Rc<Expr>>,
}

/// The run-time state behind a table's expiration and change attributes.
#[derive(Debug)]
pub struct TableHooks {
    pub attrs: Rc<TableAttrs>,
    /// The expiration interval; dropped once it fails to evaluate or is
    /// negative (Zeek's `GetExpireTime`).
    pub expire_time: Option<Rc<Expr>>,
    /// The incremental expiration walk in progress (Zeek's
    /// `expire_iterator`).
    pub cursor: Option<RobustCursor>,
    /// An `&on_change` function is running (it is not called recursively).
    pub in_change: bool,
}

impl TableHooks {
    pub fn new(attrs: Rc<TableAttrs>) -> TableHooks {
        TableHooks {
            expire_time: attrs.expire.as_ref().map(|(_, e)| e.clone()),
            attrs,
            cursor: None,
            in_change: false,
        }
    }

    fn expire_kind(&self) -> Option<ExpireKind> {
        self.attrs.expire.as_ref().map(|(k, _)| *k)
    }
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
    /// Expiration and `&on_change`; `None` for most tables.
    pub hooks: Option<Box<TableHooks>>,
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
        Value::Record(_) => write_composite_as(kb, v, None),
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
            for e in tb.serial_order() {
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

/// [`write_composite`] directed by the type the key has in the table, as
/// Zeek's `CompositeHash` is: a record is written field by field of that
/// type (its optional flags), taking the value's fields by position, and a
/// record made before its type gained fields (`redef record`) contributes
/// those fields' defaults, as Zeek's resized parse-time records do.
pub fn write_composite_as(kb: &mut KeyBuf, v: &Value, expect: Option<&TypeRef>) {
    let Value::Record(r) = v else {
        write_composite(kb, v);
        return;
    };
    let rb = r.borrow();
    let ty = match expect {
        Some(t) if t.record().is_some() => t,
        _ => &rb.ty,
    };
    let Some(rt) = ty.record() else { return };
    let own = Rc::ptr_eq(ty, &rb.ty);
    let fields = rt.fields.borrow();
    for (i, fd) in fields.iter().enumerate() {
        let f = match rb.fields.get(i) {
            Some(f) => f.as_ref(),
            None if own => fd.default.as_ref(),
            None => None,
        };
        if fd.optional() {
            kb.write_optional_flag(f.is_some());
        }
        if let Some(x) = f {
            write_composite_as(kb, x, Some(&fd.ty));
        }
    }
}

/// The value Zeek keeps as (part of) an index: rebuilt from the key
/// (`CompositeHash::RecoverVals`), so it shares nothing with the value
/// given; a record takes the index type, a table is refilled in the order
/// its elements were serialized.
fn recover(v: &Value, expect: Option<&TypeRef>) -> Value {
    match v {
        Value::Record(r) => {
            let rb = r.borrow();
            let ty = match expect {
                Some(t) if t.record().is_some() => t.clone(),
                _ => rb.ty.clone(),
            };
            let own = Rc::ptr_eq(&ty, &rb.ty);
            let Some(rt) = ty.record() else {
                return v.clone();
            };
            let fields: Vec<Option<Value>> = rt
                .fields
                .borrow()
                .iter()
                .enumerate()
                .map(|(i, fd)| {
                    let f = match rb.fields.get(i) {
                        Some(f) => f.as_ref(),
                        None if own => fd.default.as_ref(),
                        None => None,
                    };
                    f.map(|x| recover(x, Some(&fd.ty)))
                })
                .collect();
            Value::Record(Rc::new(std::cell::RefCell::new(crate::value::RecordVal {
                ty: ty.clone(),
                fields,
            })))
        }
        Value::Vector(vv) => {
            let vb = vv.borrow();
            Value::Vector(Rc::new(std::cell::RefCell::new(crate::value::VectorVal {
                ty: vb.ty.clone(),
                items: vb
                    .items
                    .iter()
                    .map(|x| x.as_ref().map(|x| recover(x, None)))
                    .collect(),
            })))
        }
        Value::Table(t) => {
            let tb = t.borrow();
            let mut nt = TableVal::new(tb.ty.clone());
            for e in tb.serial_order() {
                let key = e.key.iter().map(|k| recover(k, None)).collect();
                nt.insert(key, e.val.as_ref().map(|x| recover(x, None)));
            }
            Value::Table(Rc::new(std::cell::RefCell::new(nt)))
        }
        other => other.clone(),
    }
}

/// Writes an index (its parts, typed by the table's index types).
fn write_index(kb: &mut KeyBuf, key: &[Value], index: Option<&[TypeRef]>) {
    if let [single] = key {
        match single {
            Value::String(s) => {
                kb.write_singleton_string(s);
                return;
            }
            Value::Pattern(p) => {
                kb.write_singleton_pattern(p.exact_text(), p.anywhere_text());
                return;
            }
            _ => {}
        }
    }
    for (i, v) in key.iter().enumerate() {
        write_composite_as(kb, v, index.and_then(|ix| ix.get(i)));
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
            hooks: None,
            hasher: zest_dict::global_hasher(),
            kb: KeyBuf::new(),
        }
    }

    /// Builds the key bytes of an index into the table's scratch buffer.
    fn build_key(&mut self, key: &[Value]) {
        self.kb.clear();
        write_index(&mut self.kb, key, self.ty.table_index());
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

    /// `t[key] = val` / `add t[key]`; returns the entry replaced, if any.
    pub fn insert(&mut self, key: Vec<Value>, val: Option<Value>) -> Option<Entry> {
        self.build_key(&key);
        let kr = self.kb.key_ref(&self.hasher);
        let aggregate = key
            .iter()
            .any(|v| matches!(v, Value::Record(_) | Value::Table(_) | Value::Vector(_)));
        if self.hooks.is_none() && !aggregate {
            let access = 0;
            return self.dict.insert(kr, Entry { key, val, access });
        }
        let access = if self.hooks.is_some() {
            access_time(network_time())
        } else {
            0
        };
        let (id, mut old) = self.dict.insert_entry(kr, Entry { key, val, access });
        let create = self
            .hooks
            .as_ref()
            .is_some_and(|h| h.expire_kind() == Some(ExpireKind::Create));
        let Some(e) = self.dict.value_mut(id) else {
            return old;
        };
        match &mut old {
            Some(o) => {
                // The entry keeps its index; `&create_expire` keeps the
                // time the entry was created.
                std::mem::swap(&mut e.key, &mut o.key);
                if create {
                    e.access = o.access;
                }
            }
            None if aggregate => {
                let index = self.ty.table_index();
                e.key = e
                    .key
                    .iter()
                    .enumerate()
                    .map(|(i, k)| recover(k, index.and_then(|ix| ix.get(i))))
                    .collect();
            }
            None => {}
        }
        old
    }

    pub fn get(&mut self, key: &[Value]) -> Option<Value> {
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        let e = self.dict.find(kr)?;
        if let Some(h) = &self.hooks {
            if h.expire_kind() == Some(ExpireKind::Read) {
                e.access = access_time(network_time());
            }
        }
        Some(e.val.clone().unwrap_or(Value::Bool(true)))
    }

    /// A read that counts for `&read_expire` (`key in t`): renews the
    /// entry's access time.
    pub fn touch_read(&mut self, key: &[Value]) {
        if !self
            .hooks
            .as_ref()
            .is_some_and(|h| h.expire_kind() == Some(ExpireKind::Read))
        {
            return;
        }
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        if let Some(id) = self.dict.get_entry(kr) {
            if let Some(e) = self.dict.value_mut(id) {
                e.access = access_time(network_time());
            }
        }
    }

    /// The access time of an entry, looked up without side effects.
    pub fn access_of(&mut self, key: &[Value]) -> Option<i32> {
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        self.dict.get(kr).map(|e| e.access)
    }

    /// Sets the access time of an entry.
    pub fn set_access(&mut self, key: &[Value], access: i32) {
        self.build_key(key);
        let kr = self.kb.key_ref(&self.hasher);
        if let Some(id) = self.dict.get_entry(kr) {
            if let Some(e) = self.dict.value_mut(id) {
                e.access = access;
            }
        }
    }

    pub fn contains_key(&self, key: &[Value]) -> bool {
        let mut kb = KeyBuf::new();
        write_index(&mut kb, key, self.ty.table_index());
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

    /// The entries in the order Zeek serializes this table inside an index:
    /// by 32-bit hash, key length, key bytes.
    fn serial_order(&self) -> Vec<&Entry> {
        let mut order: Vec<(u32, &[u8], &Entry)> = self
            .dict
            .iter()
            .map(|(k, e)| (k.h32(), k.bytes(), e))
            .collect();
        order.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.len().cmp(&b.1.len()))
                .then(a.1.cmp(b.1))
        });
        order.into_iter().map(|(_, _, e)| e).collect()
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
            // A copy keeps the expiration but not `&on_change` (Zeek's
            // `TableVal::DoClone`).
            hooks: self.hooks.as_ref().and_then(|h| {
                let attrs = Rc::new(TableAttrs {
                    expire: h.expire_time.as_ref().and(h.attrs.expire.clone()),
                    expire_func: h.attrs.expire_func.clone(),
                    on_change: None,
                });
                (attrs.expire.is_some() || attrs.expire_func.is_some())
                    .then(|| Box::new(TableHooks::new(attrs)))
            }),
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
