//! Spec §7 ("Hash test vectors", btest seed key) and the `-D` examples of §2.3: serialised
//! bytes, 64-bit SipHash, low 32 bits and buckets at L=4 and L=5, plus the seed-derived key.

mod common;

use common::{btest, key, shared_dir};
use zest_dict::{bucket, Dict, KeyBuf, KeyHasher, Proto, Seeds};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One row of the table: bytes (hex), hash, low 32 bits, bucket at L=4 and L=5.
fn check(
    h: &KeyHasher,
    what: &str,
    f: impl FnOnce(&mut KeyBuf),
    row: (&str, u64, u32, usize, usize),
) {
    let k = key(h, f);
    assert_eq!(hex(k.bytes()), row.0, "{what}: bytes");
    assert_eq!(k.hash(), row.1, "{what}: hash");
    assert_eq!(k.h32(), row.2, "{what}: h32");
    assert_eq!(bucket(k.h32(), 4), row.3, "{what}: bucket L=4");
    assert_eq!(bucket(k.h32(), 5), row.4, "{what}: bucket L=5");
}

#[test]
fn btest_seed_key() {
    let seeds = Seeds::read_file(&shared_dir().join("zeek-5.2/btest/random.seed")).unwrap();
    assert_eq!(
        seeds.siphash_key(),
        (0x0000_0000_572a_e495, 0x0000_7fff_87cc_e000)
    );
    assert_eq!(
        hex(&seeds.bytes()[64..]),
        "95e42a570000000000e0cc87ff7f0000"
    );
    assert_eq!(seeds.random_seed(), 2_983_378_351);
}

#[test]
fn deterministic_mode_examples() {
    let h = Seeds::zero().hasher();
    assert_eq!(key(&h, |k| k.write_count(1)).hash(), 0x8004_c5a6_9410_5f5e);
    assert_eq!(
        key(&h, |k| k.write_singleton_string(b"apple")).hash(),
        0x09ab_e293_4145_99fb
    );
}

