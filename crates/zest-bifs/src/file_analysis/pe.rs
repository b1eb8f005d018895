//! The PE file analyzer (`file_analysis/analyzer/pe/`): Zeek parses the
//! headers of a Portable Executable with a binpac flow (`pe.pac`); this is
//! the same parse, done by hand.
//!
//! binpac's flow buffers the stream in frames: each part of the headers is
//! parsed, and its event raised, as soon as the bytes it needs have
//! arrived, and not before:
//!
//! - the DOS header: 64 bytes (its `&enforce` check included);
//! - the DOS stub: `AddressOfNewExeHeader - 64` bytes;
//! - the NT headers: the file header once their first 24 bytes are there,
//!   the optional header once all `24 + SizeOfOptionalHeader` are;
//! - the section headers: all `NumberOfSections * 40` bytes at once.
//!
//! Then the parser is done (the analyzer detaches), after computing the
//! length of the data that follows the headers, which fails when it comes
//! out negative as a 32-bit length. A parse error is binpac's exception,
//! with binpac's message; nothing is raised for the part that failed.

/// The field names of binpac's out-of-bound messages are those of the
/// generated parser; the location of the padding's invalid string length
/// is that of `pe-file-types.pac` in Zeek's source tree.
const PADDING_LOCATION: &str = "src/file_analysis/analyzer/pe/pe-file-types.pac:34";

/// `MAX_DOS_CODE_LENGTH` of `pe-file-headers.pac`.
const MAX_DOS_CODE_LENGTH: u32 = 4 * 1024 * 1024;

