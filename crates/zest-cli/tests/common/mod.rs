//! What the `zeek`-running integration tests share: where the Zeek 5.2
//! library is and the script search path upstream's tests use.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The Zeek 5.2 distribution: `$ZEEK_DIST`, else `../shared/zeek-5.2`
/// beside the checkout.
pub fn zeek_dist() -> PathBuf {
    match std::env::var_os("ZEEK_DIST") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/zeek-5.2"),
    }
}

/// Zest's own scripts (`scripts/` of the checkout).
pub fn zest_scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts")
}

/// `ZEEKPATH` as upstream's tests set it: the current directory, Zest's
/// scripts, then the library with its `policy` and `site` directories.
pub fn zeekpath() -> String {
    let lib = zeek_dist().join("scripts");
    format!(
        ".:{}:{}:{}:{}",
        zest_scripts().display(),
        lib.display(),
        lib.join("policy").display(),
        lib.join("site").display()
    )
}
