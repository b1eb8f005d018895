//! Grisu2 shortest-digit generation exactly as rapidjson implements it
//! (`auxil/rapidjson/include/rapidjson/internal/{diyfp,dtoa}.h` at Zeek 5.2.2's pin), which
//! `to_json` uses for doubles and times.
//!
//! Grisu2 (Loitsch, "Printing Floating-Point Numbers Quickly and Accurately with Integers",
//! PLDI 2010) yields digits that read back to the same double, but unlike a shortest-and-closest
//! algorithm (Rust's `{}`) it occasionally yields one digit more or a different last digit, so
//! byte-exact output needs the algorithm itself: 64-bit "do-it-yourself" floats, a table of
//! cached powers of ten, digit generation inside the rounding interval and the final
//! "weed out" rounding step.

/// A 64-bit significand with a binary exponent: `f × 2^e`.
#[derive(Clone, Copy)]
struct DiyFp {
    f: u64,
    e: i32,
}

const SIGNIFICAND_BITS: i32 = 52;
const HIDDEN_BIT: u64 = 1 << 52;
const EXPONENT_BIAS: i32 = 0x3ff + SIGNIFICAND_BITS;

impl DiyFp {
    fn from_f64(v: f64) -> DiyFp {
        let bits = v.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let significand = bits & (HIDDEN_BIT - 1);
        if biased != 0 {
            DiyFp {
                f: significand + HIDDEN_BIT,
                e: biased - EXPONENT_BIAS,
            }
        } else {
            DiyFp {
                f: significand,
                e: 1 - EXPONENT_BIAS,
            }
        }
    }

    /// Product rounded to 64 bits (round half up on the dropped low word).
    fn mul(self, rhs: DiyFp) -> DiyFp {
        let p = u128::from(self.f) * u128::from(rhs.f);
        let mut h = (p >> 64) as u64;
        if (p as u64) & (1 << 63) != 0 {
            h += 1;
        }
        DiyFp {
            f: h,
            e: self.e + rhs.e + 64,
        }
    }

    fn normalize(self) -> DiyFp {
        let s = self.f.leading_zeros();
        DiyFp {
            f: self.f << s,
            e: self.e - s as i32,
        }
    }

    fn normalize_boundary(self) -> DiyFp {
        let mut r = self;
        while r.f & (HIDDEN_BIT << 1) == 0 {
            r.f <<= 1;
            r.e -= 1;
        }
        let shift = 64 - SIGNIFICAND_BITS - 2;
        DiyFp {
            f: r.f << shift,
            e: r.e - shift,
        }
    }

    /// The boundaries m⁻ and m⁺ of the rounding interval, with m⁺ normalized and m⁻ sharing its
    /// exponent.
    fn normalized_boundaries(self) -> (DiyFp, DiyFp) {
        let plus = DiyFp {
            f: (self.f << 1) + 1,
            e: self.e - 1,
        }
        .normalize_boundary();
        let mut minus = if self.f == HIDDEN_BIT {
            DiyFp {
                f: (self.f << 2) - 1,
                e: self.e - 2,
            }
        } else {
            DiyFp {
                f: (self.f << 1) - 1,
                e: self.e - 1,
            }
        };
        minus.f <<= minus.e - plus.e;
        minus.e = plus.e;
        (minus, plus)
    }
}

