//! Pure text-rendering primitives shared by `print`, `fmt`, `cat`, `cat_sep` and `to_json`.
//!
//! Everything here works on primitive inputs (`f64`, `i64`, `u64`, byte slices,
//! [`std::net::IpAddr`], …) and appends bytes to a caller-owned `Vec<u8>`, so the
//! interpreter's value describers can compose them without intermediate allocations.
//! Every function reproduces Zeek 5.2.2 byte for byte; the spec is
//! `shared/docs/zeek-semantics.md` §1 and each module names the upstream routine it mirrors.
//!
//! * [`num`]: counts, ints, bools and doubles as `print` shows them (`modp_dtoa2`).
//! * [`printf`]: C `printf` conversions (`%d %x %e %f %g` with width/precision/flags) as glibc
//!   renders them; used by `fmt`.
//! * [`time`]: `time` and `interval` text, and `fmt`'s `%D` / `%T`.
//! * [`string`]: `print`'s `\xNN` escaping, enum/pattern text, C-string checks.
//! * [`net`]: addresses (Zeek's own IPv6 compression), subnets, ports.
//! * [`json`]: `to_json` leaves: rapidjson number formatting (Grisu2), string escaping with
//!   Zeek's UTF-8 check.
//! * [`mod@fmt`]: the `fmt()` format-string interpreter with Zeek's run-time and parse-time errors.

pub mod fmt;
mod grisu;
pub mod json;
pub mod net;
pub mod num;
pub mod printf;
pub mod string;
pub mod time;

pub use fmt::{
    check_constant_format, fmt, ConstantFormatError, FmtArg, FmtCulprit, FmtError, FmtErrorKind,
};
pub use json::{write_json_double, write_json_str, write_json_string};
pub use net::{write_addr, write_addr_hex, write_port, write_subnet, Proto};
pub use num::{write_bool, write_count, write_double, write_int};
pub use string::{write_print_escaped, write_raw};
pub use time::{write_interval, write_time};
