# Script-to-script event rate, receiving side (see tasks/bench/run-broker).
# Listens on $BENCH_PORT, receives Bench::n events `Bench::data(i, sent)`
# and acknowledges every Bench::ack_every of them; at the end prints the
# rate (first to last event) and the p50/p99 latency from the sender's
# `current_time()` at publishing to this handler.

redef exit_only_after_terminate = T;
redef Broker::disable_ssl = getenv("BENCH_TLS") != "1";

module Bench;

export {
	const n = 100000 &redef;
	const ack_every = 500 &redef;
	global data: event(i: count, sent: time);
	global ack: event(i: count);
}

global lat: vector of double;
global first: time;
global got = 0;

event zeek_init()
	{
	Broker::subscribe("zest/bench/data");
	Broker::listen("127.0.0.1", to_port(getenv("BENCH_PORT")));
	}

event Bench::data(i: count, sent: time)
	{
	local now = current_time();
	if ( got == 0 )
		first = now;
	++got;
	lat += interval_to_double(now - sent);
	if ( got % ack_every == 0 || got == n )
		Broker::publish("zest/bench/ack", Bench::ack, got);
	if ( got < n )
		return;
	local secs = interval_to_double(now - first);
	sort(lat, function(a: double, b: double): int { return a < b ? -1 : (a > b ? 1 : 0); });
	print fmt("events=%d seconds=%.3f events_per_sec=%.0f p50_ms=%.3f p99_ms=%.3f",
	          n, secs, n / secs, lat[n / 2] * 1000, lat[n * 99 / 100] * 1000);
	terminate();
	}
