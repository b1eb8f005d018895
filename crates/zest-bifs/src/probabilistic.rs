//! The probabilistic data structures of `src/probabilistic/`: Bloom filters
//! (`bloom-filter.bif`), HyperLogLog cardinality counters
//! (`cardinality-counter.bif`) and top-k (`top-k.bif`), as opaque values.
//!
//! Everything reproduces Zeek 5.2.2 bit for bit, because scripts can see
//! the bits (`bloomfilter_internal_state`, false positives, estimates):
//!
//! * elements are hashed as Zeek's `CompositeHash` serialises a single
//!   value (the table-key layout of `zest-dict`), then
//! * Bloom filters hash those bytes with SipHash-2-4 keyed from the
//!   filter's seed (`Hasher::MakeSeed`: SHA-256 of the name, of
//!   `global_hash_seed`, or of the process's first random seed), plus
//!   `prng(i)` per hash function; cells are bits (basic) or saturating
//!   counters of `ceil(log2(max))`-ish width (counting), both stored in
//!   64-bit blocks whose SHA-256 is the "internal state";
//! * HyperLogLog uses the key's ordinary 64-bit hash (the table hash) and
//!   Zeek's bucket/rank arithmetic, including the choice of the bucket
//!   count from error and confidence (which needs `erf`);
//! * top-k is the stream-summary structure of `Topk.cc`, with its exact
//!   bucket and element order.
//!
//! The native state lives in this module's registry (`Interp::ext`), keyed
//! by the address of the opaque value's allocation; the registry holds a
//! weak reference so the address cannot be reused while the entry exists.

use crate::broker::convert::{data_to_val, serialize_type, unserialize_type, val_to_data};
use crate::hashing::prng;
use crate::reporter;
use crate::Bif;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use zest_broker::Data;
use zest_dict::{KeyBuf, KeyHasher};
use zest_runtime::opaque::{OpaqueState, OpaqueVal};
use zest_runtime::types::{same_type, Type, TypeKind, TypeRef};
use zest_runtime::value::VectorVal;
use zest_runtime::{CallSite, Interp, RtResult, Value};
use zest_syntax::Symbol;

pub static BIFS: &[Bif] = &[
    Bif {
        name: "bloomfilter_basic_init",
        signature: "function(fp: double, capacity: count, name: string &default=\"\"): opaque of bloomfilter",
        func: bloomfilter_basic_init,
    },
    Bif {
        name: "bloomfilter_basic_init2",
        signature: "function(k: count, cells: count, name: string &default=\"\"): opaque of bloomfilter",
        func: bloomfilter_basic_init2,
    },
    Bif {
        name: "bloomfilter_counting_init",
        signature: "function(k: count, cells: count, max: count, name: string &default=\"\"): opaque of bloomfilter",
        func: bloomfilter_counting_init,
    },
    Bif {
        name: "bloomfilter_add",
        signature: "function(bf: opaque of bloomfilter, x: any): any",
        func: bloomfilter_add,
    },
    Bif {
        name: "bloomfilter_decrement",
        signature: "function(bf: opaque of bloomfilter, x: any): bool",
        func: bloomfilter_decrement,
    },
    Bif {
        name: "bloomfilter_lookup",
        signature: "function(bf: opaque of bloomfilter, x: any): count",
        func: bloomfilter_lookup,
    },
    Bif {
        name: "bloomfilter_clear",
        signature: "function(bf: opaque of bloomfilter): any",
        func: bloomfilter_clear,
    },
    Bif {
        name: "bloomfilter_merge",
        signature: "function(bf1: opaque of bloomfilter, bf2: opaque of bloomfilter): opaque of bloomfilter",
        func: bloomfilter_merge,
    },
    Bif {
        name: "bloomfilter_intersect",
        signature: "function(bf1: opaque of bloomfilter, bf2: opaque of bloomfilter): opaque of bloomfilter",
        func: bloomfilter_intersect,
    },
    Bif {
        name: "bloomfilter_internal_state",
        signature: "function(bf: opaque of bloomfilter): string",
        func: bloomfilter_internal_state,
    },
    Bif {
        name: "hll_cardinality_init",
        signature: "function(err: double, confidence: double): opaque of cardinality",
        func: hll_cardinality_init,
    },
    Bif {
        name: "hll_cardinality_add",
        signature: "function(handle: opaque of cardinality, elem: any): bool",
        func: hll_cardinality_add,
    },
    Bif {
        name: "hll_cardinality_merge_into",
        signature: "function(handle1: opaque of cardinality, handle2: opaque of cardinality): bool",
        func: hll_cardinality_merge_into,
    },
    Bif {
        name: "hll_cardinality_estimate",
        signature: "function(handle: opaque of cardinality): double",
        func: hll_cardinality_estimate,
    },
    Bif {
        name: "hll_cardinality_copy",
        signature: "function(handle: opaque of cardinality): opaque of cardinality",
        func: hll_cardinality_copy,
    },
    Bif {
        name: "topk_init",
        signature: "function(size: count): opaque of topk",
        func: topk_init,
    },
    Bif {
        name: "topk_add",
        signature: "function(handle: opaque of topk, value: any): any",
        func: topk_add,
    },
    Bif {
        name: "topk_get_top",
        signature: "function(handle: opaque of topk, k: count): vector of any",
        func: topk_get_top,
    },
    Bif {
        name: "topk_count",
        signature: "function(handle: opaque of topk, value: any): count",
        func: topk_count,
    },
    Bif {
        name: "topk_epsilon",
        signature: "function(handle: opaque of topk, value: any): count",
        func: topk_epsilon,
    },
    Bif {
        name: "topk_size",
        signature: "function(handle: opaque of topk): count",
        func: topk_size,
    },
    Bif {
        name: "topk_sum",
        signature: "function(handle: opaque of topk): count",
        func: topk_sum,
    },
    Bif {
        name: "topk_merge",
        signature: "function(handle1: opaque of topk, handle2: opaque of topk): any",
        func: topk_merge,
    },
    Bif {
        name: "topk_merge_prune",
        signature: "function(handle1: opaque of topk, handle2: opaque of topk): any",
        func: topk_merge_prune,
    },
];

// ------------------------------------------------------------ opaque registry

/// The native state behind one opaque value.
#[derive(Clone, Debug)]
enum Native {
    Bloom(BloomVal),
    Card(CardVal),
    Topk(Topk),
}

#[derive(Default)]
struct Registry {
    states: FxHashMap<usize, (Weak<RefCell<OpaqueVal>>, Native)>,
    since_sweep: usize,
}

const KEY: &str = "probabilistic";

fn handle_id(v: &Value) -> Option<usize> {
    match v {
        Value::Opaque(o) => Some(Rc::as_ptr(o) as usize),
        _ => None,
    }
}

/// A new opaque value of type `opaque of NAME` holding `native`.
fn new_opaque(it: &mut Interp, name: &str, native: Native) -> Value {
    let ty = Type::new(TypeKind::Opaque(Symbol::intern(name)));
    let rc = Rc::new(RefCell::new(OpaqueVal {
        ty,
        state: OpaqueState::Other,
    }));
    let reg = it.ext_mut::<Registry>(KEY);
    reg.since_sweep += 1;
    if reg.since_sweep >= 1024 {
        reg.since_sweep = 0;
        reg.states.retain(|_, (w, _)| w.strong_count() > 0);
    }
    reg.states
        .insert(Rc::as_ptr(&rc) as usize, (Rc::downgrade(&rc), native));
    Value::Opaque(rc)
}

/// Runs `f` on the state of handle `v` (taken out of the registry for the
/// duration, so that `f` can report through the interpreter).
fn with_native<R>(
    it: &mut Interp,
    v: &Value,
    f: impl FnOnce(&mut Interp, &mut Native) -> R,
) -> Option<R> {
    let id = handle_id(v)?;
    let (weak, mut native) = it.ext_mut::<Registry>(KEY).states.remove(&id)?;
    let r = f(it, &mut native);
    it.ext_mut::<Registry>(KEY)
        .states
        .insert(id, (weak, native));
    Some(r)
}

fn native_clone(it: &mut Interp, v: &Value) -> Option<Native> {
    let id = handle_id(v)?;
    it.ext_mut::<Registry>(KEY)
        .states
        .get(&id)
        .map(|(_, n)| n.clone())
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Void)
}

fn type_of(it: &Interp, v: &Value) -> TypeRef {
    v.type_of(&it.prog.base)
}

/// `copy()` of a Bloom filter, cardinality counter or top-k handle, as the
/// `DoClone`s of `OpaqueVal.cc` / `Topk.cc` make it: a Bloom filter keeps
/// its element type; a cardinality counter's copy is untyped; a top-k copy
/// is a fresh structure of the same size that the original is merged into
/// (so it is not marked pruned). `None` for other values.
pub fn copy_opaque(it: &mut Interp, v: &Value) -> Option<Value> {
    let (name, native) = match native_clone(it, v)? {
        Native::Bloom(b) => ("bloomfilter", Native::Bloom(b)),
        Native::Card(c) => (
            "cardinality",
            Native::Card(CardVal {
                counter: c.counter,
                ty: None,
            }),
        ),
        Native::Topk(t) => {
            let mut copy = Topk::new(t.size);
            let _ = copy.merge(&t, false);
            ("topk", Native::Topk(copy))
        }
    };
    Some(new_opaque(it, name, native))
}

