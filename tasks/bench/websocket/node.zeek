# The node of tasks/bench/websocket.py: one WebSocket client sends events
# into script handlers, which answer or publish events back to it.

redef exit_only_after_terminate = T;
redef Broker::disable_ssl = T;

global pong: event(n: count, s: string);
global item: event(n: count);
global finished: event(n: count);

global sunk = 0;

event zeek_init()
	{
	Broker::subscribe("/bench/in");
	Broker::listen_websocket("127.0.0.1", to_port(getenv("WS_PORT")));
	}

# Round trip: every ping is answered with a pong.
event ping(n: count, s: string) &is_used
	{
	Broker::publish("/bench/out", pong, n, s);
	}

# In: events only counted; sink_done reports the count.
event sink(n: count, s: string) &is_used
	{
	++sunk;
	}

event sink_done() &is_used
	{
	Broker::publish("/bench/out", finished, sunk);
	sunk = 0;
	}

# Out: n events published by a script loop, then finished.
event burst(n: count) &is_used
	{
	local i = 0;
	while ( i < n )
		{
		Broker::publish("/bench/out", item, i);
		++i;
		}
	Broker::publish("/bench/out", finished, n);
	}

event Broker::peer_lost(endpoint: Broker::EndpointInfo, msg: string)
	{
	terminate();
	}
