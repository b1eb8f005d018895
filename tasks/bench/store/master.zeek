##! The master of the clone benchmark: a master store behind a listening
##! endpoint; it ends when its peer goes away.
##!
##!   zeek -b master.zeek Bench::backend=sqlite Bench::master_port=PORT/tcp

@load ./common

redef exit_only_after_terminate = T;

event zeek_init()
	{
	Bench::h = Bench::make_master();
	Broker::listen("127.0.0.1", Bench::master_port);
	}

event Broker::peer_lost(endpoint: Broker::EndpointInfo, msg: string)
	{
	terminate();
	}
