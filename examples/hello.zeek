##! A first Zest run: tables, records, events and a scheduled timer.

type Visit: record {
	host: addr;
	port_: port;
	count_: count &default=0;
};

global visits: table[addr] of Visit;

event tick(n: count)
	{
	print fmt("tick %d at %s", n, network_time() > double_to_time(0.0) ? "a real time" : "time zero");
	}

event zeek_init()
	{
	for ( h in set(10.0.0.1, 10.0.0.2, 192.168.1.7) )
		visits[h] = Visit($host=h, $port_=80/tcp);
	++visits[10.0.0.2]$count_;
	print visits;
	schedule 1 sec { tick(1) };
	}

event zeek_done()
	{
	print fmt("%d hosts seen", |visits|);
	}
