//! Zeek's random seeds and the SipHash key derived from them.
//!
//! Zeek reads 21 numbers at start-up (spec §2.1–2.3): the first seeds `srandom()`, the next
//! 20 are the seed words `w[0..20]`. Laid out little-endian as an 80-byte buffer `B`, the
//! last 16 bytes `B[64..80]` are the SipHash-2-4 key of every table and set. The other keys
//! Zeek derives from `B[0..64]` (HighwayHash, HMAC-MD5) do not affect iteration order; callers
//! that need them can derive them from [`Seeds::bytes`].
//!
//! Where the seeds come from, in order of precedence:
//! 1. `-G FILE` / `--load-seeds FILE` (a non-empty path);
//! 2. the environment variable `ZEEK_SEED_FILE`, when set and non-empty;
//! 3. `-D` / `--deterministic`: all words zero;
//! 4. otherwise 80 random bytes (the order then changes from run to run).
//!
//! A named file that cannot be read or parsed is an error; Zeek reports it as the fatal
//! error `Could not load seeds from file 'FILE'.` (see [`SeedError`]).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::hash::KeyHasher;

/// Number of seed words after the `srandom()` seed.
pub const SEED_WORDS: usize = 20;

/// The seed material of one Zeek process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seeds {
    random_seed: u32,
    words: [u32; SEED_WORDS],
    deterministic: bool,
}

/// Why seeds could not be loaded from a file.
#[derive(Debug)]
pub enum SeedError {
    /// The file could not be opened or read.
    Io {
        /// The file named by `-G` or `ZEEK_SEED_FILE`.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The file holds fewer than 21 unsigned numbers before anything unparsable.
    Parse {
        /// The file named by `-G` or `ZEEK_SEED_FILE`.
        path: PathBuf,
    },
}

impl SeedError {
    /// The path that failed.
    pub fn path(&self) -> &Path {
        match self {
            SeedError::Io { path, .. } | SeedError::Parse { path } => path,
        }
    }

    /// Zeek's warning printed before the fatal error when the file cannot be opened
    /// (`Could not open seed file 'F': strerror`), if this is such an error.
    pub fn open_warning(&self) -> Option<String> {
        match self {
            SeedError::Io { path, error } => Some(format!(
                "Could not open seed file '{}': {}",
                path.display(),
                strip_os_error_suffix(&error.to_string())
            )),
            SeedError::Parse { .. } => None,
        }
    }
}

/// `io::Error` renders as "No such file or directory (os error 2)"; `strerror` has no suffix.
fn strip_os_error_suffix(s: &str) -> &str {
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => &s[..i],
        _ => s,
    }
}

impl fmt::Display for SeedError {
    /// Zeek's fatal error text: `Could not load seeds from file 'FILE'.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Could not load seeds from file '{}'.",
            self.path().display()
        )
    }
}

impl std::error::Error for SeedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SeedError::Io { error, .. } => Some(error),
            SeedError::Parse { .. } => None,
        }
    }
}

impl Seeds {
    /// Seeds from explicit values, as if read from a seed file.
    pub fn from_words(random_seed: u32, words: [u32; SEED_WORDS]) -> Seeds {
        Seeds {
            random_seed,
            words,
            deterministic: true,
        }
    }

    /// The all-zero seeds of `-D` without a seed file (SipHash key 0/0).
    pub fn zero() -> Seeds {
        Seeds {
            random_seed: 0,
            words: [0; SEED_WORDS],
            deterministic: true,
        }
    }

    /// Fresh random seeds, as Zeek draws them without `-G`, `ZEEK_SEED_FILE` or `-D`.
    ///
    /// The `srandom()` seed is folded from the words the way Zeek does it (xor, then rotate
    /// left by one, over all 20 words).
    pub fn random() -> std::io::Result<Seeds> {
        use std::io::Read;
        let mut raw = [0u8; SEED_WORDS * 4];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut raw)?;
        let mut words = [0u32; SEED_WORDS];
        for (w, chunk) in words.iter_mut().zip(raw.chunks_exact(4)) {
            *w = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        let mut seed = 0u32;
        for w in words {
            seed ^= w;
            seed = seed.rotate_left(1);
        }
        Ok(Seeds {
            random_seed: seed,
            words,
            deterministic: false,
        })
    }