// ------------------------------------------------------------ element keys

use zest_runtime::table::write_composite;

/// The `HashKey` bytes `CompositeHash::MakeHashKey` gives one value of a
/// single-type list: strings and patterns in their singleton form, all
/// others as one composite item.
fn key_bytes(v: &Value) -> Vec<u8> {
    let mut kb = KeyBuf::new();
    match v {
        Value::String(s) => kb.write_singleton_string(s),
        Value::Pattern(p) => kb.write_singleton_pattern(p.exact_text(), p.anywhere_text()),
        other => write_composite(&mut kb, other),
    }
    kb.bytes().to_vec()
}

// ------------------------------------------------------------ hashers

/// `Hasher::seed_t`: the SipHash key of a hash function family.
type Seed = [u64; 2];

/// `Hasher::MakeSeed`: the first 16 bytes of the SHA-256 of the filter's
/// name, else of `global_hash_seed`, else of the process's first random
/// seed (a native `unsigned int`).
fn make_seed(it: &Interp, name: &[u8]) -> Seed {
    if !name.is_empty() {
        return digest_seed(name);
    }
    let global = it
        .prog
        .lookup(Symbol::intern("global_hash_seed"))
        .map(|g| it.prog.globals[g as usize].value.as_bytes().to_vec())
        .unwrap_or_default();
    if global.is_empty() {
        digest_seed(&zest_dict::global().random_seed().to_le_bytes())
    } else {
        digest_seed(&global)
    }
}

/// The seed made from some bytes: the first 16 bytes of their SHA-256.
fn digest_seed(data: &[u8]) -> Seed {
    seed_from_digest(&Sha256::digest(data))
}

fn seed_from_digest(d: &[u8]) -> Seed {
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[i..i + 8]);
        u64::from_le_bytes(b)
    };
    [word(0), word(8)]
}

/// `seed + n`: added to the first word.
fn seed_plus(s: Seed, n: u64) -> Seed {
    [s[0].wrapping_add(n), s[1]]
}

/// `UHF::hash`: SipHash-2-4 keyed with the seed.
fn uhf(seed: Seed, bytes: &[u8]) -> u64 {
    KeyHasher::new(seed[0], seed[1]).hash(bytes)
}

#[derive(Clone, Debug, PartialEq)]
enum Hasher {
    /// `DefaultHasher`: `k` independent functions, function `i` (from 1)
    /// keyed with `seed + prng(i)`.
    Default {
        k: usize,
        seed: Seed,
        fns: Vec<Seed>,
    },
    /// `DoubleHasher`: `h1 + i·h2` with `h1`, `h2` keyed with `seed +
    /// prng(1)`, `seed + prng(2)`.
    Double {
        k: usize,
        seed: Seed,
        h1: Seed,
        h2: Seed,
    },
}

impl Hasher {
    fn default_hasher(k: usize, seed: Seed) -> Hasher {
        let fns = (1..=k)
            .map(|i| seed_plus(seed, prng(i as i64) as u64))
            .collect();
        Hasher::Default { k, seed, fns }
    }

    fn double_hasher(k: usize, seed: Seed) -> Hasher {
        Hasher::Double {
            k,
            seed,
            h1: seed_plus(seed, prng(1) as u64),
            h2: seed_plus(seed, prng(2) as u64),
        }
    }

    fn hash(&self, bytes: &[u8]) -> Vec<u64> {
        match self {
            Hasher::Default { fns, .. } => fns.iter().map(|s| uhf(*s, bytes)).collect(),
            Hasher::Double { k, h1, h2, .. } => {
                let d1 = uhf(*h1, bytes);
                let d2 = uhf(*h2, bytes);
                (0..*k as u64)
                    .map(|i| d1.wrapping_add(i.wrapping_mul(d2)))
                    .collect()
            }
        }
    }

    /// `Hasher::Equals`: same kind and the same seeds (a double hasher's
    /// `k` is not compared).
    fn equals(&self, other: &Hasher) -> bool {
        match (self, other) {
            (Hasher::Default { fns: a, .. }, Hasher::Default { fns: b, .. }) => a == b,
            (Hasher::Double { h1, h2, .. }, Hasher::Double { h1: o1, h2: o2, .. }) => {
                h1 == o1 && h2 == o2
            }
            _ => false,
        }
    }
}

// ------------------------------------------------------------ bit and counter vectors

/// `BitVector`: bits in 64-bit blocks, bit `i` at block `i / 64`, bit
/// `i % 64`.
#[derive(Clone, Debug, PartialEq)]
struct BitVector {
    bits: Vec<u64>,
    num_bits: usize,
}

impl BitVector {
    fn new(n: usize) -> BitVector {
        BitVector {
            bits: vec![0; n.div_ceil(64)],
            num_bits: n,
        }
    }

    fn get(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|b| b & (1u64 << (i % 64)) != 0)
    }

    fn put(&mut self, i: usize, bit: bool) {
        if let Some(b) = self.bits.get_mut(i / 64) {
            if bit {
                *b |= 1u64 << (i % 64);
            } else {
                *b &= !(1u64 << (i % 64));
            }
        }
    }

    fn reset(&mut self) {
        self.bits.iter_mut().for_each(|b| *b = 0);
    }

    fn or(&mut self, other: &BitVector) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a |= *b;
        }
    }

    fn and(&mut self, other: &BitVector) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a &= *b;
        }
    }

    /// `BitVector::Hash`: the first 8 bytes of the SHA-256 of the blocks
    /// (native byte order).
    fn hash(&self) -> u64 {
        let mut h = Sha256::new();
        for b in &self.bits {
            h.update(b.to_le_bytes());
        }
        seed_from_digest(&h.finalize())[0]
    }
}

/// `CounterVector`: `width`-bit saturating counters laid out in a
/// `BitVector`, least significant bit first.
#[derive(Clone, Debug, PartialEq)]
struct CounterVector {
    bits: BitVector,
    width: usize,
}

impl CounterVector {
    fn new(width: usize, cells: usize) -> CounterVector {
        CounterVector {
            bits: BitVector::new(width * cells),
            width,
        }
    }

    fn size(&self) -> usize {
        self.bits.num_bits.checked_div(self.width).unwrap_or(0)
    }

    /// Adds one; a counter that overflows stays at its maximum.
    fn increment(&mut self, cell: usize) {
        let lsb = cell * self.width;
        let mut carry = false;
        for i in 0..self.width {
            let b1 = self.bits.get(lsb + i);
            let b2 = i == 0;
            self.bits.put(lsb + i, b1 ^ b2 ^ carry);
            carry = (b1 && b2) || (carry && (b1 != b2));
        }
        if carry {
            for i in 0..self.width {
                self.bits.put(lsb + i, true);
            }
        }
    }

    /// Subtracts one by adding all ones (two's complement); a zero
    /// counter wraps to its maximum.
    fn decrement(&mut self, cell: usize) {
        let lsb = cell * self.width;
        let mut carry = false;
        for i in 0..self.width {
            let b1 = self.bits.get(lsb + i);
            let b2 = true;
            self.bits.put(lsb + i, b1 ^ b2 ^ carry);
            carry = (b1 && b2) || (carry && (b1 != b2));
        }
    }

    fn count(&self, cell: usize) -> u64 {
        let lsb = cell * self.width;
        let mut cnt = 0u64;
        for i in 0..self.width.min(64) {
            if self.bits.get(lsb + i) {
                cnt |= 1 << i;
            }
        }
        cnt
    }

    /// `CounterVector::Merge`: cell-wise saturating addition.
    fn merge(&mut self, other: &CounterVector) {
        for cell in 0..self.size() {
            let lsb = cell * self.width;
            let mut carry = false;
            for i in 0..self.width {
                let b1 = self.bits.get(lsb + i);
                let b2 = other.bits.get(lsb + i);
                self.bits.put(lsb + i, b1 ^ b2 ^ carry);
                carry = (b1 && b2) || (carry && (b1 != b2));
            }
            if carry {
                for i in 0..self.width {
                    self.bits.put(lsb + i, true);
                }
            }
        }
    }

    /// `CounterVector::ToBitVector`: one bit per cell. Zeek tests the
    /// cell's *second* bit (`lsb + 1`) for every bit of the cell, so a
    /// cell counts as set from the value 2 on (with width 1: the next
    /// cell's bit).
    fn to_bit_vector(&self) -> BitVector {
        let mut out = BitVector::new(self.size());
        for cell in 0..self.size() {
            let lsb = cell * self.width;
            let set = self.width > 0 && self.bits.get(lsb + 1);
            out.put(cell, set);
        }
        out
    }
}

// ------------------------------------------------------------ Bloom filters

#[derive(Clone, Debug)]
enum Cells {
    Basic(BitVector),
    Counting(CounterVector),
}

