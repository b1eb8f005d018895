# The node of crates/zest-cli/tests/websocket.rs: WebSocket clients say
# hello, get to_client, answer with from_client.

redef exit_only_after_terminate = T;
redef Broker::disable_ssl = T;

type Color: enum { RED, GREEN, BLUE };

type Info: record {
	a: addr;
	p: port;
	t: time;
	c: Color;
	v: vector of count;
	s: set[subnet];
	tb: table[string] of interval;
};

global to_client: event(i: Info, n: int, d: double);
global from_client: event(i: Info, n: int, d: double);
global hello: event(who: string);

event zeek_init()
	{
	Broker::subscribe("/test/from_client");
	Broker::listen_websocket("127.0.0.1", to_port(getenv("WS_PORT")));
	}

event Broker::peer_added(endpoint: Broker::EndpointInfo, msg: string)
	{
	print fmt("peer added: %s %s", endpoint$network$address, msg);
	}

event hello(who: string) &is_used
	{
	print fmt("hello from %s", who);
	local i = Info($a=192.168.1.1, $p=443/tcp, $t=double_to_time(1672628645.5), $c=GREEN,
	               $v=vector(1, 2, 3), $s=set(10.0.0.0/8, [2001:db8::]/32),
	               $tb=table(["x"] = 1.5 secs, ["y"] = 2 min));
	Broker::publish("/test/to_client", to_client, i, -5, 1.25);
	}

event from_client(i: Info, n: int, d: double) &is_used
	{
	print "from_client", i, n, d;
	terminate();
	}
