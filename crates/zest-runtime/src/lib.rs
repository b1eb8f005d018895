//! The Zeek script runtime: types, values, the semantic layer (compiling
//! the AST into a resolved IR), the interpreter and its event engine, and
//! the script loader.
//!
//! Single-threaded by design; native libraries and the broker runtime talk
//! to it over channels.

pub mod compile;
pub mod describe;
pub mod interp;
pub mod ir;
pub mod loader;
pub mod opaque;
pub mod program;
pub mod render;
pub mod run;
pub mod table;
pub mod types;
pub mod usage;
pub mod value;

pub use interp::{CallSite, Interp, RtErr, RtResult};
pub use program::Program;
pub use value::Value;
