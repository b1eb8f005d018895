//! Built-in functions of group `containers` (see lib.rs for the grouping):
//! the generic-programming part of `zeek.bif` (`clear_table`,
//! `table_values`, `table_keys`, `same_object`, `resize`, `any_set`,
//! `all_set`, `sort`, `order`) and `hrw_weight`.

use crate::support::builtin_error;
use crate::Bif;
use std::cell::RefCell;
use std::rc::Rc;
use zest_runtime::table::TableVal;
use zest_runtime::types::{same_type, Tag, Type, TypeKind, TypeRef};
use zest_runtime::value::VectorVal;
use zest_runtime::{CallSite, Interp, RtErr, RtResult, Value};

pub static BIFS: &[Bif] = &[
    Bif {
        name: "hrw_weight",
        signature: "function(key_digest: count, site_id: count): count",
        func: hrw_weight,
    },
    Bif {
        name: "clear_table",
        signature: "function(v: any): any",
        func: clear_table,
    },
    Bif {
        name: "table_values",
        signature: "function(t: any): vector of any",
        func: table_values,
    },
    Bif {
        name: "table_keys",
        signature: "function(t: any): any",
        func: table_keys,
    },
    Bif {
        name: "same_object",
        signature: "function(o1: any, o2: any): bool",
        func: same_object,
    },
    Bif {
        name: "resize",
        signature: "function(aggr: any, newsize: count): count",
        func: resize,
    },
    Bif {
        name: "any_set",
        signature: "function(v: any): bool",
        func: any_set,
    },
    Bif {
        name: "all_set",
        signature: "function(v: any): bool",
        func: all_set,
    },
    Bif {
        name: "sort",
        signature: "function(va_args: any): any",
        func: sort,
    },
    Bif {
        name: "order",
        signature: "function(va_args: any): vector of count",
        func: order,
    },
];

/// The weight function of the rendezvous-hashing paper, computed as the
/// C++ of `zeek.bif` does: 32-bit unsigned arithmetic, then `% 2**31`.
fn hrw_weight_of(key_digest: u64, site_id: u64) -> u64 {
    const A: u32 = 1_103_515_245;
    const B: u32 = 12_345;
    let d = (key_digest as u32) & 0x7fff_ffff;
    let si = site_id as u32;
    let inner = A.wrapping_mul(si).wrapping_add(B) ^ d;
    let r = A.wrapping_mul(inner).wrapping_add(B);
    u64::from(r) % 2_147_483_648
}

fn hrw_weight(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let d = args.first().map_or(0, Value::as_count);
    let s = args.get(1).map_or(0, Value::as_count);
    Ok(Value::Count(hrw_weight_of(d, s)))
}

fn arg_type(it: &Interp, args: &[Value], i: usize) -> Option<TypeRef> {
    args.get(i).map(|v| v.type_of(&it.prog.base))
}

fn clear_table(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    match args.first() {
        Some(Value::Table(t)) => t.borrow_mut().clear(),
        _ => builtin_error(
            it,
            site,
            "clear_table() requires a table/set argument",
            None,
        ),
    }
    Ok(Value::Void)
}

fn table_values(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let t = match args.first() {
        Some(Value::Table(t)) if !t.borrow().is_set() => t.clone(),
        _ => {
            builtin_error(it, site, "table_values() requires a table argument", None);
            return Ok(Value::Void);
        }
    };
    let tb = t.borrow();
    let yield_ty = tb
        .ty
        .yield_type()
        .cloned()
        .unwrap_or_else(|| it.prog.base.any.clone());
    let items = tb.dict.values().map(|e| e.val.clone()).collect::<Vec<_>>();
    Ok(Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: Type::new(TypeKind::Vector(yield_ty)),
        items,
    }))))
}

fn table_keys(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let t = match args.first() {
        Some(Value::Table(t)) if !t.borrow().is_set() => t.clone(),
        _ => {
            builtin_error(it, site, "table_keys() requires a table argument", None);
            return Ok(Value::Void);
        }
    };
    let tb = t.borrow();
    let index = tb
        .ty
        .table_index()
        .map(<[TypeRef]>::to_vec)
        .unwrap_or_default();
    let mut out = TableVal::new(Type::new(TypeKind::Table {
        index,
        yield_: None,
    }));
    for e in tb.dict.values() {
        out.insert(e.key.clone(), None);
    }
    Ok(Value::Table(Rc::new(RefCell::new(out))))
}

