//! The PE file analyzer end to end: a small PE32 read by an input
//! analysis stream is typed `application/x-dosexec`, gets the PE analyzer,
//! raises its header events with Zeek's record values, and
//! `base/files/pe` writes its `pe.log` line; a file whose DOS header fails
//! its check raises `analyzer_violation_info` with binpac's message.
//!
//! The library is `$ZEEK_DIST/scripts`, or
//! `<workspace>/../shared/zeek-5.2/scripts` without `ZEEK_DIST`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zest-pe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `zeek -b script.zeek` in `dir`; stdout.
fn run(dir: &Path, script: &str) -> String {
    std::fs::write(dir.join("script.zeek"), script).unwrap();
    let zeekpath = common::zeekpath();
    let out = Command::new(env!("CARGO_BIN_EXE_zeek"))
        .current_dir(dir)
        .args(["-b", "script.zeek"])
        .env("ZEEKPATH", zeekpath)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("CLUSTER_NODE")
        .output()
        .expect("run zeek");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn p16(b: &mut Vec<u8>, v: u16) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn p32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

/// A PE32 with a 64-byte DOS stub, 16 data directories (import and debug
/// tables present) and two sections.
fn small_pe() -> Vec<u8> {
    let mut b = b"MZ".to_vec();
    for i in 0..13 {
        p16(&mut b, 0x90 + i);
    }
    b.extend_from_slice(&[0; 8]);
    p16(&mut b, 0x11);
    p16(&mut b, 0x22);
    b.extend_from_slice(&[0; 20]);
    p32(&mut b, 128);
    b.extend(64u8..128);
    b.extend_from_slice(b"PE\0\0");
    for v in [0x14c, 2] {
        p16(&mut b, v);
    }
    for v in [0x5e0b_1234, 0, 0] {
        p32(&mut b, v);
    }
    p16(&mut b, 224);
    p16(&mut b, 0x0102);
    p16(&mut b, 0x10b);
    b.extend_from_slice(&[14, 1]);
    for v in [
        0x1000, 0x200, 0, 0x1010, 0x1000, 0x2000, 0x40_0000, 0x1000, 0x200,
    ] {
        p32(&mut b, v);
    }
    for v in [6, 1, 0, 0, 6, 0] {
        p16(&mut b, v);
    }
    for v in [0, 0x3000, 0x400, 0] {
        p32(&mut b, v);
    }
    p16(&mut b, 3);
    p16(&mut b, 0x8140);
    for v in [0x10_0000, 0x1000, 0x10_0000, 0x1000, 0, 16] {
        p32(&mut b, v);
    }
    for i in 0..16 {
        p32(&mut b, 0x1000 * i);
        p32(&mut b, if i == 1 || i == 6 { 0x28 } else { 0 });
    }
    for (name, ptr) in [(&b".text"[..], 0x400), (&b".data"[..], 0x600)] {
        let mut n = name.to_vec();
        n.resize(8, 0);
        b.extend(n);
        for v in [0x100, 0x1000, 0x200, ptr, 0, 0] {
            p32(&mut b, v);
        }
        p16(&mut b, 0);
        p16(&mut b, 0);
        p32(&mut b, 0x6000_0020);
    }
    b.resize(0x800, 0xcc);
    b
}

const EVENTS: &str = r#"
@load base/frameworks/files
@load base/files/pe
event zeek_init() { Input::add_analysis([$source="./small.exe", $name="./small.exe"]); }
event pe_dos_header(f: fa_file, h: PE::DOSHeader)
	{ print "dos", h$signature, h$used_bytes_in_last_page, h$overlay_num, h$oem_id, h$oem_info, h$addr_of_new_exe_header; }
event pe_dos_code(f: fa_file, code: string) { print "code", |code|, bytestring_to_count(code[0]); }
event pe_file_header(f: fa_file, h: PE::FileHeader)
	{ print "file", h$machine, h$ts, h$optional_header_size, |h$characteristics|, 2 in h$characteristics, 0x100 in h$characteristics; }
event pe_optional_header(f: fa_file, h: PE::OptionalHeader)
	{
	print "opt", h$magic, h$base_of_data, h$image_base, h$os_version_major, h$os_version_minor, h$size_of_headers, h$subsystem;
	print "opt", |h$dll_characteristics|, 0x40 in h$dll_characteristics, 0x100 in h$dll_characteristics, 0x8000 in h$dll_characteristics, h$table_sizes;
	}
event pe_section_header(f: fa_file, h: PE::SectionHeader)
	{ print "section", h$name, h$ptr_to_raw_data, |h$characteristics|, 0x80000000 in h$characteristics, 0x40000000 in h$characteristics; }
event analyzer_violation_info(tag: AllAnalyzers::Tag, info: AnalyzerViolationInfo) { print tag, info$reason; }
event file_state_remove(f: fa_file) { print "remove", f$info$mime_type, f$info$analyzers; }
"#;

#[test]
fn pe_headers_events_and_log() {
    let dir = scratch("events");
    std::fs::write(dir.join("small.exe"), small_pe()).unwrap();
    let out = run(&dir, EVENTS);
    let want = "\
dos, MZ, 144, 156, 17, 34, 128
code, 64, 64
file, 332, 1577783860.0, 224, 2, T, T
opt, 267, 8192, 4194304, 6, 1, 1024, 3
opt, 3, T, T, T, [0, 40, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0]
section, .text, 1024, 3, F, T
section, .data, 1536, 3, F, T
remove, application/x-dosexec, {
PE
}
";
    assert_eq!(out, want);
    let log = std::fs::read_to_string(dir.join("pe.log")).unwrap();
    let line = log.lines().find(|l| !l.starts_with('#')).unwrap();
    let fields: Vec<&str> = line.split('\t').skip(2).collect();
    assert_eq!(
        fields.join(" "),
        "I386 1577783860.000000 Windows 7 or Server 2008 R2 WINDOWS_CUI T F T T F T T F F T .text,.data"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dos_header_violation() {
    let dir = scratch("violation");
    let mut data = b"MZ".to_vec();
    data.extend_from_slice(&[b'0'; 61]);
    data.push(b'\n');
    std::fs::write(dir.join("small.exe"), data).unwrap();
    let out = run(&dir, EVENTS);
    assert_eq!(
        out,
        "Files::ANALYZER_PE, Binpac exception: binpac exception: &enforce violation : DOS_Header:AddressOfNewExeHeader\n\
         remove, application/x-dosexec, {\nPE\n}\n"
    );
    assert!(!dir.join("pe.log").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
