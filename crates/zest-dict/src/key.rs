//! Hashed keys: the serialised bytes of an index plus their 64-bit keyed hash.
//!
//! [`Key`] owns its bytes (inline up to [`INLINE_KEY_BYTES`] bytes, which covers counts,
//! addresses, subnets and short strings without an allocation). [`KeyRef`] borrows them, so
//! lookups with a scratch [`crate::KeyBuf`] never allocate.

use std::fmt;

use crate::hash::KeyHasher;

/// Keys up to this many bytes are stored without a heap allocation.
pub const INLINE_KEY_BYTES: usize = 22;

#[derive(Clone)]
enum Bytes {
    Inline {
        len: u8,
        data: [u8; INLINE_KEY_BYTES],
    },
    Heap(Box<[u8]>),
}

impl Bytes {
    #[inline]
    fn new(b: &[u8]) -> Bytes {
        if b.len() <= INLINE_KEY_BYTES {
            let mut data = [0u8; INLINE_KEY_BYTES];
            data[..b.len()].copy_from_slice(b);
            // Fits: checked against INLINE_KEY_BYTES just above.
            Bytes::Inline {
                len: b.len() as u8,
                data,
            }
        } else {
            Bytes::Heap(b.into())
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline { len, data } => &data[..usize::from(*len)],
            Bytes::Heap(b) => b,
        }
    }
}

/// An owned hashed key.
#[derive(Clone)]
pub struct Key {
    bytes: Bytes,
    hash: u64,
}

/// A borrowed hashed key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyRef<'a> {
    bytes: &'a [u8],
    hash: u64,
}

impl Key {
    /// Hashes `bytes` with `hasher` and keeps a copy.
    pub fn new(bytes: &[u8], hasher: &KeyHasher) -> Key {
        Key {
            bytes: Bytes::new(bytes),
            hash: hasher.hash(bytes),
        }
    }

    /// A key whose hash is already known. `hash` must be the keyed hash of `bytes` (only
    /// its low 32 bits matter to the dictionary).
    pub fn with_hash(bytes: &[u8], hash: u64) -> Key {
        Key {
            bytes: Bytes::new(bytes),
            hash,
        }
    }

    /// The serialised key bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The 64-bit keyed hash.
    #[inline]
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The low 32 bits of the hash, the part the dictionary uses.
    #[inline]
    pub fn h32(&self) -> u32 {
        self.hash as u32
    }

    /// A borrowed view.
    #[inline]
    pub fn key_ref(&self) -> KeyRef<'_> {
        KeyRef {
            bytes: self.bytes(),
            hash: self.hash,
        }
    }
}

impl<'a> KeyRef<'a> {
    /// Hashes `bytes` with `hasher`.
    #[inline]
    pub fn new(bytes: &'a [u8], hasher: &KeyHasher) -> KeyRef<'a> {
        KeyRef {
            bytes,
            hash: hasher.hash(bytes),
        }
    }

    /// A view whose hash is already known (see [`Key::with_hash`]).
    #[inline]
    pub fn with_hash(bytes: &'a [u8], hash: u64) -> KeyRef<'a> {
        KeyRef { bytes, hash }
    }

    /// The serialised key bytes.
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The 64-bit keyed hash.
    #[inline]
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The low 32 bits of the hash.
    #[inline]
    pub fn h32(&self) -> u32 {
        self.hash as u32
    }

    /// An owned copy.
    pub fn to_key(&self) -> Key {
        Key::with_hash(self.bytes, self.hash)
    }
}

impl<'a> From<&'a Key> for KeyRef<'a> {
    fn from(k: &'a Key) -> KeyRef<'a> {
        k.key_ref()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.hash == other.hash && self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

fn fmt_key(bytes: &[u8], hash: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "Key(")?;
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    write!(f, " #{hash:016x})")
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_key(self.bytes(), self.hash, f)
    }
}

impl fmt::Debug for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_key(self.bytes, self.hash, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap() {
        let h = KeyHasher::new(1, 2);
        let short = Key::new(b"abc", &h);
        let long = Key::new(&[7u8; 40], &h);
        assert_eq!(short.bytes(), b"abc");
        assert_eq!(long.bytes(), &[7u8; 40][..]);
        assert_eq!(short.key_ref().to_key(), short);
        assert_eq!(std::mem::size_of::<Key>(), 32);
    }
}