/// Whether two values are one object. Containers, strings, patterns,
/// functions, opaques and files compare by identity. Zeek's atomic values
/// (numbers, addresses, subnets, ports, enums) are immutable objects
/// that `copy()` and assignment share, so equal values of one type stand
/// for the same object.
fn is_same_object(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Count(x), Value::Count(y)) => x == y,
        (Value::Double(x), Value::Double(y))
        | (Value::Time(x), Value::Time(y))
        | (Value::Interval(x), Value::Interval(y)) => x.to_bits() == y.to_bits(),
        (Value::Port(x), Value::Port(y)) => x == y,
        (Value::Addr(x), Value::Addr(y)) => x == y,
        (Value::Subnet(x), Value::Subnet(y)) => x == y,
        (Value::Enum(tx, x), Value::Enum(ty, y)) => x == y && same_type(tx, ty),
        (Value::String(x), Value::String(y)) => Rc::ptr_eq(x, y),
        (Value::Pattern(x), Value::Pattern(y)) => {
            // A pattern shares its compiled texts; distinct patterns own theirs.
            std::ptr::eq(x.exact_text(), y.exact_text())
                && std::ptr::eq(x.anywhere_text(), y.anywhere_text())
        }
        (Value::Record(x), Value::Record(y)) => Rc::ptr_eq(x, y),
        (Value::Table(x), Value::Table(y)) => Rc::ptr_eq(x, y),
        (Value::Vector(x), Value::Vector(y)) => Rc::ptr_eq(x, y),
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) => Rc::ptr_eq(x, y),
        (Value::Type(x), Value::Type(y)) => Rc::ptr_eq(x, y),
        (Value::Opaque(x), Value::Opaque(y)) => Rc::ptr_eq(x, y),
        (Value::File(x), Value::File(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

fn same_object(_it: &mut Interp, args: &mut [Value], _site: &CallSite<'_>) -> RtResult {
    let r = match (args.first(), args.get(1)) {
        (Some(a), Some(b)) => is_same_object(a, b),
        _ => false,
    };
    Ok(Value::Bool(r))
}

fn resize(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let Some(Value::Vector(v)) = args.first() else {
        builtin_error(it, site, "resize() operates on vectors", None);
        return Ok(Value::Void);
    };
    // `VectorVal::Resize` takes an `unsigned int`.
    let n = args.get(1).map_or(0, Value::as_count) as u32 as usize;
    let mut vb = v.borrow_mut();
    let old = vb.items.len();
    vb.items.resize(n, None);
    Ok(Value::Count(old as u64))
}

/// The elements of a `vector of bool` argument (holes count as false), or
/// `None` after reporting the misuse.
fn bool_vector(
    it: &mut Interp,
    args: &[Value],
    site: &CallSite<'_>,
    name: &str,
) -> Option<Vec<bool>> {
    if let Some(Value::Vector(v)) = args.first() {
        let vb = v.borrow();
        if vb.ty.yield_type().is_some_and(|y| y.tag() == Tag::Bool) {
            return Some(
                vb.items
                    .iter()
                    .map(|x| x.as_ref().is_some_and(Value::as_bool))
                    .collect(),
            );
        }
    }
    builtin_error(it, site, &format!("{name}() requires vector of bool"), None);
    None
}

fn any_set(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let r = bool_vector(it, args, site, "any_set").is_some_and(|v| v.iter().any(|&b| b));
    Ok(Value::Bool(r))
}

fn all_set(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    let r = bool_vector(it, args, site, "all_set").is_some_and(|v| v.iter().all(|&b| b));
    Ok(Value::Bool(r))
}

// ------------------------------------------------------------ sort, order

/// How the elements of a vector are compared.
enum Cmp {
    Func(Value),
    Signed,
    Unsigned,
    Double,
}

/// Outcome of the argument checks shared by `sort` and `order`.
enum SortSetup {
    Ready(Rc<RefCell<VectorVal>>, TypeRef, Cmp),
    /// A message was reported; return the vector itself.
    ReturnInput,
    /// A message was reported; `order` returns an empty index vector.
    ReturnEmpty,
}

/// The checks of `zeek.bif`'s `sort`/`order` (`name`), in Zeek's order.
fn sort_setup(it: &mut Interp, args: &[Value], site: &CallSite<'_>, name: &str) -> SortSetup {
    let v = match args.first() {
        Some(Value::Vector(v)) => v.clone(),
        _ => {
            builtin_error(it, site, &format!("{name}() requires vector"), None);
            return SortSetup::ReturnEmpty;
        }
    };
    let elt = v
        .borrow()
        .ty
        .yield_type()
        .cloned()
        .unwrap_or_else(|| it.prog.base.any.clone());
    if args.len() > 2 {
        let msg = format!("{name}() called with extraneous argument");
        builtin_error(it, site, &msg, None);
        return SortSetup::ReturnEmpty;
    }
    let mut cmp = None;
    if let Some(f) = args.get(1) {
        let ft = arg_type(it, args, 1);
        let Some(ft) = ft.filter(|t| t.tag() == Tag::Func) else {
            let msg = format!("second argument to {name}() needs to be comparison function");
            builtin_error(it, site, &msg, None);
            return SortSetup::ReturnInput;
        };
        let ok = ft.func().is_some_and(|f| {
            f.ret.as_ref().is_some_and(|r| r.tag() == Tag::Int)
                && f.params.iter().all(|p| same_type(&p.ty, &elt))
                && f.params.len() == 2
        });
        if !ok {
            let msg = format!("invalid comparison function in call to {name}()");
            builtin_error(it, site, &msg, None);
            return SortSetup::ReturnInput;
        }
        cmp = Some(Cmp::Func(f.clone()));
    }
    let cmp = match cmp {
        Some(c) => c,
        None => match elt.tag() {
            Tag::Int => Cmp::Signed,
            Tag::Count => Cmp::Unsigned,
            Tag::Double | Tag::Time | Tag::Interval => Cmp::Double,
            _ => {
                let msg =
                    format!("comparison function required for {name}() with non-numeric types");
                builtin_error(it, site, &msg, None);
                return SortSetup::ReturnEmpty;
            }
        },
    };
    SortSetup::Ready(v, elt, cmp)
}

/// Zeek's element ordering (`sort_function` and friends in `Val.cc`):
/// holes sort last, the comparison function's result is `< 0`.
fn less(
    it: &mut Interp,
    cmp: &Cmp,
    a: Option<&Value>,
    b: Option<&Value>,
    site: &CallSite<'_>,
) -> Result<bool, RtErr> {
    let (Some(a), Some(b)) = (a, b) else {
        return Ok(a.is_some());
    };
    Ok(match cmp {
        Cmp::Signed => a.as_int() < b.as_int(),
        Cmp::Unsigned => a.as_count() < b.as_count(),
        Cmp::Double => a.as_double() < b.as_double(),
        Cmp::Func(f) => {
            let mut call_args = vec![a.clone(), b.clone()];
            it.call_value(f, &mut call_args, site.loc)?.as_int() < 0
        }
    })
}

/// `Reporter::RuntimeError` with a value's (absent) location: the message
/// and the unwinding of the handler.
fn runtime_error_no_location(it: &mut Interp, msg: &str) -> RtErr {
    it.error_count += 1;
    it.report("runtime error in <no location>", None, msg);
    RtErr
}

fn sort(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if args.is_empty() {
        builtin_error(it, site, "sort() takes at least 1 argument(s), got 0", None);
        return Ok(Value::Void);
    }
    let (v, elt, cmp) = match sort_setup(it, args, site, "sort") {
        SortSetup::Ready(v, elt, cmp) => (v, elt, cmp),
        SortSetup::ReturnInput | SortSetup::ReturnEmpty => return Ok(args[0].clone()),
    };
    if elt.tag() == Tag::Any {
        return Err(runtime_error_no_location(it, "cannot sort a vector-of-any"));
    }
    let mut items = v.borrow().items.clone();
    let r = std_sort::sort(&mut items, &mut |a: &Option<Value>, b: &Option<Value>| {
        less(it, &cmp, a.as_ref(), b.as_ref(), site)
    });
    // An error in the comparison function leaves the partial order.
    v.borrow_mut().items = items;
    r?;
    Ok(args[0].clone())
}

fn index_vec(it: &Interp, items: Vec<Option<Value>>) -> Value {
    Value::Vector(Rc::new(RefCell::new(VectorVal {
        ty: Type::new(TypeKind::Vector(it.prog.base.count.clone())),
        items,
    })))
}

fn order(it: &mut Interp, args: &mut [Value], site: &CallSite<'_>) -> RtResult {
    if args.is_empty() {
        builtin_error(
            it,
            site,
            "order() takes at least 1 argument(s), got 0",
            None,
        );
        return Ok(Value::Void);
    }
    let (v, elt, cmp) = match sort_setup(it, args, site, "order") {
        SortSetup::Ready(v, elt, cmp) => (v, elt, cmp),
        SortSetup::ReturnInput => return Ok(args[0].clone()),
        SortSetup::ReturnEmpty => return Ok(index_vec(it, Vec::new())),
    };
    if elt.tag() == Tag::Any {
        return Err(runtime_error_no_location(
            it,
            "cannot order a vector-of-any",
        ));
    }
    let items = v.borrow().items.clone();
    let mut ind: Vec<usize> = (0..items.len()).collect();
    std_sort::sort(&mut ind, &mut |&a: &usize, &b: &usize| {
        less(it, &cmp, items[a].as_ref(), items[b].as_ref(), site)
    })?;
    let out = ind
        .into_iter()
        .map(|i| Some(Value::Count(i as u64)))
        .collect();
    Ok(index_vec(it, out))
}

/// libstdc++'s `std::sort` (introsort: median-of-three quicksort down to
/// runs of 16, heapsort past a depth of 2·log2(n), then one insertion
/// sort), making the same comparisons in the same order, so ties and
/// comparison functions with side effects come out as in Zeek.
///
/// The comparison may fail (a script error); the slice is then left as
/// the algorithm had it. Scans that C++ leaves unguarded stop at the ends
/// of the slice should an inconsistent comparison run past them.
mod std_sort {
    const THRESHOLD: usize = 16;

    type Less<'a, T, E> = dyn FnMut(&T, &T) -> Result<bool, E> + 'a;

    pub fn sort<T: Clone, E>(v: &mut [T], less: &mut Less<'_, T, E>) -> Result<(), E> {
        let n = v.len();
        if n == 0 {
            return Ok(());
        }
        let lg = (usize::BITS - 1 - n.leading_zeros()) as usize;
        introsort_loop(v, 0, n, lg * 2, less)?;
        final_insertion_sort(v, 0, n, less)
    }

    fn introsort_loop<T: Clone, E>(
        v: &mut [T],
        first: usize,
        mut last: usize,
        mut depth: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        while last - first > THRESHOLD {
            if depth == 0 {
                make_heap(v, first, last, less)?;
                return sort_heap(v, first, last, less);
            }
            depth -= 1;
            let cut = partition_pivot(v, first, last, less)?;
            introsort_loop(v, cut, last, depth, less)?;
            last = cut;
        }
        Ok(())
    }

    fn partition_pivot<T: Clone, E>(
        v: &mut [T],
        first: usize,
        last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<usize, E> {
        let mid = first + (last - first) / 2;
        move_median_to_first(v, first, first + 1, mid, last - 1, less)?;
        unguarded_partition(v, first + 1, last, first, less)
    }

    fn move_median_to_first<T: Clone, E>(
        v: &mut [T],
        result: usize,
        a: usize,
        b: usize,
        c: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        let pick = if less(&v[a], &v[b])? {
            if less(&v[b], &v[c])? {
                b
            } else if less(&v[a], &v[c])? {
                c
            } else {
                a
            }
        } else if less(&v[a], &v[c])? {
            a
        } else if less(&v[b], &v[c])? {
            c
        } else {
            b
        };
        v.swap(result, pick);
        Ok(())
    }

    fn unguarded_partition<T: Clone, E>(
        v: &mut [T],
        mut first: usize,
        mut last: usize,
        pivot: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<usize, E> {
        let end = v.len();
        loop {
            while first < end && less(&v[first], &v[pivot])? {
                first += 1;
            }
            last -= 1;
            while less(&v[pivot], &v[last])? {
                if last == 0 {
                    break;
                }
                last -= 1;
            }
            if first >= last {
                return Ok(first);
            }
            v.swap(first, last);
            first += 1;
        }
    }

    fn final_insertion_sort<T: Clone, E>(
        v: &mut [T],
        first: usize,
        last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        if last - first > THRESHOLD {
            insertion_sort(v, first, first + THRESHOLD, less)?;
            for i in first + THRESHOLD..last {
                unguarded_linear_insert(v, i, less)?;
            }
            Ok(())
        } else {
            insertion_sort(v, first, last, less)
        }
    }

    fn insertion_sort<T: Clone, E>(
        v: &mut [T],
        first: usize,
        last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        if first == last {
            return Ok(());
        }
        for i in first + 1..last {
            if less(&v[i], &v[first])? {
                let val = v[i].clone();
                for j in (first..i).rev() {
                    v[j + 1] = v[j].clone();
                }
                v[first] = val;
            } else {
                unguarded_linear_insert(v, i, less)?;
            }
        }
        Ok(())
    }

    fn unguarded_linear_insert<T: Clone, E>(
        v: &mut [T],
        mut last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        let val = v[last].clone();
        while last > 0 {
            let next = last - 1;
            match less(&val, &v[next]) {
                Ok(true) => {
                    v[last] = v[next].clone();
                    last = next;
                }
                Ok(false) => break,
                Err(e) => {
                    v[last] = val;
                    return Err(e);
                }
            }
        }
        v[last] = val;
        Ok(())
    }

    fn make_heap<T: Clone, E>(
        v: &mut [T],
        first: usize,
        last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        let len = last - first;
        if len < 2 {
            return Ok(());
        }
        let mut parent = (len - 2) / 2;
        loop {
            let value = v[first + parent].clone();
            adjust_heap(v, first, parent, len, value, less)?;
            if parent == 0 {
                return Ok(());
            }
            parent -= 1;
        }
    }

    fn sort_heap<T: Clone, E>(
        v: &mut [T],
        first: usize,
        mut last: usize,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        while last - first > 1 {
            last -= 1;
            let value = v[last].clone();
            v[last] = v[first].clone();
            adjust_heap(v, first, 0, last - first, value, less)?;
        }
        Ok(())
    }

    fn adjust_heap<T: Clone, E>(
        v: &mut [T],
        first: usize,
        mut hole: usize,
        len: usize,
        value: T,
        less: &mut Less<'_, T, E>,
    ) -> Result<(), E> {
        let top = hole;
        let mut second = hole;
        while second < (len - 1) / 2 {
            second = 2 * (second + 1);
            if less(&v[first + second], &v[first + second - 1])? {
                second -= 1;
            }
            v[first + hole] = v[first + second].clone();
            hole = second;
        }
        if len & 1 == 0 && second == (len - 2) / 2 {
            second = 2 * (second + 1);
            v[first + hole] = v[first + second - 1].clone();
            hole = second - 1;
        }
        // __push_heap
        let mut parent = hole.saturating_sub(1) / 2;
        while hole > top {
            match less(&v[first + parent], &value) {
                Ok(true) => {
                    v[first + hole] = v[first + parent].clone();
                    hole = parent;
                    parent = hole.saturating_sub(1) / 2;
                }
                Ok(false) => break,
                Err(e) => {
                    v[first + hole] = value;
                    return Err(e);
                }
            }
        }
        v[first + hole] = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort_by_key(keys: &[i64]) -> Vec<usize> {
        let mut ind: Vec<usize> = (0..keys.len()).collect();
        let r: Result<(), ()> =
            std_sort::sort(
                &mut ind,
                &mut |&a: &usize, &b: &usize| Ok(keys[a] < keys[b]),
            );
        assert!(r.is_ok());
        ind
    }

    #[test]
    fn order_of_baseline_vectors() {
        // btest bifs/order (Baseline/bifs.order/out).
        assert_eq!(sort_by_key(&[5, 2, 8, 3]), [1, 3, 0, 2]);
        // 5hr, 2days, 1sec, -7min in seconds.
        assert_eq!(sort_by_key(&[18000, 172_800, 1, -420]), [3, 2, 0, 1]);
        assert_eq!(
            sort_by_key(&[2304, 1156, 13, 42, 4_294_967_296]),
            [2, 3, 1, 0, 4]
        );
    }

    #[test]
    fn sort_of_baseline_vectors() {
        // btest bifs/sort (Baseline/bifs.sort/out).
        let cases: &[(&[i64], &[i64])] = &[
            (&[5, 2, 8, 3], &[2, 3, 5, 8]),
            (
                &[2304, 1156, 11, 42, 4_294_967_296],
                &[11, 42, 1156, 2304, 4_294_967_296],
            ),
        ];
        for (input, expected) in cases {
            let mut v = input.to_vec();
            let r: Result<(), ()> = std_sort::sort(&mut v, &mut |a: &i64, b: &i64| Ok(a < b));
            assert!(r.is_ok());
            assert_eq!(&v, expected);
        }
        let mut d = vec![3.03, 3.01, 3.02, 3.015];
        let r: Result<(), ()> = std_sort::sort(&mut d, &mut |a: &f64, b: &f64| Ok(a < b));
        assert!(r.is_ok());
        assert_eq!(d, [3.01, 3.015, 3.02, 3.03]);
    }

    /// An FNV-1a-style hash (the reference program's offset basis) over the comparator's arguments (original positions, four
    /// little-endian bytes each), as the reference program computes it.
    fn fingerprint(calls: &[(usize, usize)]) -> u64 {
        let mut h: u64 = 1_469_598_103_934_665_603;
        for &(a, b) in calls {
            for x in [a, b] {
                for k in 0..4 {
                    h ^= ((x >> (8 * k)) & 0xff) as u64;
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
        }
        h
    }

    /// Sorting positions by key (many ties) with libstdc++ 12's
    /// `std::sort`: the resulting order of positions, the number of
    /// comparisons and the fingerprint of their sequence, as a C++ program
    /// printed them. The `killer` inputs come from McIlroy's adversary and
    /// drive introsort into its heapsort fallback.
    #[test]
    fn sort_follows_libstdcxx() {
        for (keys, perm, ncalls, fp) in LIBSTDCXX {
            let mut ind: Vec<usize> = (0..keys.len()).collect();
            let mut calls = Vec::new();
            let r: Result<(), ()> = std_sort::sort(&mut ind, &mut |&a: &usize, &b: &usize| {
                calls.push((a, b));
                Ok(keys[a] < keys[b])
            });
            assert!(r.is_ok());
            assert_eq!(&ind, perm, "keys {keys:?}");
            assert_eq!(calls.len(), *ncalls, "keys {keys:?}");
            assert_eq!(fingerprint(&calls), *fp, "keys {keys:?}");
        }
    }

    /// `hrw_weight`'s arithmetic as the C++ body of `zeek.bif` computes it
    /// (the body compiled with g++ 12 on x86-64 printed these).
    #[test]
    fn hrw_weight_matches_the_cxx_body() {
        let cases: &[(u64, u64, u64)] = &[
            (0, 0, 1_406_932_606),
            (1, 0, 303_417_361),
            (0, 1, 377_401_575),
            (12345, 1, 459_152_364),
            (4_294_967_295, 7, 401_326_760),
            (3_735_928_559, 3, 615_412_348),
            (u64::MAX, u64::MAX, 755_013_104),
            (2_166_136_261, 2, 1_805_111_127),
            (305_419_896, 4_294_967_301, 1_766_781_107),
        ];
        for &(d, s, w) in cases {
            assert_eq!(hrw_weight_of(d, s), w, "hrw_weight({d}, {s})");
        }
    }

    /// btest language/copy-all-types and bifs/same_object: atomic values
    /// and their copies are one object, a string and its copy (or an equal
    /// literal) are not, a container is only itself.
    #[test]
    fn same_object_of_the_baselines() {
        use std::net::{IpAddr, Ipv4Addr};
        use zest_runtime::value::{Addr, Port, Proto, Subnet};
        let a = Addr::from_ip(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)));
        let same = [
            (Value::Int(-42), Value::Int(-42)),
            (Value::Count(42), Value::Count(42)),
            (Value::Addr(a), Value::Addr(a)),
            (
                Value::Port(Port {
                    num: 42,
                    proto: Proto::Tcp,
                }),
                Value::Port(Port {
                    num: 42,
                    proto: Proto::Tcp,
                }),
            ),
            (
                Value::Subnet(Subnet::new(a, 24)),
                Value::Subnet(Subnet::new(a, 24)),
            ),
        ];
        for (x, y) in &same {
            assert!(is_same_object(x, y), "{x:?}");
        }
        let s = Value::str(b"This is a test");
        assert!(is_same_object(&s, &s.clone()));
        assert!(!is_same_object(&s, &Value::str(b"This is a test")));
        let ty = Type::new(TypeKind::Vector(Type::new(TypeKind::Count)));
        let v = Value::new_vector(ty.clone());
        assert!(!is_same_object(&s, &v));
        assert!(is_same_object(&v, &v.clone()));
        assert!(!is_same_object(&v, &Value::new_vector(ty)));
    }

    #[test]
    fn a_failing_comparison_stops_the_sort() {
        let mut v = vec![3, 1, 2];
        let mut n = 0;
        let r = std_sort::sort(&mut v, &mut |a: &i32, b: &i32| {
            n += 1;
            if n == 2 {
                Err(())
            } else {
                Ok(a < b)
            }
        });
        assert!(r.is_err());
        assert_eq!(n, 2);
    }

    #[rustfmt::skip]
    #[allow(clippy::type_complexity)]
    const LIBSTDCXX: &[(&[i64], &[usize], usize, u64)] = &[
        // ties n=1
        (&[0], &[0], 0, 0x14650fb0739d0383),
        // ties n=2
        (&[1, 0], &[1, 0], 1, 0x29034675a49f07c2),
        // ties n=3
        (&[1, 0, 0], &[1, 2, 0], 4, 0x66ac5f978d64c840),
        // ties n=5
        (&[1, 0, 0, 1, 1], &[1, 2, 0, 3, 4], 8, 0x070144132609f7f3),
        // ties n=16
        (&[1, 1, 0, 1, 0, 3, 3, 0, 1, 2, 0, 3, 3, 2, 1, 1], &[2, 4, 7, 10, 0, 1, 3, 8, 14, 15, 9, 13, 5, 6, 11, 12], 64, 0xe0135c750165d2c2),
        // ties n=17
        (&[0, 1, 1, 0, 1, 1, 0, 2, 3, 2, 3, 2, 2, 3, 3, 2, 0], &[0, 16, 3, 6, 1, 5, 4, 2, 7, 9, 11, 12, 15, 8, 10, 13, 14], 71, 0x473ecbaf3e5c8942),
        // ties n=18
        (&[1, 0, 0, 1, 1, 2, 2, 2, 0, 2, 3, 3, 2, 0, 0, 0, 3, 3], &[1, 2, 15, 14, 13, 8, 3, 4, 0, 9, 12, 7, 6, 5, 11, 10, 16, 17], 74, 0x09fa746ff854d84f),
        // ties n=20
        (&[1, 4, 0, 4, 2, 2, 3, 2, 3, 4, 4, 2, 4, 2, 1, 0, 0, 0, 1, 0], &[19, 2, 17, 16, 15, 18, 0, 14, 4, 5, 7, 11, 13, 6, 8, 10, 12, 9, 3, 1], 112, 0xf159c85aaa479860),
        // ties n=33
        (&[1, 7, 6, 2, 1, 4, 4, 4, 6, 6, 1, 4, 1, 6, 0, 6, 7, 1, 6, 7, 0, 4, 6, 5, 0, 0, 0, 6, 2, 6, 3, 2, 3], &[26, 25, 24, 20, 14, 4, 10, 17, 12, 0, 28, 3, 31, 32, 30, 11, 21, 7, 6, 5, 23, 15, 13, 18, 9, 8, 22, 27, 2, 29, 16, 19, 1], 199, 0x86aa6f1f52337b4e),
        // ties n=50
        (&[8, 6, 6, 5, 7, 6, 7, 8, 5, 7, 6, 4, 0, 9, 10, 2, 8, 11, 6, 9, 3, 6, 1, 11, 8, 2, 3, 8, 9, 5, 8, 6, 0, 1, 3, 9, 1, 6, 4, 7, 10, 10, 5, 9, 7, 9, 8, 7, 6, 3], &[32, 12, 36, 33, 22, 25, 15, 49, 34, 26, 20, 11, 38, 42, 3, 29, 8, 18, 10, 31, 2, 48, 1, 37, 5, 21, 6, 9, 39, 47, 44, 4, 0, 46, 30, 27, 24, 7, 16, 35, 28, 43, 19, 45, 13, 40, 41, 14, 23, 17], 277, 0x1303be5223469ee9),
        // ties n=64
        (&[5, 15, 6, 0, 11, 12, 1, 3, 5, 5, 6, 3, 7, 10, 10, 9, 0, 5, 15, 6, 12, 7, 9, 1, 10, 7, 1, 0, 15, 9, 7, 5, 4, 1, 5, 10, 8, 10, 3, 3, 7, 10, 1, 7, 11, 2, 4, 5, 6, 12, 4, 14, 6, 1, 7, 10, 8, 12, 9, 13, 6, 0, 5, 4], &[61, 3, 16, 27, 23, 53, 26, 6, 33, 42, 45, 11, 39, 38, 7, 32, 46, 50, 63, 8, 34, 47, 62, 0, 31, 17, 9, 60, 48, 2, 52, 10, 19, 40, 43, 12, 30, 25, 54, 21, 56, 36, 29, 15, 58, 22, 41, 13, 37, 35, 14, 24, 55, 44, 4, 57, 20, 5, 49, 59, 51, 28, 18, 1], 381, 0x4852c6e51f21efbf),
        // ties n=100
        (&[1, 19, 12, 5, 18, 0, 24, 14, 21, 2, 17, 16, 23, 17, 16, 9, 22, 3, 5, 1, 18, 6, 14, 13, 10, 18, 24, 22, 23, 15, 23, 12, 11, 8, 15, 10, 17, 18, 18, 1, 10, 24, 12, 11, 11, 24, 0, 6, 20, 12, 6, 3, 19, 2, 6, 21, 7, 11, 4, 0, 9, 20, 2, 23, 0, 4, 15, 5, 18, 5, 13, 11, 19, 10, 10, 23, 11, 7, 5, 23, 17, 3, 19, 19, 9, 1, 11, 12, 3, 3, 21, 1, 23, 17, 21, 14, 0, 17, 14, 4], &[96, 46, 59, 5, 64, 39, 19, 0, 85, 91, 9, 53, 62, 81, 88, 51, 89, 17, 58, 65, 99, 18, 67, 69, 78, 3, 50, 54, 47, 21, 77, 56, 33, 60, 84, 15, 73, 24, 35, 40, 74, 86, 43, 44, 57, 71, 76, 32, 42, 2, 31, 49, 87, 70, 23, 22, 7, 95, 98, 66, 29, 34, 11, 14, 97, 80, 36, 10, 13, 93, 68, 20, 38, 37, 4, 25, 82, 83, 1, 72, 52, 61, 48, 8, 55, 94, 90, 27, 16, 75, 30, 28, 92, 63, 12, 79, 26, 6, 45, 41], 708, 0xb713cb9401172991),
        // killer n=40
        (&[38, 1, 36, 3, 34, 5, 32, 7, 37, 9, 33, 11, 40, 13, 31, 15, 35, 17, 20, 19, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 30, 27, 28, 25, 26, 23, 24, 21, 22, 29], &[20, 1, 21, 3, 22, 5, 23, 7, 24, 9, 25, 11, 26, 13, 27, 15, 28, 17, 29, 19, 18, 37, 38, 35, 36, 33, 34, 31, 32, 39, 30, 14, 6, 10, 4, 16, 2, 8, 0, 12], 494, 0x5ef37de39decfd89),
        // killer/7 n=40
        (&[5, 0, 5, 0, 4, 0, 4, 1, 5, 1, 4, 1, 5, 1, 4, 2, 5, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 4, 3, 4, 3, 3, 3, 3, 3, 3, 4], &[1, 23, 22, 21, 20, 5, 3, 7, 9, 11, 13, 26, 25, 24, 18, 29, 28, 27, 19, 17, 15, 34, 33, 35, 36, 37, 38, 31, 6, 32, 39, 30, 4, 14, 10, 0, 2, 16, 12, 8], 227, 0x1c533bd9fc1970e9),
        // killer n=100
        (&[93, 1, 71, 3, 85, 5, 69, 7, 100, 9, 67, 11, 83, 13, 65, 15, 91, 17, 63, 19, 81, 21, 24, 23, 98, 96, 94, 92, 90, 88, 86, 84, 82, 80, 78, 76, 74, 72, 70, 68, 66, 64, 95, 79, 89, 77, 97, 75, 87, 73, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 62, 59, 60, 57, 58, 55, 56, 53, 54, 51, 52, 49, 50, 47, 48, 45, 46, 43, 44, 41, 42, 39, 40, 37, 38, 35, 36, 33, 34, 31, 32, 29, 30, 27, 28, 25, 26, 61], &[50, 1, 51, 3, 52, 5, 53, 7, 54, 9, 55, 11, 56, 13, 57, 15, 58, 17, 59, 19, 60, 21, 61, 23, 22, 97, 98, 95, 96, 93, 94, 91, 92, 89, 90, 87, 88, 85, 86, 83, 84, 81, 82, 79, 80, 77, 78, 75, 76, 73, 74, 71, 72, 69, 70, 67, 68, 65, 66, 63, 64, 99, 62, 18, 41, 14, 40, 10, 39, 6, 38, 2, 37, 49, 36, 47, 35, 45, 34, 43, 33, 20, 32, 12, 31, 4, 30, 48, 29, 44, 28, 16, 27, 0, 26, 42, 25, 46, 24, 8], 1742, 0x8f5ab7cfacf62f2b),
        // killer/7 n=100
        (&[13, 0, 10, 0, 12, 0, 9, 1, 14, 1, 9, 1, 11, 1, 9, 2, 13, 2, 9, 2, 11, 3, 3, 3, 14, 13, 13, 13, 12, 12, 12, 12, 11, 11, 11, 10, 10, 10, 10, 9, 9, 9, 13, 11, 12, 11, 13, 10, 12, 10, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 8, 8, 8, 8, 8, 7, 8, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 5, 6, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 3, 4, 3, 3, 8], &[1, 53, 52, 51, 50, 5, 3, 9, 11, 7, 13, 54, 56, 55, 60, 59, 58, 57, 19, 17, 15, 95, 21, 22, 23, 97, 98, 61, 91, 89, 90, 92, 93, 94, 96, 87, 86, 85, 84, 83, 88, 81, 82, 80, 75, 76, 77, 78, 79, 72, 71, 70, 69, 73, 67, 74, 63, 62, 99, 64, 65, 66, 68, 6, 10, 14, 18, 39, 40, 41, 2, 35, 36, 37, 38, 47, 49, 33, 32, 20, 12, 34, 43, 45, 4, 31, 30, 29, 28, 48, 44, 42, 46, 16, 25, 26, 27, 0, 24, 8], 789, 0x9558bf4745df10ab),
        // killer n=200
        (&[163, 1, 125, 3, 181, 5, 123, 7, 161, 9, 121, 11, 195, 13, 119, 15, 159, 17, 117, 19, 179, 21, 115, 23, 157, 25, 28, 27, 198, 196, 194, 192, 190, 188, 186, 184, 182, 180, 178, 176, 174, 172, 170, 168, 166, 164, 162, 160, 158, 156, 154, 152, 150, 148, 146, 144, 142, 140, 138, 136, 134, 132, 130, 128, 126, 124, 122, 120, 118, 116, 189, 155, 177, 153, 197, 151, 175, 149, 187, 147, 173, 145, 193, 143, 171, 141, 185, 139, 169, 137, 200, 135, 167, 133, 183, 131, 165, 129, 191, 127, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 114, 111, 112, 109, 110, 107, 108, 105, 106, 103, 104, 101, 102, 99, 100, 97, 98, 95, 96, 93, 94, 91, 92, 89, 90, 87, 88, 85, 86, 83, 84, 81, 82, 79, 80, 77, 78, 75, 76, 73, 74, 71, 72, 69, 70, 67, 68, 65, 66, 63, 64, 61, 62, 59, 60, 57, 58, 55, 56, 53, 54, 51, 52, 49, 50, 47, 48, 45, 46, 43, 44, 41, 42, 39, 40, 37, 38, 35, 36, 33, 34, 31, 32, 29, 30, 113], &[100, 1, 101, 3, 102, 5, 103, 7, 104, 9, 105, 11, 106, 13, 107, 15, 108, 17, 109, 19, 110, 21, 111, 23, 112, 25, 113, 27, 26, 197, 198, 195, 196, 193, 194, 191, 192, 189, 190, 187, 188, 185, 186, 183, 184, 181, 182, 179, 180, 177, 178, 175, 176, 173, 174, 171, 172, 169, 170, 167, 168, 165, 166, 163, 164, 161, 162, 159, 160, 157, 158, 155, 156, 153, 154, 151, 152, 149, 150, 147, 148, 145, 146, 143, 144, 141, 142, 139, 140, 137, 138, 135, 136, 133, 134, 131, 132, 129, 130, 127, 128, 125, 126, 123, 124, 121, 122, 119, 120, 117, 118, 115, 116, 199, 114, 22, 69, 18, 68, 14, 67, 10, 66, 6, 65, 2, 64, 99, 63, 97, 62, 95, 61, 93, 60, 91, 59, 89, 58, 87, 57, 85, 56, 83, 55, 81, 54, 79, 53, 77, 52, 75, 51, 73, 50, 71, 49, 24, 48, 16, 47, 8, 46, 0, 45, 96, 44, 92, 43, 88, 42, 84, 41, 80, 40, 76, 39, 72, 38, 20, 37, 4, 36, 94, 35, 86, 34, 78, 33, 70, 32, 98, 31, 82, 30, 12, 29, 74, 28, 90], 4260, 0x420de3597d2a300d),
        // killer/7 n=200
        (&[23, 0, 17, 0, 25, 0, 17, 1, 23, 1, 17, 1, 27, 1, 17, 2, 22, 2, 16, 2, 25, 3, 16, 3, 22, 3, 4, 3, 28, 28, 27, 27, 27, 26, 26, 26, 26, 25, 25, 25, 24, 24, 24, 24, 23, 23, 23, 22, 22, 22, 22, 21, 21, 21, 20, 20, 20, 20, 19, 19, 19, 18, 18, 18, 18, 17, 17, 17, 16, 16, 27, 22, 25, 21, 28, 21, 25, 21, 26, 21, 24, 20, 27, 20, 24, 20, 26, 19, 24, 19, 28, 19, 23, 19, 26, 18, 23, 18, 27, 18, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 16, 15, 16, 15, 15, 15, 15, 15, 15, 14, 14, 14, 14, 14, 14, 13, 14, 13, 13, 13, 13, 13, 13, 12, 12, 12, 12, 12, 12, 11, 12, 11, 11, 11, 11, 11, 11, 10, 10, 10, 10, 10, 10, 9, 10, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 7, 8, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 5, 6, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 16], &[1, 103, 102, 101, 100, 3, 5, 105, 7, 106, 9, 104, 11, 13, 108, 109, 19, 107, 17, 15, 110, 111, 112, 113, 27, 23, 21, 25, 26, 193, 194, 195, 196, 197, 198, 185, 187, 188, 189, 190, 191, 192, 184, 183, 182, 181, 180, 179, 186, 175, 171, 173, 174, 176, 177, 178, 169, 168, 167, 166, 165, 170, 172, 162, 159, 160, 161, 157, 163, 164, 154, 158, 155, 153, 152, 156, 151, 147, 146, 145, 143, 148, 150, 149, 139, 137, 138, 140, 141, 142, 144, 135, 129, 136, 134, 133, 132, 131, 128, 130, 123, 124, 125, 126, 127, 119, 115, 117, 118, 120, 121, 122, 69, 68, 114, 22, 116, 18, 199, 2, 6, 10, 14, 65, 66, 67, 99, 97, 95, 61, 62, 63, 64, 59, 58, 60, 91, 93, 89, 87, 85, 57, 56, 55, 54, 81, 83, 51, 75, 52, 73, 53, 77, 79, 50, 49, 48, 47, 71, 24, 16, 92, 45, 0, 46, 44, 96, 8, 43, 42, 41, 40, 84, 88, 80, 4, 72, 20, 39, 38, 37, 76, 33, 78, 94, 34, 35, 36, 86, 32, 31, 30, 70, 12, 98, 82, 29, 28, 74, 90], 1685, 0x0ad2f6276979bc15),
    ];
}