#[derive(Clone, Debug)]
struct BloomFilter {
    hasher: Hasher,
    cells: Cells,
}

impl BloomFilter {
    fn is_basic(&self) -> bool {
        matches!(self.cells, Cells::Basic(_))
    }

    fn size(&self) -> usize {
        match &self.cells {
            Cells::Basic(b) => b.num_bits,
            Cells::Counting(c) => c.size(),
        }
    }

    fn positions(&self, key: &[u8]) -> Vec<usize> {
        let size = self.size() as u64;
        self.hasher
            .hash(key)
            .into_iter()
            .filter_map(|h| h.checked_rem(size).map(|x| x as usize))
            .collect()
    }

    fn add(&mut self, key: &[u8]) {
        let pos = self.positions(key);
        match &mut self.cells {
            Cells::Basic(b) => pos.into_iter().for_each(|p| b.put(p, true)),
            Cells::Counting(c) => pos.into_iter().for_each(|p| c.increment(p)),
        }
    }

    fn count(&self, key: &[u8]) -> u64 {
        let pos = self.positions(key);
        match &self.cells {
            Cells::Basic(b) => u64::from(pos.iter().all(|&p| b.get(p))),
            Cells::Counting(c) => pos.iter().map(|&p| c.count(p)).min().unwrap_or(u64::MAX),
        }
    }

    /// Only counting filters can forget an element, and only one that
    /// they (seem to) contain.
    fn decrement(&mut self, key: &[u8]) -> bool {
        if self.is_basic() || self.count(key) == 0 {
            return false;
        }
        let pos = self.positions(key);
        if let Cells::Counting(c) = &mut self.cells {
            pos.into_iter().for_each(|p| c.decrement(p));
        }
        true
    }

    fn clear(&mut self) {
        match &mut self.cells {
            Cells::Basic(b) => b.reset(),
            Cells::Counting(c) => c.bits.reset(),
        }
    }

    fn internal_state(&self) -> u64 {
        match &self.cells {
            Cells::Basic(b) => b.hash(),
            Cells::Counting(c) => c.bits.hash(),
        }
    }

    fn kind(&self) -> &'static str {
        if self.is_basic() {
            "BasicBloomFilter"
        } else {
            "CountingBloomFilter"
        }
    }

    /// `BloomFilter::Merge` on a copy of `self`: the error it reports.
    fn merge(&mut self, other: &BloomFilter) -> Result<(), String> {
        if !self.hasher.equals(&other.hasher) {
            return Err(format!("incompatible hashers in {} merge", self.kind()));
        }
        if self.size() != other.size() {
            return Err(format!("different bitvector size in {} merge", self.kind()));
        }
        match (&mut self.cells, &other.cells) {
            (Cells::Basic(a), Cells::Basic(b)) => a.or(b),
            (Cells::Counting(a), Cells::Counting(b)) => a.merge(b),
            _ => {}
        }
        Ok(())
    }

    /// `BloomFilter::Intersect`: always a basic filter.
    fn intersect(&self, other: &BloomFilter) -> Result<BloomFilter, String> {
        let (what, hasher_msg) = match self.cells {
            Cells::Basic(_) => ("BasicBloomFilter", "intersect"),
            Cells::Counting(_) => ("CountingBloomFilter", "merge"),
        };
        if !self.hasher.equals(&other.hasher) {
            return Err(format!("incompatible hashers in {what} {hasher_msg}"));
        }
        if self.size() != other.size() {
            return Err(format!("different bitvector size in {what} {hasher_msg}"));
        }
        let cells = match (&self.cells, &other.cells) {
            (Cells::Basic(a), Cells::Basic(b)) => {
                let mut bits = a.clone();
                bits.and(b);
                bits
            }
            (Cells::Counting(a), Cells::Counting(b)) => {
                let mut bits = BitVector::new(a.size());
                bits.or(&a.to_bit_vector());
                bits.and(&b.to_bit_vector());
                bits
            }
            _ => BitVector::new(0),
        };
        Ok(BloomFilter {
            hasher: self.hasher.clone(),
            cells: Cells::Basic(cells),
        })
    }
}

/// `BasicBloomFilter::M`: cells for a false-positive rate and capacity.
fn optimal_cells(fp: f64, capacity: u64) -> usize {
    let ln2 = std::f64::consts::LN_2;
    (-(capacity as f64 * fp.ln() / ln2 / ln2)).ceil() as usize
}

/// `BasicBloomFilter::K`: hash functions for cells and capacity.
fn optimal_k(cells: usize, capacity: u64) -> usize {
    let frac = cells as f64 / capacity as f64;
    (frac * std::f64::consts::LN_2).ceil() as usize
}

/// `BloomFilterVal`: the filter and the element type it was given by its
/// first element.
#[derive(Clone, Debug)]
struct BloomVal {
    filter: BloomFilter,
    ty: Option<TypeRef>,
}

fn new_bloom(it: &mut Interp, filter: BloomFilter, ty: Option<TypeRef>) -> Value {
    new_opaque(it, "bloomfilter", Native::Bloom(BloomVal { filter, ty }))
}

fn bloomfilter_basic_init(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let fp = args.first().map_or(0.0, Value::as_double);
    let capacity = args.get(1).map_or(0, Value::as_count);
    if !(0.0..=1.0).contains(&fp) {
        reporter::error(
            it,
            site,
            "false-positive rate must take value between 0 and 1",
        );
        return Err(it.no_value());
    }
    let cells = optimal_cells(fp, capacity);
    let k = optimal_k(cells, capacity);
    let seed = make_seed(it, args.get(2).map_or(b"", Value::as_bytes));
    let filter = BloomFilter {
        hasher: Hasher::double_hasher(k, seed),
        cells: Cells::Basic(BitVector::new(cells)),
    };
    Ok(new_bloom(it, filter, None))
}

fn bloomfilter_basic_init2(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let k = args.first().map_or(0, Value::as_count);
    let cells = args.get(1).map_or(0, Value::as_count);
    if k == 0 {
        reporter::error(it, site, "number of hash functions must be non-negative");
        return Err(it.no_value());
    }
    if cells == 0 {
        reporter::error(it, site, "number of cells must be non-negative");
        return Err(it.no_value());
    }
    let seed = make_seed(it, args.get(2).map_or(b"", Value::as_bytes));
    let filter = BloomFilter {
        hasher: Hasher::double_hasher(k as usize, seed),
        cells: Cells::Basic(BitVector::new(cells as usize)),
    };
    Ok(new_bloom(it, filter, None))
}

/// Counter width for a maximum count: one bit more than the number of
/// right shifts that leave something (`max` 1 → 1 bit, 3 → 2, 4 → 3).
fn counter_width(max: u64) -> usize {
    let mut width = 1;
    let mut m = max;
    loop {
        m >>= 1;
        if m == 0 {
            break;
        }
        width += 1;
    }
    width
}

fn bloomfilter_counting_init(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let k = args.first().map_or(0, Value::as_count);
    let cells = args.get(1).map_or(0, Value::as_count);
    let max = args.get(2).map_or(0, Value::as_count);
    if max == 0 {
        reporter::error(it, site, "max counter value must be greater than 0");
        return Err(it.no_value());
    }
    let seed = make_seed(it, args.get(3).map_or(b"", Value::as_bytes));
    let filter = BloomFilter {
        hasher: Hasher::default_hasher(k as usize, seed),
        cells: Cells::Counting(CounterVector::new(counter_width(max), cells as usize)),
    };
    Ok(new_bloom(it, filter, None))
}

/// Gives an untyped filter the element's type; `false` (after reporting)
/// when the element has another type than the filter's.
fn bloom_check_type(it: &mut Interp, site: &CallSite<'_>, b: &mut BloomVal, x: &Value) -> bool {
    let xt = type_of(it, x);
    match &b.ty {
        None => {
            b.ty = Some(xt);
            true
        }
        Some(t) if same_type(t, &xt) => true,
        Some(_) => {
            reporter::error(it, site, "incompatible Bloom filter types");
            false
        }
    }
}

fn bloomfilter_add(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let x = arg(args, 1);
    with_native(it, &arg(args, 0), |it, n| {
        if let Native::Bloom(b) = n {
            if bloom_check_type(it, site, b, &x) {
                b.filter.add(&key_bytes(&x));
            }
        }
    });
    Ok(Value::Void)
}

/// Zeek goes on to decrement even after reporting a type mismatch.
fn bloomfilter_decrement(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let x = arg(args, 1);
    let r = with_native(it, &arg(args, 0), |it, n| match n {
        Native::Bloom(b) => {
            bloom_check_type(it, site, b, &x);
            b.filter.decrement(&key_bytes(&x))
        }
        _ => false,
    });
    Ok(Value::Bool(r.unwrap_or(false)))
}

fn bloomfilter_lookup(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let x = arg(args, 1);
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Bloom(b) = n else { return 0 };
        let Some(t) = &b.ty else { return 0 };
        if !same_type(t, &type_of(it, &x)) {
            reporter::error(it, site, "incompatible Bloom filter types");
            return 0;
        }
        b.filter.count(&key_bytes(&x))
    });
    Ok(Value::Count(r.unwrap_or(0)))
}

