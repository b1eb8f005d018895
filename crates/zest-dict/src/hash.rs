//! The keyed hash of table keys (spec §2.3–2.4) and the bucket function of the dictionary
//! (§4.2).
//!
//! Zeek hashes the serialised key bytes with plain SipHash-2-4 (64-bit output) keyed with the
//! last 16 bytes of the seed buffer. The dictionary keeps only the low 32 bits.

use siphasher::sip::SipHasher24;

/// SipHash-2-4 keyed like Zeek's `KeyedHash::Hash64`.
#[derive(Clone, Copy, Debug)]
pub struct KeyHasher {
    sip: SipHasher24,
}

impl KeyHasher {
    /// A hasher with the SipHash key `(k0, k1)`.
    pub fn new(k0: u64, k1: u64) -> KeyHasher {
        KeyHasher {
            sip: SipHasher24::new_with_keys(k0, k1),
        }
    }

    /// The SipHash key `(k0, k1)`.
    pub fn keys(&self) -> (u64, u64) {
        self.sip.keys()
    }

    /// The 64-bit hash of `bytes` (no length prefix, unlike `std::hash::Hash` for slices).
    #[inline]
    pub fn hash(&self, bytes: &[u8]) -> u64 {
        self.sip.hash(bytes)
    }
}

/// The multiplier of Zeek's Fibonacci hashing (2^64 / φ).
const FIB: u64 = 0x9E37_79B9_7F4A_7C15;

/// The bucket of a 32-bit hash in a table of `2^log2` buckets: the **low** `log2` bits of
/// `h32 * 0x9E3779B97F4A7C15` (mod 2^64); 0 when `log2` is 0.
#[inline]
pub fn bucket(h32: u32, log2: u32) -> usize {
    if log2 == 0 {
        return 0;
    }
    let f = u64::from(h32).wrapping_mul(FIB);
    // `log2` stays far below 64 (a table never gets near 2^32 buckets).
    (f & ((1u64 << log2) - 1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference vector of the SipHash paper (key 00..0f, message 00..0e).
    #[test]
    fn siphash_paper_vector() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        let msg: Vec<u8> = (0u8..15).collect();
        assert_eq!(KeyHasher::new(k0, k1).hash(&msg), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn buckets_from_trace() {
        // trace-01: key 1 has h32 f0b7a833 and Fibonacci product d7dece0fa047802f.
        assert_eq!(
            u64::from(0xf0b7_a833u32).wrapping_mul(FIB),
            0xd7de_ce0f_a047_802f
        );
        assert_eq!(bucket(0xf0b7_a833, 0), 0);
        assert_eq!(bucket(0xf0b7_a833, 4), 15);
    }
}