#[test]
fn section_7_table() {
    let h = btest();
    check(
        &h,
        "count 1",
        |k| k.write_count(1),
        (
            "0100000000000000",
            0x1687_48ee_f0b7_a833,
            0xf0b7_a833,
            15,
            15,
        ),
    );
    check(
        &h,
        "count 20",
        |k| k.write_count(20),
        ("1400000000000000", 0x7c53_a4f0_769d_24fa, 0x769d_24fa, 2, 2),
    );
    check(
        &h,
        "int -1",
        |k| k.write_int(-1),
        (
            "ffffffffffffffff",
            0x4bbd_6659_6be6_1715,
            0x6be6_1715,
            9,
            25,
        ),
    );
    check(
        &h,
        "bool T",
        |k| k.write_bool(true),
        (
            "0100000000000000",
            0x1687_48ee_f0b7_a833,
            0xf0b7_a833,
            15,
            15,
        ),
    );
    check(
        &h,
        "enum 2",
        |k| k.write_enum(2),
        ("0200000000000000", 0x2953_add3_44e1_1b5a, 0x44e1_1b5a, 2, 2),
    );
    check(
        &h,
        "double 1.5",
        |k| k.write_double(1.5),
        (
            "000000000000f83f",
            0x8d75_6a9b_e056_6303,
            0xe056_6303,
            15,
            31,
        ),
    );
    check(
        &h,
        "interval 1min",
        |k| k.write_double(60.0),
        ("0000000000004e40", 0xc3d8_7d26_2583_4b20, 0x2583_4b20, 0, 0),
    );
    check(
        &h,
        "port 80/tcp",
        |k| k.write_port(80, Proto::Tcp),
        (
            "5000010000000000",
            0xef75_5c0a_e9c6_3078,
            0xe9c6_3078,
            8,
            24,
        ),
    );
    check(
        &h,
        "port 53/udp",
        |k| k.write_port(53, Proto::Udp),
        ("3500020000000000", 0x0922_b4c6_b203_557a, 0xb203_557a, 2, 2),
    );
    check(
        &h,
        "string apple",
        |k| k.write_singleton_string(b"apple"),
        ("6170706c65", 0xfa75_bff7_e10c_9a35, 0xe10c_9a35, 9, 25),
    );
    check(
        &h,
        "string empty",
        |k| k.write_singleton_string(b""),
        ("", 0xf366_6e6f_9d5e_bea5, 0x9d5e_bea5, 9, 9),
    );
    check(
        &h,
        "addr 10.0.0.1",
        |k| k.write_addr("10.0.0.1".parse().unwrap()),
        (
            "00000000000000000000ffff0a000001",
            0x1b10_4b73_1e1f_37ca,
            0x1e1f_37ca,
            2,
            18,
        ),
    );
    check(
        &h,
        "addr 2001:db8::1",
        |k| k.write_addr("2001:db8::1".parse().unwrap()),
        (
            "20010db8000000000000000000000001",
            0x51ed_6247_4859_8115,
            0x4859_8115,
            9,
            25,
        ),
    );
    check(
        &h,
        "subnet 10.1.2.0/24",
        |k| k.write_subnet("10.1.2.0".parse().unwrap(), 24),
        (
            "00000000000000000000ffff0a01020018000000",
            0x72af_9244_5d26_aba1,
            0x5d26_aba1,
            5,
            21,
        ),
    );
    check(
        &h,
        "pattern /foo/",
        |k| k.write_singleton_pattern(b"^?(foo)$?", b"^?(.|\\n)*(foo)"),
        (
            "5e3f28666f6f29243f005e3f282e7c5c6e292a28666f6f2900",
            0x56cc_2c2e_9b90_5188,
            0x9b90_5188,
            8,
            8,
        ),
    );
    check(
        &h,
        "[3, beta]",
        |k| {
            k.write_count(3);
            k.write_string(b"beta");
        },
        (
            "03000000000000000400000062657461",
            0xe09c_d194_bf91_206e,
            0xbf91_206e,
            6,
            6,
        ),
    );
    check(
        &h,
        "[e1, 1]",
        |k| {
            k.write_string(b"e1");
            k.write_count(1);
        },
        (
            "02000000653100000100000000000000",
            0x505a_c7e1_ab1b_8149,
            0xab1b_8149,
            13,
            29,
        ),
    );
    check(
        &h,
        "[10.0.0.1, 1001/tcp]",
        |k| {
            k.write_addr("10.0.0.1".parse().unwrap());
            k.write_port(1001, Proto::Tcp);
        },
        (
            "00000000000000000000ffff0a000001e903010000000000",
            0xdd94_9264_aa42_72f0,
            0xaa42_72f0,
            0,
            16,
        ),
    );
    check(
        &h,
        "record [a=1, b=x, c unset]",
        |k| {
            k.write_count(1);
            k.write_string(b"x");
            k.write_optional_flag(false);
        },
        (
            "0100000000000000010000007800",
            0xe20d_6709_c7af_df11,
            0xc7af_df11,
            5,
            5,
        ),
    );

    // set[count] {1, 2} as a key: the inner set's elements in serialisation order.
    let mut inner: Dict<()> = Dict::new();
    for i in [1, 2] {
        inner.insert(common::count(&h, i).key_ref(), ());
    }
    let order = inner.serialization_order(true);
    check(
        &h,
        "set {1, 2}",
        |k| {
            k.write_table_header(inner.len());
            for id in order {
                k.write_list_header(1);
                k.write_count(common::read_count(inner.key(id).unwrap()));
            }
        },
        (
            "0200000001000000020000000000000001000000000000000100000000000000",
            0x54f6_4da9_acef_5e95,
            0xacef_5e95,
            9,
            25,
        ),
    );
    check(
        &h,
        "vector [1, 2]",
        |k| {
            k.write_vector_header(2);
            for (i, v) in [1u64, 2].into_iter().enumerate() {
                k.write_vector_slot(i as u32, true);
                k.write_count(v);
            }
        },
        (
            "02000000000000000100000000000000010000000000000001000000010000000200000000000000",
            0xce6c_7a93_da25_6643,
            0xda25_6643,
            15,
            31,
        ),
    );
}
