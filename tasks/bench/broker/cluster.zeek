# Time for a five-node cluster to be fully connected (see
# tasks/bench/run-broker). Every node writes to times.txt when its
# zeek_init runs and when it has all its peerings (Zeek 5.2's topology:
# the manager, the logger and the proxy 4 peers each, a worker 3).

@load base/frameworks/cluster

redef exit_only_after_terminate = T;

global expected: table[string] of count = {
	["manager"] = 4, ["logger"] = 4, ["proxy-1"] = 4, ["worker-1"] = 3, ["worker-2"] = 3,
};
global peers = 0;
global out: file;

event zeek_init()
	{
	out = open("times.txt");
	set_buf(out, F);
	print out, fmt("init %.6f", time_to_double(current_time()));
	}

event Broker::peer_added(endpoint: Broker::EndpointInfo, msg: string)
	{
	++peers;
	if ( peers == expected[Cluster::node] )
		print out, fmt("connected %.6f", time_to_double(current_time()));
	}