/// Normalized 64-bit approximations (rounded to nearest) of 10^k for k = −348, −340, …, 340,
/// with their binary exponents.
#[rustfmt::skip]
const CACHED_POWERS: [(u64, i32); 87] = [
    (0xfa8f_d5a0_081c_0288, -1220), (0xbaae_e17f_a23e_bf76, -1193), (0x8b16_fb20_3055_ac76, -1166),
    (0xcf42_894a_5dce_35ea, -1140), (0x9a6b_b0aa_5565_3b2d, -1113), (0xe61a_cf03_3d1a_45df, -1087),
    (0xab70_fe17_c79a_c6ca, -1060), (0xff77_b1fc_bebc_dc4f, -1034), (0xbe56_91ef_416b_d60c, -1007),
    (0x8dd0_1fad_907f_fc3c, -980), (0xd351_5c28_3155_9a83, -954), (0x9d71_ac8f_ada6_c9b5, -927),
    (0xea9c_2277_23ee_8bcb, -901), (0xaecc_4991_4078_536d, -874), (0x823c_1279_5db6_ce57, -847),
    (0xc210_9436_4dfb_5637, -821), (0x9096_ea6f_3848_984f, -794), (0xd774_85cb_2582_3ac7, -768),
    (0xa086_cfcd_97bf_97f4, -741), (0xef34_0a98_172a_ace5, -715), (0xb238_67fb_2a35_b28e, -688),
    (0x84c8_d4df_d2c6_3f3b, -661), (0xc5dd_4427_1ad3_cdba, -635), (0x936b_9fce_bb25_c996, -608),
    (0xdbac_6c24_7d62_a584, -582), (0xa3ab_6658_0d5f_daf6, -555), (0xf3e2_f893_dec3_f126, -529),
    (0xb5b5_ada8_aaff_80b8, -502), (0x8762_5f05_6c7c_4a8b, -475), (0xc9bc_ff60_34c1_3053, -449),
    (0x964e_858c_91ba_2655, -422), (0xdff9_7724_7029_7ebd, -396), (0xa6df_bd9f_b8e5_b88f, -369),
    (0xf8a9_5fcf_8874_7d94, -343), (0xb944_7093_8fa8_9bcf, -316), (0x8a08_f0f8_bf0f_156b, -289),
    (0xcdb0_2555_6531_31b6, -263), (0x993f_e2c6_d07b_7fac, -236), (0xe45c_10c4_2a2b_3b06, -210),
    (0xaa24_2499_6973_92d3, -183), (0xfd87_b5f2_8300_ca0e, -157), (0xbce5_0864_9211_1aeb, -130),
    (0x8cbc_cc09_6f50_88cc, -103), (0xd1b7_1758_e219_652c, -77), (0x9c40_0000_0000_0000, -50),
    (0xe8d4_a510_0000_0000, -24), (0xad78_ebc5_ac62_0000, 3), (0x813f_3978_f894_0984, 30),
    (0xc097_ce7b_c907_15b3, 56), (0x8f7e_32ce_7bea_5c70, 83), (0xd5d2_38a4_abe9_8068, 109),
    (0x9f4f_2726_179a_2245, 136), (0xed63_a231_d4c4_fb27, 162), (0xb0de_6538_8cc8_ada8, 189),
    (0x83c7_088e_1aab_65db, 216), (0xc45d_1df9_4271_1d9a, 242), (0x924d_692c_a61b_e758, 269),
    (0xda01_ee64_1a70_8dea, 295), (0xa26d_a399_9aef_774a, 322), (0xf209_787b_b47d_6b85, 348),
    (0xb454_e4a1_79dd_1877, 375), (0x865b_8692_5b9b_c5c2, 402), (0xc835_53c5_c896_5d3d, 428),
    (0x952a_b45c_fa97_a0b3, 455), (0xde46_9fbd_99a0_5fe3, 481), (0xa59b_c234_db39_8c25, 508),
    (0xf6c6_9a72_a398_9f5c, 534), (0xb7dc_bf53_54e9_bece, 561), (0x88fc_f317_f222_41e2, 588),
    (0xcc20_ce9b_d35c_78a5, 614), (0x9816_5af3_7b21_53df, 641), (0xe2a0_b5dc_971f_303a, 667),
    (0xa8d9_d153_5ce3_b396, 694), (0xfb9b_7cd9_a4a7_443c, 720), (0xbb76_4c4c_a7a4_4410, 747),
    (0x8bab_8eef_b640_9c1a, 774), (0xd01f_ef10_a657_842c, 800), (0x9b10_a4e5_e991_3129, 827),
    (0xe710_9bfb_a19c_0c9d, 853), (0xac28_20d9_623b_f429, 880), (0x8044_4b5e_7aa7_cf85, 907),
    (0xbf21_e440_03ac_dd2d, 933), (0x8e67_9c2f_5e44_ff8f, 960), (0xd433_179d_9c8c_b841, 986),
    (0x9e19_db92_b4e3_1ba9, 1013), (0xeb96_bf6e_badf_77d9, 1039), (0xaf87_023b_9bf0_ee6b, 1066),
];