fn bloomfilter_clear(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    with_native(it, &arg(args, 0), |_, n| {
        if let Native::Bloom(b) = n {
            // Untyped filters are empty already.
            if b.ty.is_some() {
                b.filter.clear();
            }
        }
    });
    Ok(Value::Void)
}

fn bloom_pair(it: &mut Interp, args: &[Value]) -> Option<(BloomVal, BloomVal)> {
    match (
        native_clone(it, &arg(args, 0))?,
        native_clone(it, &arg(args, 1))?,
    ) {
        (Native::Bloom(a), Native::Bloom(b)) => Some((a, b)),
        _ => None,
    }
}

/// The bif's own check before merging or intersecting: both typed with
/// different types.
fn bloom_types_clash(x: &BloomVal, y: &BloomVal) -> bool {
    match (&x.ty, &y.ty) {
        (Some(a), Some(b)) => !same_type(a, b),
        _ => false,
    }
}

fn bloomfilter_merge(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some((x, y)) = bloom_pair(it, args) else {
        return Err(it.no_value());
    };
    if bloom_types_clash(&x, &y) {
        reporter::error(it, site, "incompatible Bloom filter types");
        return Err(it.no_value());
    }
    if x.filter.is_basic() != y.filter.is_basic() {
        reporter::error(it, site, "cannot merge different Bloom filter types");
        return Err(it.no_value());
    }
    let mut copy = x.filter.clone();
    if let Err(msg) = copy.merge(&y.filter) {
        reporter::error(it, site, &msg);
        reporter::error(it, site, "failed to merge Bloom filter");
        return Err(it.no_value());
    }
    let ty = x.ty.or(y.ty);
    Ok(new_bloom(it, copy, ty))
}

fn bloomfilter_intersect(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some((x, y)) = bloom_pair(it, args) else {
        return Err(it.no_value());
    };
    if bloom_types_clash(&x, &y) {
        reporter::error(it, site, "incompatible Bloom filter types");
        return Err(it.no_value());
    }
    if x.filter.is_basic() != y.filter.is_basic() {
        reporter::error(it, site, "cannot intersect different Bloom filter types");
        return Err(it.no_value());
    }
    let filter = match x.filter.intersect(&y.filter) {
        Ok(f) => f,
        Err(msg) => {
            reporter::error(it, site, &msg);
            reporter::error(it, site, "failed to intersect Bloom filter");
            return Err(it.no_value());
        }
    };
    let ty = x.ty.or(y.ty);
    Ok(new_bloom(it, filter, ty))
}

fn bloomfilter_internal_state(
    it: &mut Interp,
    args: &mut [Value],
    _site: &CallSite<'_>,
) -> RtResult {
    let r = with_native(it, &arg(args, 0), |_, n| match n {
        Native::Bloom(b) => b.filter.internal_state().to_string(),
        _ => String::new(),
    });
    Ok(Value::str(r.unwrap_or_default().as_bytes()))
}

// ------------------------------------------------------------ HyperLogLog

/// `CardinalityCounter`.
#[derive(Clone, Debug, PartialEq)]
struct Counter {
    /// Number of buckets, a power of two, and its log2.
    m: u64,
    p: u32,
    /// Number of buckets still 0.
    v: u64,
    alpha_m: f64,
    buckets: Vec<u8>,
}

/// `CardinalityCounter::OptimalB`: the smallest number of index bits whose
/// standard error, stretched to the confidence level, stays within the
/// error margin.
fn optimal_b(error: f64, confidence: f64) -> i32 {
    let initial = 2.0 * (1.04f64.ln() - error.ln()) / std::f64::consts::LN_2;
    let mut answer = initial.floor() as i32;
    loop {
        answer = answer.wrapping_add(1);
        let k = 2f64.powf((f64::from(answer) - initial) / 2.0);
        if erf(k / std::f64::consts::SQRT_2) >= confidence {
            return answer;
        }
    }
}

impl Counter {
    /// `CardinalityCounter::Init`; `Err` is Zeek's internal error.
    fn new(m: u64) -> Result<Counter, String> {
        let alpha_m = match m {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            m if m >= 128 => 0.7213 / (1.0 + 1.079 / m as f64),
            _ => {
                return Err(format!(
                    "Invalid size {m}. Size either has to be 16, 32, 64 or bigger than 128"
                ))
            }
        };
        let p = (m as f64).log2();
        if p.trunc() != p {
            return Err(format!(
                "Invalid size {m}. Size either has to be a power of 2"
            ));
        }
        Ok(Counter {
            m,
            p: p as u32,
            v: m,
            alpha_m,
            buckets: vec![0; m as usize],
        })
    }

    /// `CardinalityCounter::Rank`: the position of the highest set bit
    /// above the index bits, counted from the top.
    fn rank(&self, hash: u64) -> u8 {
        let h = hash >> self.p;
        let fls = 64 - h.leading_zeros();
        (64 - self.p as i64 - i64::from(fls) + 1) as u8
    }

    fn add(&mut self, hash: u64) {
        let index = hash % self.m;
        let hash = hash - index;
        let i = index as usize;
        if self.buckets[i] == 0 {
            self.v = self.v.wrapping_sub(1);
        }
        let r = self.rank(hash);
        if r > self.buckets[i] {
            self.buckets[i] = r;
        }
    }

    /// `CardinalityCounter::Size`: the raw estimate, with linear counting
    /// for small and the 64-bit correction for huge cardinalities.
    fn size(&self) -> f64 {
        let mut answer = 0.0;
        for &b in &self.buckets {
            answer += 2f64.powi(-i32::from(b));
        }
        answer = 1.0 / answer;
        let m = self.m as f64;
        answer *= self.alpha_m * m * m;
        if answer <= 5.0 * (m / 2.0) {
            m * (m / self.v as f64).ln()
        } else if answer <= 2f64.powi(64) / 30.0 {
            answer
        } else {
            -(2f64.powi(64)) * (1.0 - answer / 2f64.powi(64)).ln()
        }
    }

    fn merge(&mut self, other: &Counter) -> bool {
        if self.m != other.m {
            return false;
        }
        self.v = 0;
        for (a, &b) in self.buckets.iter_mut().zip(&other.buckets) {
            if b > *a {
                *a = b;
            }
            if *a == 0 {
                self.v += 1;
            }
        }
        true
    }
}

/// `CardinalityVal`: the counter and its element type.
#[derive(Clone, Debug)]
struct CardVal {
    counter: Counter,
    ty: Option<TypeRef>,
}

fn hll_cardinality_init(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let err = args.first().map_or(0.0, Value::as_double);
    let confidence = args.get(1).map_or(0.0, Value::as_double);
    let b = optimal_b(err, confidence);
    let counter = match Counter::new(2f64.powi(b) as u64) {
        Ok(c) => c,
        Err(msg) => reporter::internal_error(it, &msg),
    };
    Ok(new_opaque(
        it,
        "cardinality",
        Native::Card(CardVal { counter, ty: None }),
    ))
}

fn hll_cardinality_add(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let x = arg(args, 1);
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Card(c) = n else { return false };
        let xt = type_of(it, &x);
        match &c.ty {
            None => c.ty = Some(xt),
            Some(t) if same_type(t, &xt) => {}
            Some(_) => {
                reporter::error(it, site, "incompatible HLL data type");
                return false;
            }
        }
        let hash = zest_dict::global_hasher().hash(&key_bytes(&x));
        c.counter.add(hash);
        true
    });
    Ok(Value::Bool(r.unwrap_or(false)))
}

fn hll_cardinality_merge_into(
    it: &mut Interp,
    args: &mut [Value],
    site: &CallSite<'_>,
) -> RtResult {
    let Some(Native::Card(other)) = native_clone(it, &arg(args, 1)) else {
        return Ok(Value::Bool(false));
    };
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Card(c) = n else { return false };
        if let (Some(a), Some(b)) = (&c.ty, &other.ty) {
            if !Rc::ptr_eq(a, b) && !same_type(a, b) {
                reporter::error(it, site, "incompatible HLL types");
                return false;
            }
        }
        if !c.counter.merge(&other.counter) {
            reporter::error(
                it,
                site,
                "Cardinality counters with different parameters cannot be merged",
            );
            return false;
        }
        true
    });
    Ok(Value::Bool(r.unwrap_or(false)))
}

fn hll_cardinality_estimate(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = with_native(it, &arg(args, 0), |_, n| match n {
        Native::Card(c) => c.counter.size(),
        _ => 0.0,
    });
    Ok(Value::Double(r.unwrap_or(0.0)))
}

/// A copy of the counter in a new, untyped handle.
fn hll_cardinality_copy(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let Some(Native::Card(c)) = native_clone(it, &arg(args, 0)) else {
        return Err(it.no_value());
    };
    Ok(new_opaque(
        it,
        "cardinality",
        Native::Card(CardVal {
            counter: c.counter,
            ty: None,
        }),
    ))
}

// ------------------------------------------------------------ erf

