//! Broker's appliers (`detail/appliers.hh`): what `add`, `subtract` and
//! an indexed `get` do to a stored value.

use crate::StoreError;
use zest_broker::Data;

/// The value a missing key starts as for `add`, by `data` tag; `none` and
/// unknown tags have none (a type clash).
pub fn initial_value(tag: u8) -> Option<Data> {
    Some(match tag {
        1 => Data::Bool(false),
        2 => Data::Count(0),
        3 => Data::Integer(0),
        4 => Data::Real(0.0),
        5 => Data::String(Vec::new()),
        9 => Data::Timestamp(0),
        10 => Data::Timespan(0),
        11 => Data::Enum(Vec::new()),
        12 => Data::Set(Default::default()),
        13 => Data::Table(Default::default()),
        14 => Data::Vector(Vec::new()),
        _ => return None,
    })
}

/// The `data` tag `increment` starts a missing value as.
pub fn increment_init_type(amount: &Data) -> u8 {
    match amount {
        Data::Count(_) => 2,
        Data::Integer(_) => 3,
        Data::Real(_) => 4,
        // A timespan amount initialises a timestamp.
        Data::Timespan(_) => 9,
        _ => 0,
    }
}

/// `adder`: `v` added to `old`.
pub fn add(old: Data, v: &Data) -> Result<Data, StoreError> {
    Ok(match (old, v) {
        (Data::Count(a), Data::Count(b)) => Data::Count(a.wrapping_add(*b)),
        (Data::Integer(a), Data::Integer(b)) => Data::Integer(a.wrapping_add(*b)),
        (Data::Real(a), Data::Real(b)) => Data::Real(a + b),
        (Data::Timespan(a), Data::Timespan(b)) => Data::Timespan(a.wrapping_add(*b)),
        (Data::Timestamp(a), Data::Timespan(b)) => Data::Timestamp(a.wrapping_add(*b)),
        (Data::String(mut a), Data::String(b)) => {
            a.extend_from_slice(b);
            Data::String(a)
        }
        (Data::Vector(mut a), x) => {
            a.push(x.clone());
            Data::Vector(a)
        }
        (Data::Set(mut a), x) => {
            a.insert(x.clone());
            Data::Set(a)
        }
        (Data::Table(mut a), Data::Vector(kv)) if kv.len() == 2 => {
            a.insert(kv[0].clone(), kv[1].clone());
            Data::Table(a)
        }
        _ => return Err(StoreError::TypeClash),
    })
}

/// `remover`: `v` taken from `old`.
pub fn subtract(old: Data, v: &Data) -> Result<Data, StoreError> {
    Ok(match (old, v) {
        (Data::Count(a), Data::Count(b)) => Data::Count(a.wrapping_sub(*b)),
        (Data::Integer(a), Data::Integer(b)) => Data::Integer(a.wrapping_sub(*b)),
        (Data::Real(a), Data::Real(b)) => Data::Real(a - b),
        (Data::Timespan(a), Data::Timespan(b)) => Data::Timespan(a.wrapping_sub(*b)),
        (Data::Timestamp(a), Data::Timespan(b)) => Data::Timestamp(a.wrapping_sub(*b)),
        (Data::Vector(mut a), _) => {
            a.pop();
            Data::Vector(a)
        }
        (Data::Set(mut a), x) => {
            a.remove(x);
            Data::Set(a)
        }
        (Data::Table(mut a), x) => {
            a.remove(x);
            Data::Table(a)
        }
        _ => return Err(StoreError::TypeClash),
    })
}

/// `retriever`: an element of a container (`get_index_from_value`).
pub fn retrieve(v: &Data, index: &Data) -> Result<Data, StoreError> {
    match (v, index) {
        (Data::Vector(items), Data::Count(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| items.get(i))
            .cloned()
            .ok_or(StoreError::NoSuchKey),
        (Data::Set(s), x) => Ok(Data::Bool(s.contains(x))),
        (Data::Table(t), x) => t.get(x).cloned().ok_or(StoreError::NoSuchKey),
        _ => Err(StoreError::TypeClash),
    }
}
