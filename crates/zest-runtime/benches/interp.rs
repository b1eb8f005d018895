//! Interpreter hot paths without process start-up or the script library:
//! a script function called from Rust, script-level recursion and loops,
//! and one event through the queue. Run with `cargo bench -p zest-runtime`;
//! the whole-process suite is `tasks/bench/run`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use zest_runtime::ir::Loc;
use zest_runtime::loader::{LoadStatus, Loader};
use zest_runtime::{Interp, Program, Value};
use zest_syntax::Symbol;

const SRC: &str = "\
function plus(a: count, b: count): count
	{
	return a + b;
	}

function fib(n: count): count
	{
	if ( n < 2 )
		return n;
	return fib(n - 1) + fib(n - 2);
	}

function spin(n: count): count
	{
	local i = 0;
	local c = 0;
	while ( i < n )
		{
		c = (c * 31 + i) % 1000003;
		++i;
		}
	return c;
	}

global seen = 0;
global ping: event(n: count);
event ping(n: count) { seen = seen + n; }
event ping(n: count) &priority=-5 { seen = seen + 1; }
";

/// The benchmark program on a bare `Program` (no natives, no library).
fn interp() -> Interp {
    let mut it = Interp::new(Program::new());
    let mut loader = Loader::default();
    let st = it.load_source(&mut loader, "interp.zeek".to_owned(), SRC.to_owned());
    assert_eq!(st, LoadStatus::Ok);
    assert_eq!(it.error_count, 0);
    it
}

fn gid(it: &Interp, name: &str) -> u32 {
    it.prog
        .lookup(Symbol::intern(name))
        .unwrap_or_else(|| panic!("`{name}` is declared"))
}

fn call(it: &mut Interp, f: u32, args: &mut [Value]) -> Value {
    it.call_global(f, args, Loc::default())
        .expect("the call succeeds")
}

fn bench_interp(c: &mut Criterion) {
    let mut it = interp();
    let (plus, fib, spin, ping) = (
        gid(&it, "plus"),
        gid(&it, "fib"),
        gid(&it, "spin"),
        gid(&it, "ping"),
    );
    assert!(matches!(
        call(&mut it, fib, &mut [Value::Count(20)]),
        Value::Count(6765)
    ));

    c.bench_function("call_global plus", |b| {
        let mut args = [Value::Count(1), Value::Count(2)];
        b.iter(|| {
            args[0] = Value::Count(black_box(40));
            call(&mut it, plus, &mut args)
        })
    });
    c.bench_function("script fib(20)", |b| {
        b.iter(|| call(&mut it, fib, &mut [Value::Count(black_box(20))]))
    });
    c.bench_function("script while 10000", |b| {
        b.iter(|| call(&mut it, spin, &mut [Value::Count(black_box(10_000))]))
    });
    c.bench_function("event queue+drain, 2 bodies", |b| {
        b.iter(|| {
            it.queue_event(ping, vec![Value::Count(black_box(3))]);
            it.drain();
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_interp
}
criterion_main!(benches);
