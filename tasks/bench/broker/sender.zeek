# Script-to-script event rate, sending side (see tasks/bench/run-broker).
# Peers with $BENCH_PORT and publishes Bench::n events `Bench::data(i,
# sent)`, keeping at most Bench::window of them unacknowledged (more in
# flight than a peer's buffer holds would get the peer disconnected).

redef exit_only_after_terminate = T;
redef Broker::disable_ssl = getenv("BENCH_TLS") != "1";

module Bench;

export {
	const n = 100000 &redef;
	const window = 2000 &redef;
	global data: event(i: count, sent: time);
	global ack: event(i: count);
}

global sent = 0;
global acked = 0;
global send_more: event();

event zeek_init()
	{
	Broker::subscribe("zest/bench/ack");
	Broker::peer("127.0.0.1", to_port(getenv("BENCH_PORT")), 1sec);
	}

event send_more()
	{
	while ( sent < n && sent - acked < window )
		{
		++sent;
		Broker::publish("zest/bench/data", Bench::data, sent, current_time());
		}
	}

event Broker::peer_added(endpoint: Broker::EndpointInfo, msg: string)
	{
	event send_more();
	}

event Bench::ack(i: count)
	{
	acked = i;
	if ( acked >= n )
		terminate();
	else
		event send_more();
	}

event Broker::peer_lost(endpoint: Broker::EndpointInfo, msg: string)
	{
	terminate();
	}
