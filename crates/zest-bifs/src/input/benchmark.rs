//! The benchmark reader (`input/readers/benchmark/Benchmark.cc`): random
//! rows, `source` of them per second, for load tests.

use super::backend::{Ctx, Mode, Reader};
use super::value::{Data, Val};
use std::net::{IpAddr, Ipv4Addr};
use zest_runtime::types::Tag;
use zest_runtime::value::Proto;

const RAND_MAX: u64 = 0x7fff_ffff;

#[derive(Clone, Debug)]
pub struct BenchmarkConsts {
    pub factor: f64,
    pub spread: u64,
    pub autospread: f64,
    pub addfactor: u64,
    pub stopspreadat: u64,
    pub timedspread: f64,
    pub heartbeat_interval: f64,
}

pub struct Benchmark {
    c: BenchmarkConsts,
    num_lines: i64,
    autospread_time: i64,
    heartbeatstarttime: f64,
    rng: u64,
}

fn curr_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn usleep(us: i64) {
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us as u64));
    }
}

impl Benchmark {
    pub fn new(c: BenchmarkConsts) -> Benchmark {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        Benchmark {
            c,
            num_lines: 0,
            autospread_time: 0,
            heartbeatstarttime: 0.0,
            rng: seed,
        }
    }

    /// `random()`: 31 random bits.
    fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 33) & RAND_MAX
    }

    fn random_string(&mut self, len: usize) -> Vec<u8> {
        const VALUES: &[u8] = b"0123456789!@#$%^&*()-_=+{}[]\\|ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\0";
        (0..len)
            .map(|_| {
                let i = (self.random() / (RAND_MAX / VALUES.len() as u64)) as usize;
                VALUES[i.min(VALUES.len() - 1)]
            })
            .collect()
    }

    fn entry_to_val(&mut self, ctx: &mut Ctx, ty: Tag, subtype: Tag) -> Option<Val> {
        let data = match ty {
            Tag::String => Data::Bytes(self.random_string(10)),
            Tag::Bool => Data::Int(1),
            Tag::Int => Data::Int(self.random() as i64),
            Tag::Time => Data::Double(curr_time()),
            Tag::Double | Tag::Interval => Data::Double(self.random() as f64),
            Tag::Count => Data::Count(self.random()),
            Tag::Port => Data::Port(self.random() / (RAND_MAX / 60000), Proto::Unknown),
            Tag::Subnet => Data::Subnet(IpAddr::V4(Ipv4Addr::new(192, 168, 17, 1)), 16),
            Tag::Addr => Data::Addr(IpAddr::V4(Ipv4Addr::new(192, 168, 17, 1))),
            Tag::Table | Tag::Vector => {
                let length = self.random() / (RAND_MAX / 15);
                let mut items = Vec::new();
                for _ in 0..length {
                    let Some(v) = self.entry_to_val(ctx, subtype, Tag::Enum) else {
                        ctx.error("Error while reading set");
                        return None;
                    };
                    items.push(v);
                }
                Data::List(items)
            }
            other => {
                ctx.error(&format!(
                    "unsupported field format {}",
                    super::manager::tag_number(other)
                ));
                return None;
            }
        };
        Some(Val {
            ty,
            subtype,
            data: Some(data),
            line: -1,
        })
    }
}

impl Reader for Benchmark {
    fn do_init(&mut self, ctx: &mut Ctx) -> bool {
        self.num_lines = super::formatter::strtoll(&ctx.info.source).value as i32 as i64;
        if self.c.autospread != 0.0 {
            self.autospread_time =
                (1_000_000.0 / (self.c.autospread * self.num_lines as f64)) as i64;
        }
        self.heartbeatstarttime = curr_time();
        self.do_update(ctx);
        true
    }

    fn do_update(&mut self, ctx: &mut Ctx) -> bool {
        let linestosend = (self.num_lines as f64 * self.c.heartbeat_interval) as i64;
        for i in 0..linestosend {
            let mut vals = Vec::new();
            for f in ctx.fields.clone() {
                match self.entry_to_val(ctx, f.ty, f.subtype) {
                    Some(v) => vals.push(v),
                    None => vals.push(Val::unset(f.ty)),
                }
            }
            if ctx.mode() == Mode::Stream {
                ctx.put(vals);
            } else {
                ctx.send_entry(vals);
            }
            if self.c.stopspreadat == 0 || (self.num_lines as u64) < self.c.stopspreadat {
                if self.c.spread != 0 {
                    usleep(self.c.spread as i64);
                }
                if self.autospread_time != 0 {
                    usleep(self.autospread_time);
                }
            }
            if self.c.timedspread != 0.0 {
                let target =
                    i as f64 / (linestosend as f64 + linestosend as f64 * self.c.timedspread);
                while (curr_time() - self.heartbeatstarttime) / self.c.heartbeat_interval < target {
                    std::thread::yield_now();
                }
            }
        }
        if ctx.mode() != Mode::Stream {
            ctx.end_current_send();
        }
        true
    }

    fn do_heartbeat(&mut self, ctx: &mut Ctx, _nt: f64, _ct: f64) -> bool {
        self.num_lines = (self.num_lines as f64 * self.c.factor) as i64;
        self.num_lines += self.c.addfactor as i64;
        self.heartbeatstarttime = curr_time();
        match ctx.mode() {
            Mode::Manual => {}
            Mode::Reread | Mode::Stream => {
                if self.c.factor != 1.0 || self.c.addfactor != 0 {
                    let v = vec![
                        Val::new(Tag::Count, Data::Count(self.num_lines as u64)),
                        Val::new(Tag::Time, Data::Double(curr_time())),
                    ];
                    ctx.send_event("lines_changed", v);
                }
                if self.c.autospread != 0.0 {
                    self.autospread_time =
                        (1_000_000.0 / (self.c.autospread * self.num_lines as f64)) as i64;
                }
                self.update(ctx);
                ctx.send_event("HeartbeatDone", Vec::new());
            }
        }
        true
    }

    fn do_close(&mut self, _ctx: &mut Ctx) {}
}