/// `PE_File_Format` of `pe-file-types.pac`.
const PE32: u8 = 1;
const PE32_PLUS: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DosHeader {
    pub signature: Vec<u8>,
    pub used_bytes_in_last_page: u16,
    pub file_in_pages: u16,
    pub num_reloc_items: u16,
    pub header_in_paragraphs: u16,
    pub min_extra_paragraphs: u16,
    pub max_extra_paragraphs: u16,
    pub init_relative_ss: u16,
    pub init_sp: u16,
    pub checksum: u16,
    pub init_ip: u16,
    pub init_relative_cs: u16,
    pub addr_of_reloc_table: u16,
    pub overlay_num: u16,
    pub oem_id: u16,
    pub oem_info: u16,
    pub addr_of_new_exe_header: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeader {
    pub machine: u16,
    pub number_of_sections: u16,
    pub ts: u32,
    pub sym_table_ptr: u32,
    pub num_syms: u32,
    pub optional_header_size: u16,
    pub characteristics: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalHeader {
    pub magic: u16,
    pub major_linker_version: u8,
    pub minor_linker_version: u8,
    pub size_of_code: u32,
    pub size_of_init_data: u32,
    pub size_of_uninit_data: u32,
    pub addr_of_entry_point: u32,
    pub base_of_code: u32,
    /// Unset for PE32+ (0 when the format is neither PE32 nor PE32+).
    pub base_of_data: Option<u32>,
    pub image_base: u64,
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub os_version_major: u16,
    pub os_version_minor: u16,
    pub major_image_version: u16,
    pub minor_image_version: u16,
    pub major_subsys_version: u16,
    pub minor_subsys_version: u16,
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub checksum: u32,
    pub subsystem: u16,
    pub dll_characteristics: u16,
    /// The sizes of the data directories.
    pub table_sizes: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHeader {
    /// Up to the first NUL.
    pub name: Vec<u8>,
    pub virtual_size: u32,
    pub virtual_addr: u32,
    pub size_of_raw_data: u32,
    pub ptr_to_raw_data: u32,
    pub ptr_to_relocs: u32,
    pub ptr_to_line_nums: u32,
    pub num_of_relocs: u16,
    pub num_of_line_nums: u16,
    pub characteristics: u32,
}

/// What the parse raises, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    DosHeader(DosHeader),
    DosCode(Vec<u8>),
    FileHeader(FileHeader),
    OptionalHeader(OptionalHeader),
    SectionHeader(SectionHeader),
}

/// The part of the headers whose bytes the parser waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    DosHeader,
    DosCode,
    NtFileHeader,
    NtRest,
    Sections,
    Done,
}

/// The parse of one file's headers (the binpac flow and its connection
/// state).
pub struct Parser {
    /// The bytes from the start of the current part on.
    buf: Vec<u8>,
    part: Part,
    dos_code_len: u32,
    file_header: Option<FileHeader>,
    /// `NT_Headers::size_of_headers`.
    size_of_headers: u32,
    /// The connection's PE32 format, set by an optional header's magic.
    pe32_format: u8,
    /// The end of the furthest section's raw data.
    max_file_location: u64,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(w)
}

/// `binpac::ExceptionOutOfBound`'s message.
fn out_of_bound(field: &str, needed: i64, given: i64) -> String {
    format!("binpac exception: out_of_bound: {field}: {needed} > {given}")
}

/// binpac's bound check of `n` bytes at `off` in `b`.
fn check(b: &[u8], off: usize, n: usize, field: &str) -> Result<(), String> {
    if off + n > b.len() {
        return Err(out_of_bound(field, (off + n) as i64, b.len() as i64));
    }
    Ok(())
}

impl Parser {
    pub fn new() -> Parser {
        Parser {
            buf: Vec::new(),
            part: Part::DosHeader,
            dos_code_len: 0,
            file_header: None,
            size_of_headers: 0,
            pe32_format: 0,
            max_file_location: 0,
        }
    }

    /// The headers are parsed (`MockConnection::is_done`).
    pub fn is_done(&self) -> bool {
        self.part == Part::Done
    }

    /// The bytes the current part needs.
    fn needed(&self) -> usize {
        match self.part {
            Part::DosHeader => 64,
            Part::DosCode => self.dos_code_len as usize,
            Part::NtFileHeader => 24,
            Part::NtRest => {
                24 + self
                    .file_header
                    .as_ref()
                    .map_or(0, |h| h.optional_header_size as usize)
            }
            Part::Sections => {
                40 * self
                    .file_header
                    .as_ref()
                    .map_or(0, |h| h.number_of_sections as usize)
            }
            Part::Done => 0,
        }
    }

    /// Takes the next stream data (`File::NewData`): the events of the
    /// parts it completes go to `events`; an error is binpac's exception
    /// message (the parse then stops).
    pub fn feed(&mut self, data: &[u8], events: &mut Vec<Event>) -> Result<(), String> {
        if self.part == Part::Done {
            return Ok(());
        }
        self.buf.extend_from_slice(data);
        let mut start = 0;
        let r = loop {
            if self.part == Part::Done {
                break Ok(());
            }
            let need = self.needed();
            if self.buf.len() - start < need {
                break Ok(());
            }
            let frame = std::mem::take(&mut self.buf);
            let r = self.parse_part(&frame[start..start + need], events);
            self.buf = frame;
            if let Err(e) = r {
                break Err(e);
            }
            // The NT headers' frame grows: its first 24 bytes stay.
            if self.part != Part::NtRest {
                start += need;
            }
        };
        if r.is_err() || self.part == Part::Done {
            self.part = Part::Done;
            self.buf = Vec::new();
        } else {
            self.buf.drain(..start);
        }
        r
    }

    fn parse_part(&mut self, b: &[u8], events: &mut Vec<Event>) -> Result<(), String> {
        match self.part {
            Part::DosHeader => {
                let h = dos_header(b);
                let addr = h.addr_of_new_exe_header;
                if !(addr >= 64 && addr.wrapping_sub(64) < MAX_DOS_CODE_LENGTH) {
                    return Err(
                        "binpac exception: &enforce violation : DOS_Header:AddressOfNewExeHeader"
                            .to_string(),
                    );
                }
                events.push(Event::DosHeader(h));
                self.dos_code_len = addr - 64;
                self.part = Part::DosCode;
            }
            Part::DosCode => {
                events.push(Event::DosCode(b.to_vec()));
                self.part = Part::NtFileHeader;
            }
            Part::NtFileHeader => {
                let h = file_header(&b[4..24]);
                events.push(Event::FileHeader(h.clone()));
                self.file_header = Some(h);
                self.part = Part::NtRest;
            }
            Part::NtRest => {
                // The PE signature is checked, to no effect.
                let opt_size = self
                    .file_header
                    .as_ref()
                    .map_or(0, |h| h.optional_header_size);
                if opt_size > 0 {
                    let oh = self.optional_header(&b[24..])?;
                    self.size_of_headers = oh.size_of_headers;
                    if matches!(oh.magic, 0x10b | 0x107 | 0x20b) {
                        events.push(Event::OptionalHeader(oh));
                    }
                }
                self.part = Part::Sections;
            }
            Part::Sections => {
                for s in b.chunks_exact(40) {
                    let h = section_header(s);
                    let end = h.size_of_raw_data.wrapping_add(h.ptr_to_raw_data) as u64;
                    if end > self.max_file_location {
                        self.max_file_location = end;
                    }
                    events.push(Event::SectionHeader(h));
                }
                self.part = Part::Done;
                self.padding()?;
            }
            Part::Done => {}
        }
        Ok(())
    }

    /// The padding after the headers (`Portable_Executable::pad`): its
    /// length is taken as a 32-bit signed length.
    fn padding(&self) -> Result<(), String> {
        let Some(fh) = &self.file_header else {
            return Ok(());
        };
        let is_exe = fh.optional_header_size > 0;
        let nt_len = fh.optional_header_size as u32 + 24;
        let length = 64u32
            .wrapping_add(self.dos_code_len)
            .wrapping_add(nt_len)
            .wrapping_add(fh.number_of_sections as u32 * 40) as u64;
        let unparsed_hdr_len = (self.size_of_headers as u64).wrapping_sub(length) as u32;
        let data_post_hdrs = self
            .max_file_location
            .wrapping_sub(self.size_of_headers as u64)
            .wrapping_add(unparsed_hdr_len as u64);
        let rest = if is_exe { data_post_hdrs } else { 0 };
        let len = rest as u32 as i32;
        if len < 0 {
            return Err(format!(
                "binpac exception: invalid length string: {PADDING_LOCATION}: {len}"
            ));
        }
        Ok(())
    }

    /// `Optional_Header::Parse` over its `SizeOfOptionalHeader` bytes.
    fn optional_header(&mut self, b: &[u8]) -> Result<OptionalHeader, String> {
        check(b, 20, 4, "Optional_Header:base_of_code")?;
        let magic = u16_at(b, 0);
        if magic == 0x10b {
            self.pe32_format = PE32;
        }
        if magic == 0x20b {
            self.pe32_format = PE32_PLUS;
        }
        let format = self.pe32_format;
        let mut off = 24;
        let mut base_of_data = 0;
        if format == PE32 {
            check(b, 24, 4, "Optional_Header:base_of_data")?;
            base_of_data = u32_at(b, 24);
            off += 4;
        }
        let image_base = if format == PE32_PLUS {
            check(b, off, 8, "Optional_Header:image_base_64")?;
            off += 8;
            u64_at(b, off - 8)
        } else {
            check(b, off, 4, "Optional_Header:image_base_32")?;
            off += 4;
            u32_at(b, off - 4) as u64
        };
        let p = off;
        check(b, p + 38, 2, "Optional_Header:dll_characteristics")?;
        let mem_start = p + 40;
        let rest = (b.len() - mem_start) as i64;
        let mem = match format {
            PE32 => 16,
            PE32_PLUS => 32,
            _ => 0,
        };
        if mem > 0 && mem as i64 > rest {
            let name = if format == PE32 {
                "Mem_Info32"
            } else {
                "Mem_Info64"
            };
            return Err(out_of_bound(name, mem as i64, rest));
        }
        let q = mem_start + mem;
        check(b, q + 4, 4, "Optional_Header:number_of_rva_and_sizes")?;
        let num = u32_at(b, q + 4);
        let rvas = q + 8;
        let avail = (b.len() - rvas) as i64;
        let n = num as i32;
        if n < 0 || n as i64 > avail / 8 {
            return Err(out_of_bound("RVAS:rvas", n as i64, avail));
        }
        let table_sizes = (0..n as usize)
            .map(|i| u32_at(b, rvas + i * 8 + 4))
            .collect();
        Ok(OptionalHeader {
            magic,
            major_linker_version: b[2],
            minor_linker_version: b[3],
            size_of_code: u32_at(b, 4),
            size_of_init_data: u32_at(b, 8),
            size_of_uninit_data: u32_at(b, 12),
            addr_of_entry_point: u32_at(b, 16),
            base_of_code: u32_at(b, 20),
            base_of_data: (format != PE32_PLUS).then_some(base_of_data),
            image_base,
            section_alignment: u32_at(b, p),
            file_alignment: u32_at(b, p + 4),
            os_version_major: u16_at(b, p + 8),
            os_version_minor: u16_at(b, p + 10),
            major_image_version: u16_at(b, p + 12),
            minor_image_version: u16_at(b, p + 14),
            major_subsys_version: u16_at(b, p + 16),
            minor_subsys_version: u16_at(b, p + 18),
            size_of_image: u32_at(b, p + 24),
            size_of_headers: u32_at(b, p + 28),
            checksum: u32_at(b, p + 32),
            subsystem: u16_at(b, p + 36),
            dll_characteristics: u16_at(b, p + 38),
            table_sizes,
        })
    }
}

/// The DOS header from its 64 bytes.
fn dos_header(b: &[u8]) -> DosHeader {
    let w = |i: usize| u16_at(b, 2 + 2 * i);
    DosHeader {
        signature: b[0..2].to_vec(),
        used_bytes_in_last_page: w(0),
        file_in_pages: w(1),
        num_reloc_items: w(2),
        header_in_paragraphs: w(3),
        min_extra_paragraphs: w(4),
        max_extra_paragraphs: w(5),
        init_relative_ss: w(6),
        init_sp: w(7),
        checksum: w(8),
        init_ip: w(9),
        init_relative_cs: w(10),
        addr_of_reloc_table: w(11),
        overlay_num: w(12),
        // Four reserved words.
        oem_id: w(17),
        oem_info: w(18),
        // Ten reserved words.
        addr_of_new_exe_header: u32_at(b, 60),
    }
}

/// The file header from its 20 bytes.
fn file_header(b: &[u8]) -> FileHeader {
    FileHeader {
        machine: u16_at(b, 0),
        number_of_sections: u16_at(b, 2),
        ts: u32_at(b, 4),
        sym_table_ptr: u32_at(b, 8),
        num_syms: u32_at(b, 12),
        optional_header_size: u16_at(b, 16),
        characteristics: u16_at(b, 18),
    }
}

/// A section header from its 40 bytes.
fn section_header(b: &[u8]) -> SectionHeader {
    let name = &b[..8];
    let name_len = name.iter().position(|&c| c == 0).unwrap_or(8);
    SectionHeader {
        name: name[..name_len].to_vec(),
        virtual_size: u32_at(b, 8),
        virtual_addr: u32_at(b, 12),
        size_of_raw_data: u32_at(b, 16),
        ptr_to_raw_data: u32_at(b, 20),
        ptr_to_relocs: u32_at(b, 24),
        ptr_to_line_nums: u32_at(b, 28),
        num_of_relocs: u16_at(b, 32),
        num_of_line_nums: u16_at(b, 34),
        characteristics: u32_at(b, 36),
    }
}

/// `characteristics_to_zeek`: the value of each bit set among the low
/// `bits`.
pub fn characteristics(c: u32, bits: u32) -> Vec<u64> {
    (0..bits)
        .filter(|i| (c >> i) & 1 == 1)
        .map(|i| 1u64 << i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put16(b: &mut Vec<u8>, v: u16) {
        b.extend_from_slice(&v.to_le_bytes());
    }

    fn put32(b: &mut Vec<u8>, v: u32) {
        b.extend_from_slice(&v.to_le_bytes());
    }

    /// The DOS header (with `e_lfanew` = `lfanew`) and a stub up to it.
    fn dos(lfanew: u32) -> Vec<u8> {
        let mut b = b"MZ".to_vec();
        for i in 0..13u16 {
            put16(&mut b, 0x90 + i);
        }
        b.extend_from_slice(&[0; 8]);
        put16(&mut b, 0x11);
        put16(&mut b, 0x22);
        b.extend_from_slice(&[0; 20]);
        put32(&mut b, lfanew);
        assert_eq!(b.len(), 64);
        for i in 64..lfanew.min(4096) {
            b.push(i as u8);
        }
        b
    }

    /// A file header after the PE signature.
    fn nt(nsections: u16, opt_size: u16) -> Vec<u8> {
        let mut b = b"PE\0\0".to_vec();
        put16(&mut b, 0x14c);
        put16(&mut b, nsections);
        put32(&mut b, 0x5e0b_1234);
        put32(&mut b, 7);
        put32(&mut b, 8);
        put16(&mut b, opt_size);
        put16(&mut b, 0x0102);
        b
    }

    /// An optional header: PE32 (`plus` false) or PE32+.
    fn optional(plus: bool, nrva: u32, rvas: u32) -> Vec<u8> {
        let mut b = Vec::new();
        put16(&mut b, if plus { 0x20b } else { 0x10b });
        b.extend_from_slice(&[14, 1]);
        for v in [0x1000, 0x200, 0, 0x1010, 0x1000] {
            put32(&mut b, v);
        }
        if plus {
            b.extend_from_slice(&0x1_4000_0000u64.to_le_bytes());
        } else {
            put32(&mut b, 0x2000);
            put32(&mut b, 0x40_0000);
        }
        put32(&mut b, 0x1000);
        put32(&mut b, 0x200);
        for v in [6, 1, 2, 3, 6, 0] {
            put16(&mut b, v);
        }
        put32(&mut b, 0);
        put32(&mut b, 0x3000);
        put32(&mut b, 0x200);
        put32(&mut b, 0xabcd);
        put16(&mut b, 3);
        put16(&mut b, 0x8140);
        let mem = if plus { 32 } else { 16 };
        b.extend(std::iter::repeat_n(0x10, mem));
        put32(&mut b, 0);
        put32(&mut b, nrva);
        for i in 0..rvas {
            put32(&mut b, 0x1000 * i);
            put32(&mut b, if i == 1 { 0x28 } else { 0 });
        }
        b
    }

    fn section(name: &[u8], raw_size: u32, raw_ptr: u32) -> Vec<u8> {
        let mut b = name.to_vec();
        b.resize(8, 0);
        for v in [0x100, 0x1000, raw_size, raw_ptr, 1, 2] {
            put32(&mut b, v);
        }
        put16(&mut b, 3);
        put16(&mut b, 4);
        put32(&mut b, 0x6000_0020);
        b
    }

    /// A small well-formed PE32: DOS header and a 64-byte stub, NT headers
    /// with a 224-byte optional header (16 data directories), one section.
    fn pe32() -> Vec<u8> {
        let mut b = dos(128);
        b.extend(nt(1, 224));
        b.extend(optional(false, 16, 16));
        b.extend(section(b".text", 0x200, 0x200));
        b.extend(std::iter::repeat_n(0xcc, 0x400 - b.len()));
        b
    }

    fn run(chunks: &[&[u8]]) -> (Vec<Event>, Result<(), String>, bool) {
        let mut p = Parser::new();
        let mut ev = Vec::new();
        let mut r = Ok(());
        for c in chunks {
            r = p.feed(c, &mut ev);
            if r.is_err() {
                break;
            }
        }
        (ev, r, p.is_done())
    }

    #[test]
    fn well_formed_pe32() {
        let data = pe32();
        let (ev, r, done) = run(&[&data]);
        assert_eq!(r, Ok(()));
        assert!(done);
        assert_eq!(ev.len(), 5);
        let Event::DosHeader(h) = &ev[0] else {
            panic!("{:?}", ev[0])
        };
        assert_eq!(h.signature, b"MZ");
        assert_eq!(h.used_bytes_in_last_page, 0x90);
        assert_eq!(h.overlay_num, 0x90 + 12);
        assert_eq!((h.oem_id, h.oem_info), (0x11, 0x22));
        assert_eq!(h.addr_of_new_exe_header, 128);
        let Event::DosCode(code) = &ev[1] else {
            panic!("{:?}", ev[1])
        };
        assert_eq!(code.len(), 64);
        assert_eq!(code[0], 64);
        assert_eq!(
            ev[2],
            Event::FileHeader(FileHeader {
                machine: 0x14c,
                number_of_sections: 1,
                ts: 0x5e0b_1234,
                sym_table_ptr: 7,
                num_syms: 8,
                optional_header_size: 224,
                characteristics: 0x0102,
            })
        );
        let Event::OptionalHeader(o) = &ev[3] else {
            panic!("{:?}", ev[3])
        };
        assert_eq!(o.magic, 0x10b);
        assert_eq!((o.major_linker_version, o.minor_linker_version), (14, 1));
        assert_eq!(o.addr_of_entry_point, 0x1010);
        assert_eq!(o.base_of_data, Some(0x2000));
        assert_eq!(o.image_base, 0x40_0000);
        assert_eq!((o.section_alignment, o.file_alignment), (0x1000, 0x200));
        assert_eq!((o.os_version_major, o.os_version_minor), (6, 1));
        assert_eq!((o.major_image_version, o.minor_image_version), (2, 3));
        assert_eq!((o.major_subsys_version, o.minor_subsys_version), (6, 0));
        assert_eq!(
            (o.size_of_image, o.size_of_headers, o.checksum),
            (0x3000, 0x200, 0xabcd)
        );
        assert_eq!((o.subsystem, o.dll_characteristics), (3, 0x8140));
        assert_eq!(o.table_sizes.len(), 16);
        assert_eq!(o.table_sizes[1], 0x28);
        assert_eq!(o.table_sizes[0], 0);
        assert_eq!(
            ev[4],
            Event::SectionHeader(SectionHeader {
                name: b".text".to_vec(),
                virtual_size: 0x100,
                virtual_addr: 0x1000,
                size_of_raw_data: 0x200,
                ptr_to_raw_data: 0x200,
                ptr_to_relocs: 1,
                ptr_to_line_nums: 2,
                num_of_relocs: 3,
                num_of_line_nums: 4,
                characteristics: 0x6000_0020,
            })
        );
        assert_eq!(characteristics(0x0102, 16), vec![2, 0x100]);
        assert_eq!(
            characteristics(0x6000_0020, 32),
            vec![0x20, 0x2000_0000, 0x4000_0000]
        );
        assert_eq!(characteristics(0x8000_0000, 32), vec![0x8000_0000]);
    }

    /// Each part's event comes with the byte that completes the part.
    #[test]
    fn events_at_the_byte_that_completes_a_part() {
        let data = pe32();
        let mut p = Parser::new();
        let mut ev = Vec::new();
        let mut seen = Vec::new();
        for (i, b) in data.iter().enumerate() {
            let n = ev.len();
            assert_eq!(p.feed(std::slice::from_ref(b), &mut ev), Ok(()));
            if ev.len() > n {
                seen.push((i + 1, ev.len() - n));
            }
        }
        assert_eq!(seen, vec![(64, 1), (128, 1), (152, 1), (376, 1), (416, 1)]);
        assert!(p.is_done());
        let (whole, _, _) = run(&[&data]);
        assert_eq!(ev, whole);
    }

    #[test]
    fn pe32_plus_and_no_optional_header() {
        let mut data = dos(64);
        data.extend(nt(2, 240));
        data.extend(optional(true, 16, 16));
        data.extend(section(b"12345678", 0x200, 0x400));
        data.extend(section(b"", 0x200, 0x600));
        let (ev, r, done) = run(&[&data]);
        assert_eq!(r, Ok(()));
        assert!(done);
        assert_eq!(ev[1], Event::DosCode(Vec::new()));
        let Event::OptionalHeader(o) = &ev[3] else {
            panic!("{:?}", ev[3])
        };
        assert_eq!(o.base_of_data, None);
        assert_eq!(o.image_base, 0x1_4000_0000);
        let Event::SectionHeader(s) = &ev[4] else {
            panic!("{:?}", ev[4])
        };
        assert_eq!(s.name, b"12345678");
        let Event::SectionHeader(s) = &ev[5] else {
            panic!("{:?}", ev[5])
        };
        assert_eq!(s.name, b"");

        // An object file: no optional header, no padding.
        let mut data = dos(64);
        data.extend(nt(0, 0));
        let (ev, r, done) = run(&[&data]);
        assert_eq!((r, done, ev.len()), (Ok(()), true, 3));
    }

    #[test]
    fn dos_header_enforce() {
        let mut data = b"MZ".to_vec();
        data.extend_from_slice(&[b'0'; 61]);
        data.push(b'\n');
        let (ev, r, done) = run(&[&data[..10], &data[10..]]);
        assert!(ev.is_empty());
        assert!(done);
        assert_eq!(
            r,
            Err(
                "binpac exception: &enforce violation : DOS_Header:AddressOfNewExeHeader"
                    .to_string()
            )
        );
        for lfanew in [0, 63, 64 + 4 * 1024 * 1024, u32::MAX] {
            let (_, r, _) = run(&[&dos(lfanew)]);
            assert!(r.is_err(), "{lfanew}");
        }
        let (ev, r, done) = run(&[&dos(64 + 4 * 1024 * 1024 - 1)]);
        assert_eq!((ev.len(), r, done), (1, Ok(()), false));
    }

    #[test]
    fn truncated_input_waits() {
        let data = pe32();
        for n in [0, 1, 63, 64, 127, 128, 151, 152, 375, 376, 415] {
            let (ev, r, done) = run(&[&data[..n]]);
            assert_eq!(r, Ok(()));
            assert!(!done, "{n}");
            let want = match n {
                0..=63 => 0,
                64..=127 => 1,
                128..=151 => 2,
                152..=375 => 3,
                376..=415 => 4,
                _ => 5,
            };
            assert_eq!(ev.len(), want, "{n}");
        }
    }

    #[test]
    fn out_of_bound_errors() {
        // An optional header too short for its fields.
        let mut data = dos(64);
        data.extend(nt(0, 10));
        data.extend_from_slice(&[0x0b, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
        let (ev, r, _) = run(&[&data]);
        assert_eq!(ev.len(), 3);
        assert_eq!(
            r,
            Err(
                "binpac exception: out_of_bound: Optional_Header:base_of_code: 24 > 10".to_string()
            )
        );
        // More data directories than bytes.
        let mut data = dos(64);
        data.extend(nt(0, 224));
        data.extend(optional(false, 100, 16));
        let (_, r, _) = run(&[&data]);
        assert_eq!(
            r,
            Err("binpac exception: out_of_bound: RVAS:rvas: 100 > 128".to_string())
        );
        // A negative count of them.
        let mut data = dos(64);
        data.extend(nt(0, 224));
        data.extend(optional(false, u32::MAX, 16));
        let (_, r, _) = run(&[&data]);
        assert_eq!(
            r,
            Err("binpac exception: out_of_bound: RVAS:rvas: -1 > 128".to_string())
        );
        // No room for the memory sizes of PE32+.
        let mut data = dos(64);
        data.extend(nt(0, 100));
        data.extend(optional(true, 0, 0)[..100].iter().copied());
        let (_, r, _) = run(&[&data]);
        assert_eq!(
            r,
            Err("binpac exception: out_of_bound: Mem_Info64: 32 > 28".to_string())
        );
    }

    /// Headers larger than the sections' data: the padding's length is
    /// negative as a 32-bit length.
    #[test]
    fn negative_padding() {
        let mut data = dos(64);
        data.extend(nt(0, 224));
        data.extend(optional(false, 16, 16));
        let (ev, r, done) = run(&[&data]);
        assert_eq!(ev.len(), 4);
        assert!(done);
        assert_eq!(
            r,
            Err(format!(
                "binpac exception: invalid length string: {PADDING_LOCATION}: -312"
            ))
        );
    }

    /// Random and mutated input, in random pieces, never panics.
    #[test]
    fn arbitrary_input_never_panics() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let base = pe32();
        for round in 0..3000 {
            let mut data = if round % 3 == 0 {
                (0..(next() % 600)).map(|_| next() as u8).collect()
            } else {
                base.clone()
            };
            if round % 3 != 0 {
                for _ in 0..(1 + next() % 6) {
                    let i = (next() % data.len() as u64) as usize;
                    data[i] = next() as u8;
                }
                let cut = (next() % (data.len() as u64 + 1)) as usize;
                data.truncate(cut);
            }
            let mut p = Parser::new();
            let mut ev = Vec::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                let n = 1 + (next() % 97) as usize;
                let (a, b) = rest.split_at(n.min(rest.len()));
                if p.feed(a, &mut ev).is_err() {
                    assert!(p.is_done());
                    break;
                }
                rest = b;
            }
        }
    }
}