    /// Parses the text of a seed file: whitespace-separated unsigned decimal numbers read like
    /// C's `fscanf("%u")`. Needs at least 21 numbers; anything after them is ignored.
    pub fn parse(text: &str) -> Option<Seeds> {
        let mut rest = text.as_bytes();
        let random_seed = scan_u32(&mut rest)?;
        let mut words = [0u32; SEED_WORDS];
        for w in &mut words {
            *w = scan_u32(&mut rest)?;
        }
        Some(Seeds::from_words(random_seed, words))
    }

    /// Reads a seed file (`-G FILE` or `ZEEK_SEED_FILE`).
    pub fn read_file(path: &Path) -> Result<Seeds, SeedError> {
        let bytes = std::fs::read(path).map_err(|error| SeedError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        Seeds::parse(&text).ok_or_else(|| SeedError::Parse {
            path: path.to_path_buf(),
        })
    }

    /// Resolves the seeds the way Zeek's start-up does, reading `ZEEK_SEED_FILE` from the
    /// process environment. `load_seeds` is the `-G`/`--load-seeds` argument, `deterministic`
    /// is `-D`/`--deterministic`.
    pub fn resolve(load_seeds: Option<&OsStr>, deterministic: bool) -> Result<Seeds, SeedError> {
        let env = std::env::var_os("ZEEK_SEED_FILE");
        Seeds::resolve_with(load_seeds, env.as_deref(), deterministic)
    }

    /// [`Seeds::resolve`] with the value of `ZEEK_SEED_FILE` passed in explicitly.
    ///
    /// An empty file name, from either source, counts as none. When neither names a file and
    /// `deterministic` is false, the seeds are random; should reading `/dev/urandom` fail,
    /// the zero seeds are used instead.
    pub fn resolve_with(
        load_seeds: Option<&OsStr>,
        zeek_seed_file: Option<&OsStr>,
        deterministic: bool,
    ) -> Result<Seeds, SeedError> {
        // -G overrides the environment even when it names an empty path (which then means
        // "no file"), exactly as Zeek's start-up code does.
        let file = match load_seeds {
            Some(g) => Some(g),
            None => zeek_seed_file,
        };
        match file {
            Some(f) if !f.is_empty() => Seeds::read_file(Path::new(f)),
            _ if deterministic => Ok(Seeds::zero()),
            _ => Ok(Seeds::random().unwrap_or_else(|_| Seeds::zero())),
        }
    }

    /// The first number of the seed file, used for `srandom()` (not for hashing).
    pub fn random_seed(&self) -> u32 {
        self.random_seed
    }

    /// The 20 seed words.
    pub fn words(&self) -> &[u32; SEED_WORDS] {
        &self.words
    }

    /// True when the seeds came from a file or `-D` (Zeek's "deterministic" random state).
    pub fn is_deterministic(&self) -> bool {
        self.deterministic
    }

    /// The 80-byte buffer `B`: each word little-endian, word `i` at bytes `4i..4i+4`.
    pub fn bytes(&self) -> [u8; SEED_WORDS * 4] {
        let mut b = [0u8; SEED_WORDS * 4];
        for (chunk, w) in b.chunks_exact_mut(4).zip(self.words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// The SipHash key `(k0, k1)`: `k0 = w[16] + 2^32 w[17]`, `k1 = w[18] + 2^32 w[19]`.
    pub fn siphash_key(&self) -> (u64, u64) {
        let w = &self.words;
        (
            u64::from(w[16]) | (u64::from(w[17]) << 32),
            u64::from(w[18]) | (u64::from(w[19]) << 32),
        )
    }

    /// The table hasher keyed with [`Seeds::siphash_key`].
    pub fn hasher(&self) -> KeyHasher {
        let (k0, k1) = self.siphash_key();
        KeyHasher::new(k0, k1)
    }

    /// The seed file text Zeek writes for `-H FILE`: 21 numbers, one per line.
    pub fn to_file_text(&self) -> String {
        let mut s = format!("{}\n", self.random_seed);
        for w in self.words {
            s.push_str(&format!("{w}\n"));
        }
        s
    }
}

/// One `fscanf("%u")`: skip whitespace, optional sign, decimal digits. Like glibc, a value
/// that overflows saturates at `u64::MAX`, a minus sign negates modulo 2^64, and the result
/// is truncated to 32 bits.
fn scan_u32(rest: &mut &[u8]) -> Option<u32> {
    let mut s = *rest;
    while let [c, tail @ ..] = s {
        if c.is_ascii_whitespace() {
            s = tail;
        } else {
            break;
        }
    }
    let mut negative = false;
    if let [c @ (b'+' | b'-'), tail @ ..] = s {
        negative = *c == b'-';
        s = tail;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &s[..digits] {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .unwrap_or(u64::MAX);
    }
    if negative {
        v = v.wrapping_neg();
    }
    *rest = &s[digits..];
    // Truncation to the `unsigned int` that `%u` stores is the intended behaviour.
    Some(v as u32)
}

static GLOBAL: OnceLock<Seeds> = OnceLock::new();

/// Installs the process-wide seeds. Call once at start-up, before any table is built.
/// Returns the seeds back if they were already installed (explicitly or lazily).
pub fn install_global(seeds: Seeds) -> Result<(), Seeds> {
    GLOBAL.set(seeds)
}

/// The process-wide seeds. If [`install_global`] was not called, they are resolved lazily
/// from `ZEEK_SEED_FILE` (or drawn at random; an unreadable file also falls back to random,
/// so a program that must report that error should call [`Seeds::resolve`] and
/// [`install_global`] itself).
pub fn global() -> &'static Seeds {
    GLOBAL.get_or_init(|| {
        Seeds::resolve(None, false)
            .unwrap_or_else(|_| Seeds::random().unwrap_or_else(|_| Seeds::zero()))
    })
}

/// The process-wide table hasher (from [`global`]).
pub fn global_hasher() -> KeyHasher {
    static HASHER: OnceLock<KeyHasher> = OnceLock::new();
    *HASHER.get_or_init(|| global().hasher())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_like_fscanf() {
        let mut s: &[u8] = b"  12\n-1 +7 4294967296 99999999999999999999999 x";
        assert_eq!(scan_u32(&mut s), Some(12));
        assert_eq!(scan_u32(&mut s), Some(u32::MAX));
        assert_eq!(scan_u32(&mut s), Some(7));
        assert_eq!(scan_u32(&mut s), Some(0));
        assert_eq!(scan_u32(&mut s), Some(u32::MAX));
        assert_eq!(scan_u32(&mut s), None);
    }

    #[test]
    fn too_few_numbers() {
        assert!(Seeds::parse("1 2 3").is_none());
        let text: String = (0..21).map(|i| format!("{i}\n")).collect();
        let s = Seeds::parse(&text).unwrap();
        assert_eq!(s.random_seed(), 0);
        assert_eq!(s.words()[19], 20);
        assert_eq!(s.to_file_text(), text);
    }

    #[test]
    fn precedence() {
        let dir = std::env::temp_dir().join(format!("zest-dict-seed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.seed");
        let text: String = (100..121).map(|i| format!("{i}\n")).collect();
        std::fs::write(&a, text).unwrap();
        let missing = dir.join("missing.seed");

        let from_env = Seeds::resolve_with(None, Some(a.as_os_str()), true).unwrap();
        assert_eq!(from_env.random_seed(), 100);
        // -G wins over the environment.
        let err = Seeds::resolve_with(Some(missing.as_os_str()), Some(a.as_os_str()), false);
        assert!(matches!(err, Err(SeedError::Io { .. })));
        let msg = err.unwrap_err().to_string();
        assert_eq!(
            msg,
            format!("Could not load seeds from file '{}'.", missing.display())
        );
        // An empty ZEEK_SEED_FILE counts as unset.
        let d = Seeds::resolve_with(None, Some(OsStr::new("")), true).unwrap();
        assert_eq!(d, Seeds::zero());
        let r = Seeds::resolve_with(None, None, false).unwrap();
        assert!(!r.is_deterministic());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