/// The error function, computed as fdlibm's `s_erf.c` (which glibc uses):
/// rational approximations on [0, 0.84375), [0.84375, 1.25), and via
/// `exp` up to 6, where the result is 1 to double precision.
#[allow(clippy::excessive_precision)] // fdlibm's published constants
fn erf(x: f64) -> f64 {
    const ERX: f64 = 8.45062911510467529297e-01;
    const EFX: f64 = 1.28379167095512586316e-01;
    const PP: [f64; 5] = [
        1.28379167095512558561e-01,
        -3.25042107247001499370e-01,
        -2.84817495755985104766e-02,
        -5.77027029648944159157e-03,
        -2.37630166566501626084e-05,
    ];
    const QQ: [f64; 5] = [
        3.97917223959155352819e-01,
        6.50222499887672944485e-02,
        5.08130628187576562776e-03,
        1.32494738004321644526e-04,
        -3.96022827877536812320e-06,
    ];
    const PA: [f64; 7] = [
        -2.36211856075265944077e-03,
        4.14856118683748331666e-01,
        -3.72207876035701323847e-01,
        3.18346619901161753674e-01,
        -1.10894694282396677476e-01,
        3.54783043256182359371e-02,
        -2.16637559486879084300e-03,
    ];
    const QA: [f64; 6] = [
        1.06420880400844228286e-01,
        5.40397917702171048937e-01,
        7.18286544141962662868e-02,
        1.26171219808761642112e-01,
        1.36370839120290507362e-02,
        1.19844998467991074170e-02,
    ];
    const RA: [f64; 8] = [
        -9.86494403484714822705e-03,
        -6.93858572707181764372e-01,
        -1.05586262253232909814e+01,
        -6.23753324503260060396e+01,
        -1.62396669462573470355e+02,
        -1.84605092906711035994e+02,
        -8.12874355063065934246e+01,
        -9.81432934416914548592e+00,
    ];
    const SA: [f64; 8] = [
        1.96512716674392571292e+01,
        1.37657754143519042600e+02,
        4.34565877475229228821e+02,
        6.45387271733267880336e+02,
        4.29008140027567833386e+02,
        1.08635005541779435134e+02,
        6.57024977031928170135e+00,
        -6.04244152148580987438e-02,
    ];
    const RB: [f64; 7] = [
        -9.86494292470009928597e-03,
        -7.99283237680523006574e-01,
        -1.77579549177547519889e+01,
        -1.60636384855821916062e+02,
        -6.37566443368389627722e+02,
        -1.02509513161107724954e+03,
        -4.83519191608651397019e+02,
    ];
    const SB: [f64; 7] = [
        3.03380607434824582924e+01,
        3.25792512996573918826e+02,
        1.53672958608443695994e+03,
        3.19985821950859553908e+03,
        2.55305040643316442583e+03,
        4.74528541206955367215e+02,
        -2.24409524465858183362e+01,
    ];
    /// `c0 + z·(c1 + z·(c2 + …))`.
    fn horner(z: f64, c: &[f64]) -> f64 {
        c.iter().rev().fold(0.0, |acc, &k| k + z * acc)
    }
    /// `1 + z·(c0 + z·(c1 + …))`.
    fn horner1(z: f64, c: &[f64]) -> f64 {
        1.0 + z * horner(z, c)
    }

    if x.is_nan() {
        return x;
    }
    let neg = x.is_sign_negative();
    let ax = x.abs();
    if ax.is_infinite() {
        return if neg { -1.0 } else { 1.0 };
    }
    let hi = (ax.to_bits() >> 32) as u32;
    if hi < 0x3feb_0000 {
        // |x| < 0.84375
        if hi < 0x3e30_0000 {
            return x + EFX * x;
        }
        let z = x * x;
        let y = horner(z, &PP) / horner1(z, &QQ);
        return x + x * y;
    }
    if hi < 0x3ff4_0000 {
        // 0.84375 <= |x| < 1.25
        let s = ax - 1.0;
        let p = horner(s, &PA);
        let q = horner1(s, &QA);
        return if neg { -ERX - p / q } else { ERX + p / q };
    }
    if hi >= 0x4018_0000 {
        // |x| >= 6
        return if neg { -1.0 } else { 1.0 };
    }
    let s = 1.0 / (ax * ax);
    let (r, q) = if hi < 0x4006_db6e {
        (horner(s, &RA), horner1(s, &SA))
    } else {
        (horner(s, &RB), horner1(s, &SB))
    };
    // z: |x| with the low 32 bits of its representation cleared.
    let z = f64::from_bits(ax.to_bits() & 0xffff_ffff_0000_0000);
    let e = (-z * z - 0.5625).exp() * ((z - ax) * (z + ax) + r / q).exp();
    if neg {
        e / ax - 1.0
    } else {
        1.0 - e / ax
    }
}

// ------------------------------------------------------------ top-k

#[derive(Clone, Debug)]
struct Elem {
    value: Value,
    epsilon: u64,
    /// The count of the element's bucket (counts are unique per bucket).
    count: u64,
}

#[derive(Clone, Debug)]
struct Bucket {
    count: u64,
    /// Element keys in list order.
    elements: Vec<Vec<u8>>,
}

/// `TopkVal`: buckets in ascending count order, each with its elements in
/// insertion order.
#[derive(Clone, Debug)]
struct Topk {
    size: u64,
    ty: Option<TypeRef>,
    buckets: Vec<Bucket>,
    elements: FxHashMap<Vec<u8>, Elem>,
    num_elements: u64,
    pruned: bool,
}

impl Topk {
    fn new(size: u64) -> Topk {
        Topk {
            size,
            ty: None,
            buckets: Vec::new(),
            elements: FxHashMap::default(),
            num_elements: 0,
            pruned: false,
        }
    }

    fn bucket_of(&self, key: &[u8]) -> Option<usize> {
        let count = self.elements.get(key)?.count;
        self.buckets.binary_search_by_key(&count, |b| b.count).ok()
    }

    /// `TopkVal::IncrementCounter`: moves the element of `key` from bucket
    /// `from` to the bucket for its count plus `by` (created in place if
    /// missing), appending it there; an emptied bucket disappears.
    fn increment(&mut self, from: usize, key: &[u8], by: u64) {
        let target = self.buckets[from].count + by;
        let mut pos = from + 1;
        while pos < self.buckets.len() && self.buckets[pos].count < target {
            pos += 1;
        }
        if !(pos < self.buckets.len() && self.buckets[pos].count == target) {
            self.buckets.insert(
                pos,
                Bucket {
                    count: target,
                    elements: Vec::new(),
                },
            );
        }
        if let Some(i) = self.buckets[from].elements.iter().position(|k| k == key) {
            self.buckets[from].elements.remove(i);
        }
        self.buckets[pos].elements.push(key.to_vec());
        if let Some(e) = self.elements.get_mut(key) {
            e.count = target;
        }
        if self.buckets[from].elements.is_empty() {
            self.buckets.remove(from);
        }
    }

    /// `TopkVal::Encountered`; `Err` is the error Zeek reports.
    fn encountered(&mut self, value: Value, ty: TypeRef) -> Result<(), &'static str> {
        if self.num_elements == 0 {
            self.ty = Some(ty);
        } else if !self.ty.as_ref().is_some_and(|t| same_type(t, &ty)) {
            return Err("Trying to add element to topk with differing type from other elements");
        }
        let key = key_bytes(&value);
        if !self.elements.contains_key(&key) {
            if self.num_elements < self.size {
                if self.buckets.first().is_none_or(|b| b.count > 1) {
                    self.buckets.insert(
                        0,
                        Bucket {
                            count: 1,
                            elements: Vec::new(),
                        },
                    );
                }
                self.buckets[0].elements.push(key.clone());
                self.elements.insert(
                    key,
                    Elem {
                        value,
                        epsilon: 0,
                        count: 1,
                    },
                );
                self.num_elements += 1;
                return Ok(());
            }
            // Full: the oldest element with the fewest hits makes room,
            // and the newcomer inherits its count as error bound.
            let Some(b) = self.buckets.first_mut() else {
                return Ok(());
            };
            if !b.elements.is_empty() {
                let old = b.elements.remove(0);
                self.elements.remove(&old);
            }
            let epsilon = b.count;
            b.elements.push(key.clone());
            self.elements.insert(
                key.clone(),
                Elem {
                    value,
                    epsilon,
                    count: epsilon,
                },
            );
        }
        if let Some(from) = self.bucket_of(&key) {
            self.increment(from, &key, 1);
        }
        Ok(())
    }

    /// `TopkVal::Merge`; `Err` is the error Zeek reports.
    fn merge(&mut self, other: &Topk, prune: bool) -> Result<(), &'static str> {
        let Some(oty) = &other.ty else {
            return Ok(());
        };
        match &self.ty {
            None => self.ty = Some(oty.clone()),
            Some(t) if same_type(t, oty) => {}
            Some(_) => return Err("Cannot merge top-k elements of differing types."),
        }
        for b in &other.buckets {
            for key in &b.elements {
                let Some(e) = other.elements.get(key) else {
                    continue;
                };
                if !self.elements.contains_key(key) {
                    self.buckets.insert(
                        0,
                        Bucket {
                            count: 0,
                            elements: vec![key.clone()],
                        },
                    );
                    self.elements.insert(
                        key.clone(),
                        Elem {
                            value: e.value.clone(),
                            epsilon: 0,
                            count: 0,
                        },
                    );
                    self.num_elements += 1;
                }
                if let Some(mine) = self.elements.get_mut(key) {
                    mine.epsilon += e.epsilon;
                }
                if let Some(from) = self.bucket_of(key) {
                    self.increment(from, key, b.count);
                }
            }
        }
        if !prune {
            return Ok(());
        }
        while self.num_elements > self.size {
            self.pruned = true;
            let Some(b) = self.buckets.first_mut() else {
                break;
            };
            if !b.elements.is_empty() {
                let old = b.elements.remove(0);
                self.elements.remove(&old);
            }
            if b.elements.is_empty() {
                self.buckets.remove(0);
            }
            self.num_elements -= 1;
        }
        Ok(())
    }

    /// `TopkVal::GetTopK`: whole buckets from the highest count down until
    /// at least `k` elements were taken.
    fn top(&self, k: u64) -> Vec<Value> {
        let mut out = Vec::new();
        for b in self.buckets.iter().rev() {
            if out.len() as u64 >= k {
                break;
            }
            for key in &b.elements {
                if let Some(e) = self.elements.get(key) {
                    out.push(e.value.clone());
                }
            }
        }
        out
    }

    fn sum(&self) -> u64 {
        self.buckets
            .iter()
            .map(|b| (b.elements.len() as u64).wrapping_mul(b.count))
            .fold(0, u64::wrapping_add)
    }
}

