//! Heap allocations on the interpreter's hot paths, counted by a global
//! allocator that lives in this test binary only.
//!
//! - Calling a simple script function allocates nothing once warmed up:
//!   frames live on `Interp::stack` (`run_body`), whose capacity is
//!   reserved by `Interp::new`.
//! - Dispatching an event goes by the handler's global id
//!   (`QueuedEvent::handler`, an index into `Program::globals`), never by
//!   name: no hashing, and a small constant number of allocations per
//!   event (see `EVENT_ALLOC_BOUND`).
//!
//! Counts are per thread (the test harness runs tests on several threads),
//! and each test reports what it measured on stdout
//! (`cargo test --test alloc -- --nocapture`).

// A `GlobalAlloc` implementation is unsafe by definition; this one only
// forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use zest_runtime::interp::QueuedEvent;
use zest_runtime::ir::Loc;
use zest_runtime::loader::{LoadStatus, Loader};
use zest_runtime::{Interp, Program, Value};
use zest_syntax::Symbol;

struct Counting;

thread_local! {
    /// Whether this thread's allocations are being counted.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// Allocations (alloc, alloc_zeroed, realloc) seen while counting.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note_alloc() {
    // `try_with`: the thread-locals may already be gone while a thread
    // exits; const-initialized ones without Drop never allocate.
    let _ = COUNTING.try_with(|c| {
        if c.get() {
            let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_alloc();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the number of heap allocations it
/// made on this thread.
fn count_allocs<T>(f: impl FnOnce() -> T) -> (T, u64) {
    ALLOCS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, ALLOCS.with(Cell::get))
}

/// An interpreter with `src` loaded on a bare program (no natives, no
/// library), and the global id of `name`.
fn load(src: &str, name: &str) -> (Interp, u32) {
    let mut it = Interp::new(Program::new());
    let mut loader = Loader::default();
    let st = it.load_source(&mut loader, "alloc.zeek".to_owned(), src.to_owned());
    assert_eq!(st, LoadStatus::Ok, "the test script loads");
    assert_eq!(it.error_count, 0, "the test script compiles without errors");
    let gid = it
        .prog
        .lookup(Symbol::intern(name))
        .unwrap_or_else(|| panic!("`{name}` is declared"));
    (it, gid)
}

const PLUS: &str = "function plus(a: count, b: count): count { return a + b; }\n";

/// Calls `plus(i, 1)` `n` times through `Interp::call_global`; returns the
/// sum of the results.
fn call_plus(it: &mut Interp, gid: u32, n: u64) -> u64 {
    let mut sum = 0;
    let mut args = [Value::Count(0), Value::Count(1)];
    for i in 0..n {
        args[0] = Value::Count(i);
        match it.call_global(gid, &mut args, Loc::default()) {
            Ok(Value::Count(r)) => sum += r,
            other => panic!("plus returned {other:?}"),
        }
    }
    sum
}

#[test]
fn calling_a_script_function_does_not_allocate() {
    let (mut it, plus) = load(PLUS, "plus");
    // Warm up: the first calls may size buffers.
    assert_eq!(call_plus(&mut it, plus, 100), (0..100).map(|i| i + 1).sum());

    let (sum, small) = count_allocs(|| call_plus(&mut it, plus, 1_000));
    assert_eq!(sum, (0..1_000u64).map(|i| i + 1).sum());
    let (sum, large) = count_allocs(|| call_plus(&mut it, plus, 10_000));
    assert_eq!(sum, (0..10_000u64).map(|i| i + 1).sum());

    println!("call_global(plus): {small} allocations for 1,000 calls, {large} for 10,000 calls");
    assert!(
        large <= small,
        "calls allocate: {small} allocations for 1,000 calls, {large} for 10,000 ({:.3} per call)",
        large as f64 / 10_000.0
    );
    assert_eq!(
        large, 0,
        "calling plus allocated {large} times in 10,000 calls"
    );
    assert!(it.stack.is_empty(), "every frame was popped");
}

/// The same call made from script code: a `while` loop calling `plus`, so
/// the call expression itself (argument evaluation and the call) is on
/// the measured path.
///
/// Fails at the time of writing with exactly one allocation per call: the
/// argument vector that `ExprKind::Call` in `src/interp/eval.rs` builds
/// (`Vec::with_capacity(args.len())`) before `call_global` copies the
/// arguments onto `Interp::stack`.
#[test]
fn script_to_script_calls_do_not_allocate() {
    let src = format!(
        "{PLUS}\
         function loop_plus(n: count): count\n\
         \t{{\n\
         \tlocal s = 0;\n\
         \tlocal i = 0;\n\
         \twhile ( i < n )\n\
         \t\t{{\n\
         \t\ts = plus(s, i) % 1000003;\n\
         \t\t++i;\n\
         \t\t}}\n\
         \treturn s;\n\
         \t}}\n"
    );
    let (mut it, looper) = load(&src, "loop_plus");
    let mut run = |n: u64| {
        let mut args = [Value::Count(n)];
        let r = it.call_global(looper, &mut args, Loc::default());
        let expect = (0..n).fold(0, |s, i| (s + i) % 1_000_003);
        assert!(
            matches!(r, Ok(Value::Count(v)) if v == expect),
            "loop_plus({n}) = {r:?}"
        );
    };
    run(100);

    let ((), small) = count_allocs(|| run(1_000));
    let ((), large) = count_allocs(|| run(10_000));
    println!(
        "script loop calling plus: {small} allocations for 1,000 calls, {large} for 10,000 calls"
    );
    assert!(
        large <= small,
        "script-to-script calls allocate: {small} allocations for 1,000 calls, {large} for \
         10,000 ({:.3} per call)",
        large as f64 / 10_000.0
    );
}

/// Allocations one event may cost, justified by construction:
///
/// 1. the argument vector the event is raised with (`QueuedEvent::args`,
///    a `Vec<Value>` the queue owns until the handler runs: the `event`
///    statement builds it in `exec.rs`, a native caller passes one in);
/// 2. `Interp::dispatch`'s snapshot of the handler's bodies (a clone of
///    the global's `Vec<Rc<Body>>`, so that a handler may run while the
///    program is borrowed).
///
/// Nothing else: the handler is found by index (`QueuedEvent::handler` is
/// the event's global id; `dispatch` indexes `Program::globals` with it),
/// so no name is formatted, interned or hashed, and its frame is pushed on
/// `Interp::stack`. The event queue is a `VecDeque` whose buffer is reused
/// once warmed up.
const EVENT_ALLOC_BOUND: u64 = 2;

const PING: &str = "global seen = 0;\n\
                    global ping: event(n: count);\n\
                    event ping(n: count) { seen = seen + n; }\n\
                    event ping(n: count) &priority=-5 { seen = seen + 1; }\n";

fn count_global(it: &Interp, gid: u32) -> u64 {
    match it.prog.globals[gid as usize].value {
        Value::Count(c) => c,
        ref v => panic!("global {gid} = {v:?}"),
    }
}

/// Queues `n` `ping` events one at a time, each drained right away, with
/// its argument vector built inside the measured region (as an `event`
/// statement does).
fn ping_n(it: &mut Interp, ping: u32, n: u64) {
    for i in 0..n {
        it.queue_event(ping, vec![Value::Count(i)]);
        it.drain();
    }
}

#[test]
fn dispatching_an_event_is_by_id_with_bounded_allocations() {
    let (mut it, ping) = load(PING, "ping");
    let seen = it
        .prog
        .lookup(Symbol::intern("seen"))
        .expect("`seen` is declared");
    // By construction, dispatch never looks a name up: with the name
    // index emptied, events still reach their handlers by id.
    it.prog.global_index.clear();

    ping_n(&mut it, ping, 100); // warm-up
    let before = count_global(&it, seen);
    let ((), small) = count_allocs(|| ping_n(&mut it, ping, 1_000));
    let ((), large) = count_allocs(|| ping_n(&mut it, ping, 10_000));
    let sum = |n: u64| (0..n).sum::<u64>() + n;
    assert_eq!(
        count_global(&it, seen) - before,
        sum(1_000) + sum(10_000),
        "both bodies ran for every event"
    );
    assert!(it.events.is_empty());

    println!(
        "queue_event + drain: {small} allocations for 1,000 events, {large} for 10,000 \
         ({:.3} per event; bound {EVENT_ALLOC_BOUND})",
        large as f64 / 10_000.0
    );
    assert!(
        large <= EVENT_ALLOC_BOUND * 10_000,
        "{large} allocations for 10,000 events: more than {EVENT_ALLOC_BOUND} per event"
    );
    assert!(
        small <= EVENT_ALLOC_BOUND * 1_000,
        "{small} allocations for 1,000 events: more than {EVENT_ALLOC_BOUND} per event"
    );
}

/// `Interp::dispatch` with pre-built events: only the bodies snapshot is
/// left (the argument vectors were made before counting).
#[test]
fn dispatch_alone_allocates_at_most_the_bodies_snapshot() {
    let (mut it, ping) = load(PING, "ping");
    let events = |n: u64| -> Vec<QueuedEvent> {
        (0..n)
            .map(|i| QueuedEvent {
                handler: ping,
                args: vec![Value::Count(i)],
                remote: false,
            })
            .collect()
    };
    for ev in events(100) {
        it.dispatch(ev);
    }
    let mut batch = events(10_000);
    let ((), allocs) = count_allocs(|| {
        for ev in batch.drain(..) {
            it.dispatch(ev);
        }
    });
    println!(
        "dispatch: {allocs} allocations for 10,000 events ({:.3} per event)",
        allocs as f64 / 10_000.0
    );
    assert!(
        allocs <= 10_000,
        "dispatch made {allocs} allocations for 10,000 events: more than the bodies snapshot"
    );
}

/// An event chain raised from script code: each `ping2(n)` raises
/// `ping2(n - 1)` with an `event` statement.
#[test]
fn event_chains_from_script_code_have_bounded_allocations() {
    let src = "global hops = 0;\n\
               global ping2: event(n: count);\n\
               event ping2(n: count) { hops = hops + 1; if ( n > 0 ) event ping2(n - 1); }\n";
    let (mut it, ping2) = load(src, "ping2");
    let mut chain = |n: u64| {
        it.queue_event(ping2, vec![Value::Count(n)]);
        it.drain_events();
    };
    chain(100);
    let ((), small) = count_allocs(|| chain(1_000));
    let ((), large) = count_allocs(|| chain(10_000));
    let hops = it
        .prog
        .lookup(Symbol::intern("hops"))
        .expect("`hops` is declared");
    assert_eq!(
        count_global(&it, hops),
        101 + 1_001 + 10_001,
        "every hop ran"
    );
    println!(
        "event chain: {small} allocations for 1,001 events, {large} for 10,001 ({:.3} per event; \
         bound {EVENT_ALLOC_BOUND})",
        large as f64 / 10_001.0
    );
    assert!(
        large <= EVENT_ALLOC_BOUND * 10_001,
        "{large} allocations for 10,001 events: more than {EVENT_ALLOC_BOUND} per event"
    );
}
