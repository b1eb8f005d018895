//! HighwayHash (the portable algorithm of Google's `highwayhash`), which
//! Zeek's `KeyedHash::Hash128`/`StaticHash128` use: 128-bit results, for
//! example the fake DNS answers of `ZEEK_DNS_FAKE`.

struct State {
    v0: [u64; 4],
    v1: [u64; 4],
    mul0: [u64; 4],
    mul1: [u64; 4],
}

impl State {
    fn new(key: &[u64; 4]) -> State {
        let mul0 = [
            0xdbe6_d5d5_fe4c_ce2f,
            0xa409_3822_299f_31d0,
            0x1319_8a2e_0370_7344,
            0x243f_6a88_85a3_08d3,
        ];
        let mul1 = [
            0x3bd3_9e10_cb0e_f593,
            0xc0ac_f169_b5f1_8a8c,
            0xbe54_66cf_34e9_0c6c,
            0x4528_21e6_38d0_1377,
        ];
        let mut v0 = [0; 4];
        let mut v1 = [0; 4];
        for i in 0..4 {
            v0[i] = mul0[i] ^ key[i];
            v1[i] = mul1[i] ^ key[i].rotate_left(32);
        }
        State { v0, v1, mul0, mul1 }
    }

    fn update(&mut self, lanes: &[u64; 4]) {
        for (i, &lane) in lanes.iter().enumerate() {
            self.v1[i] = self.v1[i].wrapping_add(self.mul0[i].wrapping_add(lane));
            self.mul0[i] ^= (self.v1[i] & 0xffff_ffff).wrapping_mul(self.v0[i] >> 32);
            self.v0[i] = self.v0[i].wrapping_add(self.mul1[i]);
            self.mul1[i] ^= (self.v0[i] & 0xffff_ffff).wrapping_mul(self.v1[i] >> 32);
        }
        let [a0, a1, a2, a3] = &mut self.v0;
        zipper_merge_and_add(self.v1[1], self.v1[0], a1, a0);
        zipper_merge_and_add(self.v1[3], self.v1[2], a3, a2);
        let [b0, b1, b2, b3] = &mut self.v1;
        zipper_merge_and_add(self.v0[1], self.v0[0], b1, b0);
        zipper_merge_and_add(self.v0[3], self.v0[2], b3, b2);
    }

    fn update_packet(&mut self, packet: &[u8]) {
        let mut lanes = [0u64; 4];
        for (i, l) in lanes.iter_mut().enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&packet[i * 8..i * 8 + 8]);
            *l = u64::from_le_bytes(b);
        }
        self.update(&lanes);
    }

    fn update_remainder(&mut self, bytes: &[u8]) {
        let size_mod32 = bytes.len();
        let size_mod4 = size_mod32 & 3;
        let rem_start = size_mod32 & !3;
        let remainder = &bytes[rem_start..];
        let mut packet = [0u8; 32];
        for v in &mut self.v0 {
            *v = v.wrapping_add(((size_mod32 as u64) << 32).wrapping_add(size_mod32 as u64));
        }
        let count = size_mod32 as u32;
        for v in &mut self.v1 {
            let half0 = (*v & 0xffff_ffff) as u32;
            let half1 = (*v >> 32) as u32;
            *v = u64::from(half0.rotate_left(count)) | (u64::from(half1.rotate_left(count)) << 32);
        }
        packet[..rem_start].copy_from_slice(&bytes[..rem_start]);
        if size_mod32 & 16 != 0 {
            for i in 0..4 {
                packet[28 + i] = bytes[rem_start + i + size_mod4 - 4];
            }
        } else if size_mod4 != 0 {
            packet[16] = remainder[0];
            packet[17] = remainder[size_mod4 >> 1];
            packet[18] = remainder[size_mod4 - 1];
        }
        self.update_packet(&packet);
    }

    fn permute_and_update(&mut self) {
        let v = self.v0;
        let permuted = [
            v[2].rotate_left(32),
            v[3].rotate_left(32),
            v[0].rotate_left(32),
            v[1].rotate_left(32),
        ];
        self.update(&permuted);
    }
}

fn zipper_merge_and_add(v1: u64, v0: u64, add1: &mut u64, add0: &mut u64) {
    *add0 = add0.wrapping_add(
        (((v0 & 0xff00_0000) | (v1 & 0x00ff_0000_0000)) >> 24)
            | (((v0 & 0xff00_0000_0000) | (v1 & 0x00ff_0000_0000_0000)) >> 16)
            | (v0 & 0x00ff_0000)
            | ((v0 & 0xff00) << 32)
            | ((v1 & 0xff00_0000_0000_0000) >> 8)
            | (v0 << 56),
    );
    *add1 = add1.wrapping_add(
        (((v1 & 0xff00_0000) | (v0 & 0x00ff_0000_0000)) >> 24)
            | (v1 & 0x00ff_0000)
            | ((v1 & 0xff00_0000_0000) >> 16)
            | ((v1 & 0xff00) << 24)
            | ((v0 & 0x00ff_0000_0000_0000) >> 8)
            | ((v1 & 0xff) << 48)
            | (v0 & 0xff00_0000_0000_0000),
    );
}

fn absorb(key: &[u64; 4], data: &[u8]) -> State {
    let mut s = State::new(key);
    let full = data.len() & !31;
    for chunk in data[..full].chunks_exact(32) {
        s.update_packet(chunk);
    }
    if data.len() & 31 != 0 {
        s.update_remainder(&data[full..]);
    }
    s
}

/// The 64-bit HighwayHash of `data` under `key`.
pub fn highway_hash64(key: &[u64; 4], data: &[u8]) -> u64 {
    let mut s = absorb(key, data);
    for _ in 0..4 {
        s.permute_and_update();
    }
    s.v0[0]
        .wrapping_add(s.v1[0])
        .wrapping_add(s.mul0[0])
        .wrapping_add(s.mul1[0])
}

/// The 128-bit HighwayHash of `data` under `key` (two words, in the order
/// of `hash128_t`).
pub fn highway_hash128(key: &[u64; 4], data: &[u8]) -> [u64; 2] {
    let mut s = absorb(key, data);
    for _ in 0..6 {
        s.permute_and_update();
    }
    [
        s.v0[0]
            .wrapping_add(s.mul0[0])
            .wrapping_add(s.v1[2])
            .wrapping_add(s.mul1[2]),
        s.v0[1]
            .wrapping_add(s.mul0[1])
            .wrapping_add(s.v1[3])
            .wrapping_add(s.mul1[3]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vector_empty() {
        // From highwayhash's test vectors.
        let key = [
            0x0706_0504_0302_0100,
            0x0F0E_0D0C_0B0A_0908,
            0x1716_1514_1312_1110,
            0x1F1E_1D1C_1B1A_1918,
        ];
        assert_eq!(highway_hash64(&key, b""), 0x907A_56DE_22C2_6E53);
    }
}