fn topk_init(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let size = args.first().map_or(0, Value::as_count);
    Ok(new_opaque(it, "topk", Native::Topk(Topk::new(size))))
}

fn topk_add(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let x = arg(args, 1);
    let ty = type_of(it, &x);
    with_native(it, &arg(args, 0), |it, n| {
        if let Native::Topk(t) = n {
            if let Err(msg) = t.encountered(x, ty) {
                reporter::error(it, site, msg);
            }
        }
    });
    Ok(Value::Void)
}

fn topk_get_top(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let k = args.get(1).map_or(0, Value::as_count);
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Topk(t) = n else { return None };
        if t.num_elements == 0 {
            reporter::error(it, site, "Cannot return topk of empty");
            return None;
        }
        let ty = t.ty.clone().unwrap_or_else(|| it.prog.base.any.clone());
        Some((ty, t.top(k)))
    });
    let Some(Some((ty, items))) = r else {
        return Err(it.no_value());
    };
    Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: Type::new(TypeKind::Vector(ty)),
        items: items.into_iter().map(Some).collect(),
    }))))
}

/// `GetCount` / `GetEpsilon`: the element's count or error bound, or an
/// error and 0 for an element that is not tracked.
fn topk_lookup(it: &mut Interp, args: &[Value], site: &CallSite<'_>, epsilon: bool) -> RtResult {
    let x = arg(args, 1);
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Topk(t) = n else { return 0 };
        let key = key_bytes(&x);
        match (t.elements.get(&key), t.bucket_of(&key)) {
            (Some(e), Some(b)) => {
                if epsilon {
                    e.epsilon
                } else {
                    t.buckets[b].count
                }
            }
            _ => {
                let what = if epsilon { "GetEpsilon" } else { "GetCount" };
                reporter::error(
                    it,
                    site,
                    &format!("{what} for element that is not in top-k"),
                );
                0
            }
        }
    });
    Ok(Value::Count(r.unwrap_or(0)))
}

fn topk_count(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    topk_lookup(it, args, site, false)
}

fn topk_epsilon(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    topk_lookup(it, args, site, true)
}

fn topk_size(it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = with_native(it, &arg(args, 0), |_, n| match n {
        Native::Topk(t) => t.size,
        _ => 0,
    });
    Ok(Value::Count(r.unwrap_or(0)))
}

fn topk_sum(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let r = with_native(it, &arg(args, 0), |it, n| {
        let Native::Topk(t) = n else { return 0 };
        let sum = t.sum();
        if t.pruned {
            reporter::warning(
                it,
                site,
                "TopkVal::GetSum() was used on a pruned data structure. Result values do not represent total element count",
            );
        }
        sum
    });
    Ok(Value::Count(r.unwrap_or(0)))
}

fn topk_merge_impl(it: &mut Interp, args: &[Value], site: &CallSite<'_>, prune: bool) -> RtResult {
    let Some(Native::Topk(other)) = native_clone(it, &arg(args, 1)) else {
        return Ok(Value::Void);
    };
    with_native(it, &arg(args, 0), |it, n| {
        if let Native::Topk(t) = n {
            if let Err(msg) = t.merge(&other, prune) {
                reporter::error(it, site, msg);
            }
        }
    });
    Ok(Value::Void)
}

fn topk_merge(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    topk_merge_impl(it, args, site, false)
}

fn topk_merge_prune(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    topk_merge_impl(it, args, site, true)
}

// ------------------------------------------------------------ serialization

/// The names Zeek registers these opaques under (`IMPLEMENT_OPAQUE_VALUE`).
pub const BLOOM_FILTER_VAL: &str = "BloomFilterVal";
pub const CARDINALITY_VAL: &str = "CardinalityVal";
pub const TOPK_VAL: &str = "TopkVal";

fn count_data(n: u64) -> Data {
    Data::Count(n)
}

fn as_count(d: &Data) -> Option<u64> {
    match d {
        Data::Count(c) => Some(*c),
        _ => None,
    }
}

fn as_vec(d: &Data) -> Option<&[Data]> {
    match d {
        Data::Vector(v) => Some(v),
        _ => None,
    }
}

/// The element type as `SerializeType` writes it, or `none`.
fn type_data(ty: &Option<TypeRef>) -> Option<Data> {
    match ty {
        Some(t) => serialize_type(t),
        None => Some(Data::None),
    }
}

/// The element type of a serialized opaque: `Ok(None)` for `none`.
fn data_type(it: &Interp, d: &Data) -> Option<Option<TypeRef>> {
    match d {
        Data::None => Some(None),
        d => unserialize_type(it, d).map(Some),
    }
}

impl Hasher {
    /// `Hasher::Serialize`: `[type, k, seed0, seed1]` (`Default` 0,
    /// `Double` 1).
    fn serialize(&self) -> Data {
        let (ty, k, seed) = match self {
            Hasher::Default { k, seed, .. } => (0, *k, *seed),
            Hasher::Double { k, seed, .. } => (1, *k, *seed),
        };
        Data::Vector(vec![
            count_data(ty),
            count_data(k as u64),
            count_data(seed[0]),
            count_data(seed[1]),
        ])
    }

    fn unserialize(d: &Data) -> Option<Hasher> {
        let [ty, k, s0, s1] = as_vec(d)? else {
            return None;
        };
        let k = usize::try_from(as_count(k)?).ok()?;
        let seed = [as_count(s0)?, as_count(s1)?];
        match as_count(ty)? {
            // Each function is made eagerly: refuse absurd counts.
            0 if k <= 1 << 16 => Some(Hasher::default_hasher(k, seed)),
            1 => Some(Hasher::double_hasher(k, seed)),
            _ => None,
        }
    }
}

impl BitVector {
    /// `BitVector::Serialize`: `[num_bits, blocks, block...]`.
    fn serialize(&self) -> Data {
        let mut v = Vec::with_capacity(2 + self.bits.len());
        v.push(count_data(self.num_bits as u64));
        v.push(count_data(self.bits.len() as u64));
        v.extend(self.bits.iter().map(|b| count_data(*b)));
        Data::Vector(v)
    }

    fn unserialize(d: &Data) -> Option<BitVector> {
        let v = as_vec(d)?;
        let num_bits = usize::try_from(as_count(v.first()?)?).ok()?;
        let blocks = usize::try_from(as_count(v.get(1)?)?).ok()?;
        if v.len() - 2 != blocks || blocks != num_bits.div_ceil(64) {
            return None;
        }
        let bits = v[2..].iter().map(as_count).collect::<Option<Vec<u64>>>()?;
        Some(BitVector { bits, num_bits })
    }
}

impl BloomFilter {
    /// `BloomFilter::Serialize`: `[type, hasher, cells]` (`Basic` 0,
    /// `Counting` 1; a counting filter's cells are `[width, bits]`).
    fn serialize(&self) -> Data {
        let (ty, cells) = match &self.cells {
            Cells::Basic(b) => (0, b.serialize()),
            Cells::Counting(c) => (
                1,
                Data::Vector(vec![count_data(c.width as u64), c.bits.serialize()]),
            ),
        };
        Data::Vector(vec![count_data(ty), self.hasher.serialize(), cells])
    }

