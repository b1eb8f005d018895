##! The example cluster: a manager, a logger, a proxy and two workers, all
##! on this host. The nodes have no ports: `zest cluster up` gives each a
##! free one (the nodes of a layout with ports keep theirs).

redef Cluster::manager_is_logger = F;

redef Cluster::nodes = {
	["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1],
	["logger"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $manager="manager"],
	["proxy-1"] = [$node_type=Cluster::PROXY, $ip=127.0.0.1, $manager="manager"],
	["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="manager"],
	["worker-2"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="manager"],
};