/// The cached power c = 10^(−K) that brings `e` into the digit-generation window.
fn cached_power(e: i32) -> (DiyFp, i32) {
    let dk = f64::from(-61 - e) * 0.301_029_995_663_981_14 + 347.0;
    let mut k = dk as i32;
    if dk - f64::from(k) > 0.0 {
        k += 1;
    }
    let index = (k >> 3) + 1;
    let decimal_k = -(-348 + (index << 3));
    let (f, e) = CACHED_POWERS[usize::try_from(index).expect("index within the table")];
    (DiyFp { f, e }, decimal_k)
}

const POW10: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// Moves the last digit toward w while that stays inside the interval and gets closer.
fn round_weed(buf: &mut [u8], len: usize, delta: u64, mut rest: u64, ten_kappa: u64, wp_w: u64) {
    while rest < wp_w
        && delta - rest >= ten_kappa
        && (rest + ten_kappa < wp_w || wp_w - rest > rest + ten_kappa - wp_w)
    {
        buf[len - 1] -= 1;
        rest += ten_kappa;
    }
}

fn count_decimal_digits(n: u32) -> u32 {
    // Digit generation never sees 10 digits here.
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1_000..=9_999 => 4,
        10_000..=99_999 => 5,
        100_000..=999_999 => 6,
        1_000_000..=9_999_999 => 7,
        10_000_000..=99_999_999 => 8,
        _ => 9,
    }
}

/// Generates digits of `mp` (the scaled upper boundary) until they are within `delta`.
fn digit_gen(w: DiyFp, mp: DiyFp, mut delta: u64, buf: &mut [u8; 20], k: &mut i32) -> usize {
    let one_shift = u32::try_from(-mp.e).expect("the cached power puts mp.e in [-60, -32]");
    let one_f = 1u64 << one_shift;
    let wp_w = mp.f - w.f;
    let mut p1 = u32::try_from(mp.f >> one_shift).expect("integral part fits 32 bits");
    let mut p2 = mp.f & (one_f - 1);
    let mut kappa = count_decimal_digits(p1);
    let mut len = 0;
    while kappa > 0 {
        let div = u32::try_from(POW10[kappa as usize - 1]).expect("at most 10^8");
        let d = p1 / div;
        p1 %= div;
        if d != 0 || len != 0 {
            buf[len] = b'0' + d as u8;
            len += 1;
        }
        kappa -= 1;
        let tmp = (u64::from(p1) << one_shift) + p2;
        if tmp <= delta {
            *k += kappa as i32;
            round_weed(
                buf,
                len,
                delta,
                tmp,
                POW10[kappa as usize] << one_shift,
                wp_w,
            );
            return len;
        }
    }
    // kappa == 0: continue with the fractional part.
    let mut kappa: i32 = 0;
    loop {
        p2 = p2.wrapping_mul(10);
        delta = delta.wrapping_mul(10);
        let d = (p2 >> one_shift) as u8;
        if d != 0 || len != 0 {
            buf[len] = b'0' + d;
            len += 1;
        }
        p2 &= one_f - 1;
        kappa -= 1;
        if p2 < delta {
            *k += kappa;
            let index = usize::try_from(-kappa).expect("negative kappa");
            let scale = if index < 20 { POW10[index] } else { 0 };
            round_weed(buf, len, delta, p2, one_f, wp_w.wrapping_mul(scale));
            return len;
        }
    }
}

/// Grisu2 digits of a finite `v > 0`: writes them into `buf` and returns `(len, K)` with
/// `v ≈ digits × 10^K`.
pub(super) fn grisu2(v: f64, buf: &mut [u8; 20]) -> (usize, i32) {
    let v = DiyFp::from_f64(v);
    let (w_m, w_p) = v.normalized_boundaries();
    let (c_mk, mut k) = cached_power(w_p.e);
    let w = v.normalize().mul(c_mk);
    let mut wp = w_p.mul(c_mk);
    let mut wm = w_m.mul(c_mk);
    wm.f += 1;
    wp.f -= 1;
    let len = digit_gen(w, wp, wp.f - wm.f, buf, &mut k);
    (len, k)
}