    fn unserialize(d: &Data) -> Option<BloomFilter> {
        let [ty, hasher, cells] = as_vec(d)? else {
            return None;
        };
        let hasher = Hasher::unserialize(hasher)?;
        let cells = match as_count(ty)? {
            0 => Cells::Basic(BitVector::unserialize(cells)?),
            1 => {
                let v = as_vec(cells)?;
                let width = usize::try_from(as_count(v.first()?)?).ok()?;
                let bits = BitVector::unserialize(v.get(1)?)?;
                if width == 0 {
                    return None;
                }
                Cells::Counting(CounterVector { bits, width })
            }
            _ => return None,
        };
        Some(BloomFilter { hasher, cells })
    }
}

impl Counter {
    /// `CardinalityCounter::Serialize`: `[m, V, alpha_m, bucket...]`.
    fn serialize(&self) -> Data {
        let mut v = Vec::with_capacity(3 + self.buckets.len());
        v.push(count_data(self.m));
        v.push(count_data(self.v));
        v.push(Data::Real(self.alpha_m));
        v.extend(self.buckets.iter().map(|b| count_data(u64::from(*b))));
        Data::Vector(v)
    }

    fn unserialize(d: &Data) -> Option<Counter> {
        let v = as_vec(d)?;
        let m = as_count(v.first()?)?;
        let big_v = as_count(v.get(1)?)?;
        let Data::Real(alpha_m) = v.get(2)? else {
            return None;
        };
        // Bucket indexes are `hash % m`, ranks shift by log2(m).
        if !m.is_power_of_two() || v.len() as u64 - 3 != m {
            return None;
        }
        let buckets = v[3..]
            .iter()
            .map(|x| as_count(x).map(|b| b as u8))
            .collect::<Option<Vec<u8>>>()?;
        Some(Counter {
            m,
            p: m.trailing_zeros(),
            v: big_v,
            alpha_m: *alpha_m,
            buckets,
        })
    }
}

impl Topk {
    /// `TopkVal::DoSerialize`: `[size, elements, pruned, type]`, then per
    /// bucket (ascending) its element count and count, then per element
    /// its epsilon and value.
    fn serialize(&self, it: &mut Interp) -> Option<Data> {
        let mut d = vec![
            count_data(self.size),
            count_data(self.num_elements),
            Data::Bool(self.pruned),
            type_data(&self.ty)?,
        ];
        for b in &self.buckets {
            d.push(count_data(b.elements.len() as u64));
            d.push(count_data(b.count));
            for key in &b.elements {
                let e = self.elements.get(key)?;
                d.push(count_data(e.epsilon));
                d.push(val_to_data(it, &e.value)?);
            }
        }
        Some(Data::Vector(d))
    }

    fn unserialize(it: &mut Interp, d: &Data) -> Option<Topk> {
        let v = as_vec(d)?;
        if v.len() < 4 {
            return None;
        }
        let mut t = Topk::new(as_count(&v[0])?);
        t.num_elements = as_count(&v[1])?;
        let Data::Bool(pruned) = v[2] else {
            return None;
        };
        t.pruned = pruned;
        t.ty = data_type(it, &v[3])?;
        let mut rest = v[4..].iter();
        let mut n = 0;
        while n < t.num_elements {
            let elements = as_count(rest.next()?)?;
            let count = as_count(rest.next()?)?;
            let mut bucket = Bucket {
                count,
                elements: Vec::new(),
            };
            for _ in 0..elements {
                let epsilon = as_count(rest.next()?)?;
                let value = data_to_val(it, rest.next()?, t.ty.as_ref()?)?;
                let key = key_bytes(&value);
                if t.elements.contains_key(&key) {
                    return None;
                }
                bucket.elements.push(key.clone());
                t.elements.insert(
                    key,
                    Elem {
                        value,
                        epsilon,
                        count,
                    },
                );
                n += 1;
            }
            t.buckets.push(bucket);
        }
        Some(t)
    }
}

/// `OpaqueVal::Serialize` of a Bloom filter, cardinality counter or top-k
/// handle: `[type id, state]`; `None` for other values or when the state
/// cannot be serialized.
pub fn serialize(it: &mut Interp, v: &Value) -> Option<Data> {
    let (name, state) = match native_clone(it, v)? {
        Native::Bloom(b) => (
            BLOOM_FILTER_VAL,
            Data::Vector(vec![type_data(&b.ty)?, b.filter.serialize()]),
        ),
        Native::Card(c) => (
            CARDINALITY_VAL,
            Data::Vector(vec![type_data(&c.ty)?, c.counter.serialize()]),
        ),
        Native::Topk(t) => (TOPK_VAL, t.serialize(it)?),
    };
    Some(Data::Vector(vec![Data::string(name), state]))
}

