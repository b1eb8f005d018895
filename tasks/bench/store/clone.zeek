##! The clone of the clone benchmark: once its master's snapshot is in,
##! puts N keys through the master and waits until the last one has come
##! back to the clone (replicated), then gets N keys from the clone.
##!
##!   zeek -b clone.zeek Bench::master_port=PORT/tcp

@load ./common

redef exit_only_after_terminate = T;

global last_seen: event();

event poll_last()
	{
	when ( local r = Broker::exists(Bench::h, Bench::N - 1) )
		{
		if ( r$status == Broker::SUCCESS && (r$result as bool) )
			event last_seen();
		else
			schedule 1 msec { poll_last() };
		}
	timeout 30 sec
		{
		print "exists timed out";
		terminate();
		}
	}

event last_seen()
	{
	Bench::rate("puts", Bench::N, current_time() - Bench::t0);
	Bench::gets();
	}

event Broker::peer_added(endpoint: Broker::EndpointInfo, msg: string)
	{
	Bench::h = Broker::create_clone("bench");
	# The first answer comes once the master's snapshot is in.
	when ( local r = Broker::keys(Bench::h) )
		{
		Bench::puts();
		event poll_last();
		}
	timeout 30 sec
		{
		print "no snapshot from the master";
		terminate();
		}
	}

event zeek_init()
	{
	Broker::peer("127.0.0.1", Bench::master_port, 1 sec);
	}

event Bench::gets_done()
	{
	print fmt("bad %d", Bench::bad);
	terminate();
	}
