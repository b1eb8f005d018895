//! Zeek 5.2.2's table dictionary, reproduced exactly: keyed hashing and iteration order.
//!
//! Zeek prints and loops over tables and sets in the order of its hash dictionary's slot
//! array. That order depends on the SipHash key from the seed file, on the exact bytes Zeek
//! serialises for each index, and on the whole history of insertions, removals and lookups.
//! This crate reproduces all three (spec: `shared/docs/table-order.md`):
//!
//! * [`seed`]: the seed file / `-D` / random seeds and the process-wide [`KeyHasher`];
//! * [`KeyBuf`] / [`KeyReader`]: the serialised key of every index type (§3);
//! * [`Key`] / [`KeyRef`]: key bytes plus their 64-bit keyed hash;
//! * [`Dict`]: the dictionary itself (§4) with growth, incremental remap, lookup-triggered
//!   moves, `for`-loop cursors, robust iterators, and the `&ordered` variant;
//! * [`ops`]: the script-level set operations as dictionary operations (§5).
//!
//! # Using it from an interpreter
//!
//! * At start-up resolve the seeds ([`Seeds::resolve`] with `-G`/`-D`; report a
//!   [`SeedError`] as Zeek's fatal error) and [`install_global`] them; hash keys with
//!   [`global_hasher`].
//! * One [`Dict`] per table value ([`Dict::new_ordered`] for `&ordered`). Keep a scratch
//!   [`KeyBuf`] and build each index with the singleton form for one-type indices and the
//!   composite forms otherwise; look up with [`KeyBuf::key_ref`] (no allocation).
//! * `add`/assignment: [`Dict::insert`]; `delete`: [`Dict::remove`]; `in` and reads:
//!   [`Dict::find`] (it can move entries) — but [`Dict::get`] for tables indexed by a single
//!   `subnet`, whose reads Zeek answers from a prefix table; `t[k] += x`: `find`, then
//!   `insert`; `clear_table`: [`Dict::clear`].
//! * `print`, `fmt`, `to_json`, …: [`Dict::iter`]. A script `for` loop: [`Dict::cursor`],
//!   [`Dict::cursor_next`], [`Dict::release`]; while it runs, Zeek warns `possible
//!   loop/iterator invalidation` for each new key inserted and each key removed
//!   ([`Dict::has_plain_iterators`]). Table expiration: [`Dict::robust_cursor`].
//! * `copy()` and set operations: [`Dict::zeek_copy`] and [`ops`].
//! * A table used inside an index: [`Dict::serialization_order`]; function values inside
//!   keys: one [`FuncIds`] per table. Turn keys back into values with [`KeyReader`].
//!
//! ```
//! use zest_dict::{Dict, KeyBuf, Seeds};
//!
//! let hasher = Seeds::zero().hasher(); // -D
//! let mut set: Dict<()> = Dict::new();
//! let mut kb = KeyBuf::new();
//! for i in 1..=3u64 {
//!     kb.clear();
//!     kb.write_count(i);
//!     set.insert(kb.key_ref(&hasher), ());
//! }
//! kb.clear();
//! kb.write_count(2);
//! assert!(set.contains(kb.key_ref(&hasher)));
//! let order: Vec<&[u8]> = set.keys().map(|k| k.bytes()).collect();
//! assert_eq!(order.len(), 3);
//! ```

pub mod dict;
pub mod hash;
pub mod highway;
pub mod key;
pub mod keybuf;
pub mod keyread;
pub mod ops;
pub mod seed;

pub use dict::iter::{Cursor, Iter, SlotInfo};
pub use dict::robust::RobustCursor;
pub use dict::{Dict, EntryId};
pub use hash::{bucket, KeyHasher};
pub use key::{Key, KeyRef, INLINE_KEY_BYTES};
pub use keybuf::{addr_bytes, KeyBuf, Proto};
pub use keyread::{addr_from_bytes, split_singleton_pattern, KeyReader};
pub use ops::FuncIds;
pub use seed::{global, global_hasher, install_global, SeedError, Seeds};