/// `OpaqueVal::Unserialize` for the type ids of [`serialize`]: `None` for
/// another id or a malformed state.
pub fn unserialize(it: &mut Interp, name: &[u8], state: &Data) -> Option<Value> {
    let (ty_name, native) = match name {
        n if n == BLOOM_FILTER_VAL.as_bytes() => {
            let [ty, filter] = as_vec(state)? else {
                return None;
            };
            let ty = data_type(it, ty)?;
            let filter = BloomFilter::unserialize(filter)?;
            ("bloomfilter", Native::Bloom(BloomVal { filter, ty }))
        }
        n if n == CARDINALITY_VAL.as_bytes() => {
            let [ty, counter] = as_vec(state)? else {
                return None;
            };
            let ty = data_type(it, ty)?;
            let counter = Counter::unserialize(counter)?;
            ("cardinality", Native::Card(CardVal { counter, ty }))
        }
        n if n == TOPK_VAL.as_bytes() => ("topk", Native::Topk(Topk::unserialize(it, state)?)),
        _ => return None,
    };
    Some(new_opaque(it, ty_name, native))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bifs/bloomfilter.zeek`'s parameters (`BasicBloomFilter::M`/`K` of
    /// BloomFilter.cc): the cell and hash-function counts it creates.
    #[test]
    fn bloom_parameters() {
        // (fp, capacity) -> (cells, k), from the formulas of BloomFilter.cc.
        let cases: &[(f64, u64, usize, usize)] = &[
            (0.1, 1000, 4793, 4),
            (0.9, 10, 3, 1),
            (0.000000000001, 1, 58, 41),
            (0.9999999, 1, 1, 1),
        ];
        for &(fp, cap, cells, k) in cases {
            assert_eq!(optimal_cells(fp, cap), cells, "{fp} {cap}");
            assert_eq!(optimal_k(cells, cap), k, "{fp} {cap}");
        }
        // bloomfilter_counting_init's `max` → counter width.
        for (max, width) in [(1u64, 1usize), (2, 2), (3, 2), (4, 3), (255, 8), (256, 9)] {
            assert_eq!(counter_width(max), width, "{max}");
        }
    }

    /// `bifs/bloomfilter-seed.zeek`: `bloomfilter_basic_init(0.9, 10,
    /// "my_seed")` with "foo" and "bar" added, and the same with
    /// `Foo($a=1, $b="xx")`, `Foo($a=2, $b="yy")` (record `{a: count; b:
    /// string}`), have the internal states of the baseline.
    #[test]
    fn bloom_seed_baseline() {
        let new_filter = || {
            let cells = optimal_cells(0.9, 10);
            BloomFilter {
                hasher: Hasher::double_hasher(optimal_k(cells, 10), digest_seed(b"my_seed")),
                cells: Cells::Basic(BitVector::new(cells)),
            }
        };
        let mut strings = new_filter();
        strings.add(&key_bytes(&Value::str(b"foo")));
        strings.add(&key_bytes(&Value::str(b"bar")));
        assert_eq!(strings.internal_state(), 4955302038280957656);
        let mut records = new_filter();
        for (a, b) in [(1u64, &b"xx"[..]), (2, &b"yy"[..])] {
            let mut kb = KeyBuf::new();
            kb.write_count(a);
            kb.write_string(b);
            records.add(kb.bytes());
        }
        assert_eq!(records.internal_state(), 11260532077783130352);
    }

    /// The counting-filter cells of `bifs/bloomfilter.zeek`: 2-bit
    /// counters saturate at 3 ("still 3") and decrement back to 0.
    #[test]
    fn counter_cells() {
        let mut c = CounterVector::new(2, 4);
        let seen: Vec<u64> = (0..4)
            .map(|_| {
                c.increment(1);
                c.count(1)
            })
            .collect();
        assert_eq!(seen, [1, 2, 3, 3]);
        c.decrement(1);
        assert_eq!(c.count(1), 2);
        c.decrement(1);
        c.decrement(1);
        assert_eq!(c.count(1), 0);
        assert_eq!(c.count(0), 0);
    }

    /// `Topk.cc`'s stream summary against `bifs/topk.zeek`'s first block:
    /// size 2, adds a b b c → top `[b, c]`, sum 4, c counted 2 with error
    /// 1; then d → `[d, c]`, sum 5.
    #[test]
    fn topk_baseline() {
        let s = |x: &str| Value::str(x.as_bytes());
        let ty = Type::new(TypeKind::String);
        let mut t = Topk::new(2);
        for x in ["a", "b", "b", "c"] {
            t.encountered(s(x), ty.clone()).unwrap();
        }
        let names =
            |t: &Topk| -> Vec<Vec<u8>> { t.top(5).iter().map(|v| v.as_bytes().to_vec()).collect() };
        assert_eq!(names(&t), [b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(t.sum(), 4);
        let key = key_bytes(&s("c"));
        assert_eq!(t.buckets[t.bucket_of(&key).unwrap()].count, 2);
        assert_eq!(t.elements[&key].epsilon, 1);
        t.encountered(s("d"), ty.clone()).unwrap();
        assert_eq!(names(&t), [b"d".to_vec(), b"c".to_vec()]);
        assert_eq!(t.sum(), 5);
        let key = key_bytes(&s("d"));
        assert_eq!(t.buckets[t.bucket_of(&key).unwrap()].count, 3);
        assert_eq!(t.elements[&key].epsilon, 2);
    }

    /// `CardinalityCounter::OptimalB`: `bifs/hll_cardinality.zeek` uses
    /// (0.01, 0.95), whose 13 elements print 13.00129 — linear counting
    /// over 2^16 buckets; `hll_large_estimate` uses (0.1, 1.0).
    #[test]
    fn hll_bucket_counts() {
        assert_eq!(optimal_b(0.01, 0.95), 16);
        let mut c = Counter::new(1 << 16).unwrap();
        for i in 0..13u64 {
            c.add(i << 40 | i);
        }
        assert_eq!(format!("{:.5}", c.size()), "13.00129");
        assert!(Counter::new(8).is_err());
        assert!(Counter::new(48).is_err());
    }

    /// `language/copy-all-opaques.zeek`: copies are independent of their
    /// originals (top-k `[b, a, c]` twice; the Bloom filter copy does not
    /// see 0 added later, keeps 42, and keeps its type: adding 0.5 is
    /// "incompatible").
    /// Every structure survives `OpaqueVal::Serialize`/`Unserialize`
    /// with its state, element type and Zeek's layout.
    #[test]
    fn serialization_round_trips() {
        let mut it = Interp::new(zest_runtime::Program::new());
        let site = CallSite {
            loc: zest_runtime::ir::Loc::default(),
            expr: None,
        };
        let s = |x: &str| Value::str(x.as_bytes());
        let round = |it: &mut Interp, v: &Value| -> Value {
            let d = serialize(it, v).expect("serializable");
            let [Data::String(name), state] = d.as_vector().unwrap().as_slice() else {
                panic!("not [type id, state]: {d:?}");
            };
            unserialize(it, name, state).expect("unserializable")
        };

        // Top-k: buckets, counts and the element type.
        let k1 = topk_init(&mut it, &mut [Value::Count(4)], &site).unwrap();
        for x in ["a", "b", "b", "c"] {
            topk_add(&mut it, &mut [k1.clone(), s(x)], &site).unwrap();
        }
        let d = serialize(&mut it, &k1).unwrap();
        let state = &d.as_vector().unwrap()[1];
        assert_eq!(
            state.as_vector().unwrap()[..4],
            [
                Data::Count(4),
                Data::Count(3),
                Data::Bool(false),
                Data::Vector(vec![Data::Bool(false), Data::Count(7)]),
            ]
        );
        let k2 = round(&mut it, &k1);
        let count = |it: &mut Interp, k: &Value, x: &str| {
            topk_count(it, &mut [k.clone(), s(x)], &site)
                .unwrap()
                .as_count()
        };
        assert_eq!(count(&mut it, &k2, "b"), 2);
        assert_eq!(count(&mut it, &k2, "c"), 1);
        assert_eq!(serialize(&mut it, &k2), serialize(&mut it, &k1));

        // Cardinality counter: same estimate, still typed.
        let c1 = hll_cardinality_init(
            &mut it,
            &mut [Value::Double(0.01), Value::Double(0.95)],
            &site,
        )
        .unwrap();
        for x in [2001, 2002, 2003] {
            hll_cardinality_add(&mut it, &mut [c1.clone(), Value::Count(x)], &site).unwrap();
        }
        let c2 = round(&mut it, &c1);
        let est = |it: &mut Interp, c: &Value| {
            hll_cardinality_estimate(it, &mut [c.clone()], &site)
                .unwrap()
                .as_double()
        };
        assert_eq!(est(&mut it, &c2), est(&mut it, &c1));
        let errors = it.error_count;
        hll_cardinality_add(&mut it, &mut [c2.clone(), s("x")], &site).unwrap();
        assert_eq!(it.error_count, errors + 1);

        // Bloom filters, basic and counting, with their hashers' seeds.
        for counting in [false, true] {
            let bf = if counting {
                bloomfilter_counting_init(
                    &mut it,
                    &mut [
                        Value::Count(3),
                        Value::Count(64),
                        Value::Count(3),
                        s("seed"),
                    ],
                    &site,
                )
            } else {
                bloomfilter_basic_init(
                    &mut it,
                    &mut [Value::Double(0.1), Value::Count(1000), s("")],
                    &site,
                )
            }
            .unwrap();
            for x in [42, 84, 84] {
                bloomfilter_add(&mut it, &mut [bf.clone(), Value::Count(x)], &site).unwrap();
            }
            let copy = round(&mut it, &bf);
            let lookup = |it: &mut Interp, f: &Value, x: u64| {
                bloomfilter_lookup(it, &mut [f.clone(), Value::Count(x)], &site)
                    .unwrap()
                    .as_count()
            };
            for x in [0, 42, 84] {
                assert_eq!(lookup(&mut it, &copy, x), lookup(&mut it, &bf, x));
            }
            assert_eq!(serialize(&mut it, &copy), serialize(&mut it, &bf));
        }

        // Malformed states are refused.
        assert!(unserialize(&mut it, b"TopkVal", &Data::Vector(vec![])).is_none());
        assert!(unserialize(&mut it, b"CardinalityVal", &Data::Count(1)).is_none());
        let bad_counter = Data::Vector(vec![
            Data::None,
            Data::Vector(vec![Data::Count(3), Data::Count(3), Data::Real(0.7)]),
        ]);
        assert!(unserialize(&mut it, b"CardinalityVal", &bad_counter).is_none());
    }

    #[test]
    fn copies_are_independent() {
        let mut it = Interp::new(zest_runtime::Program::new());
        let site = CallSite {
            loc: zest_runtime::ir::Loc::default(),
            expr: None,
        };
        let s = |x: &str| Value::str(x.as_bytes());
        let k1 = topk_init(&mut it, &mut [Value::Count(4)], &site).unwrap();
        for x in ["a", "b", "b", "c"] {
            topk_add(&mut it, &mut [k1.clone(), s(x)], &site).unwrap();
        }
        let k2 = copy_opaque(&mut it, &k1).unwrap();
        topk_add(&mut it, &mut [k1.clone(), s("shoulnotshowup")], &site).unwrap();
        let top = |it: &mut Interp, k: &Value| -> Vec<Vec<u8>> {
            let Ok(Value::Vector(v)) = topk_get_top(it, &mut [k.clone(), Value::Count(5)], &site)
            else {
                panic!("no vector");
            };
            let items = v.borrow().items.clone();
            items
                .into_iter()
                .map(|x| x.unwrap().as_bytes().to_vec())
                .collect()
        };
        assert_eq!(
            top(&mut it, &k2),
            [b"b".to_vec(), b"a".to_vec(), b"c".to_vec()]
        );
        assert_eq!(top(&mut it, &k1).len(), 4);

        let bf = bloomfilter_basic_init(
            &mut it,
            &mut [Value::Double(0.1), Value::Count(1000), s("")],
            &site,
        )
        .unwrap();
        for x in [42, 84, 168] {
            bloomfilter_add(&mut it, &mut [bf.clone(), Value::Count(x)], &site).unwrap();
        }
        let copy = copy_opaque(&mut it, &bf).unwrap();
        bloomfilter_add(&mut it, &mut [bf.clone(), Value::Count(0)], &site).unwrap();
        let lookup = |it: &mut Interp, f: &Value, x: Value| {
            bloomfilter_lookup(it, &mut [f.clone(), x], &site)
                .unwrap()
                .as_count()
        };
        assert_eq!(lookup(&mut it, &bf, Value::Count(0)), 1);
        assert_eq!(lookup(&mut it, &copy, Value::Count(0)), 0);
        assert_eq!(lookup(&mut it, &copy, Value::Count(42)), 1);
        let errors = it.error_count;
        bloomfilter_add(&mut it, &mut [copy.clone(), Value::Double(0.5)], &site).unwrap();
        assert_eq!(it.error_count, errors + 1);
    }

    /// Reference values of the error function (Abramowitz & Stegun,
    /// table 7.1) and its limits.
    #[test]
    fn erf_values() {
        let cases: &[(f64, f64)] = &[
            (0.0, 0.0),
            (0.5, 0.520_499_877_8),
            (1.0, 0.842_700_792_9),
            (1.5, 0.966_105_146_5),
            (2.0, 0.995_322_265_0),
            (3.0, 0.999_977_909_5),
            (-1.0, -0.842_700_792_9),
        ];
        for &(x, want) in cases {
            assert!((erf(x) - want).abs() < 1e-9, "erf({x}) = {}", erf(x));
        }
        assert_eq!(erf(6.5), 1.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
    }
}
