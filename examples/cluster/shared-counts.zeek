##! A small cluster application. Workers report the hosts they see; the
##! proxy pool spreads the hosts over the proxies (`Cluster::publish_hrw`:
##! each host has one owner), the owner counts the reports and logs each
##! count to shared_counts.log (written by the logger), and the manager
##! keeps the cluster-wide totals in a Broker store every node shares (a
##! table with `&backend`: the master on the manager, clones elsewhere).
##! The workers start once every proxy has told the manager it is ready
##! (connected to the manager and to the logger: records logged before a
##! logger is connected are lost); a worker that restarts reports again.

module SharedCounts;

export {
	redef enum Log::ID += { LOG };

	type Info: record {
		## When the report was counted.
		ts: time &log;
		## The host reported.
		host: string &log;
		## How often it was reported, cluster-wide.
		seen: count &log;
		## The proxy owning the host.
		owner: string &log;
		## The worker that reported it.
		reporter: string &log;
	};

	## What each worker reports once the cluster is up (there are no
	## packets here: the example makes its own observations).
	const hosts: vector of string = vector("10.0.0.1", "10.0.0.2",
	    "10.0.0.3", "192.168.1.7", "192.168.1.8") &redef;

	## A proxy tells the manager it can count (it has the manager and the
	## logger).
	global proxy_ready: event(proxy: string);
	## The manager tells a worker to report (once every proxy is ready).
	global go: event();
	## A worker reports a host to the host's owner among the proxies.
	global report: event(host: string, worker: string);
	## The owner tells the manager a host's new count.
	global counted: event(host: string, n: count);
}

## Reports per host, cluster-wide: a Broker store behind a table, written
## by the manager (the store's master), readable on every node.
global totals: table[string] of count &backend=Broker::MEMORY;

event zeek_init()
	{
	Log::create_stream(LOG, [$columns=Info, $path="shared_counts"]);
	}

@if ( Cluster::local_node_type() == Cluster::MANAGER )

global workers_up: set[string];
global proxies_ready: set[string];
global told: set[string];

## Tells the workers that have not been told yet to report, once every
## proxy can count.
function tell_workers()
	{
	for ( name, n in Cluster::nodes )
		if ( n$node_type == Cluster::PROXY && name !in proxies_ready )
			return;

	for ( w in workers_up )
		if ( w !in told )
			{
			add told[w];
			Broker::publish(Cluster::node_topic(w), SharedCounts::go);
			}
	}

event SharedCounts::proxy_ready(proxy: string)
	{
	add proxies_ready[proxy];
	tell_workers();
	}

event Cluster::node_up(name: string, id: string)
	{
	if ( Cluster::nodes[name]$node_type != Cluster::WORKER )
		return;

	add workers_up[name];
	tell_workers();
	}

event Cluster::node_down(name: string, id: string)
	{
	# A node that comes back starts over.
	delete workers_up[name];
	delete told[name];
	delete proxies_ready[name];
	}

event SharedCounts::counted(host: string, n: count)
	{
	totals[host] = n;
	}

event zeek_done()
	{
	for ( host in totals )
		print fmt("%s reported %d times", host, totals[host]);
	}

@endif

@if ( Cluster::local_node_type() == Cluster::PROXY )

global counts: table[string] of count &default=0;
global have_manager = F;

## Tells the manager this proxy can count: it has the manager and a
## logger (records logged while no logger is connected are lost).
function tell_manager()
	{
	if ( ! have_manager )
		return;

	if ( ! Cluster::manager_is_logger && Cluster::logger_pool$alive_count == 0 )
		return;

	Broker::publish(Cluster::manager_topic, SharedCounts::proxy_ready,
	                Cluster::node);
	}

event Cluster::node_up(name: string, id: string)
	{
	switch ( Cluster::nodes[name]$node_type ) {
	case Cluster::MANAGER:
		have_manager = T;
		tell_manager();
		break;
	case Cluster::LOGGER:
		tell_manager();
		break;
	}
	}

event Cluster::node_down(name: string, id: string)
	{
	if ( Cluster::nodes[name]$node_type == Cluster::MANAGER )
		have_manager = F;
	}

event SharedCounts::report(host: string, worker: string)
	{
	++counts[host];
	local n = counts[host];
	Log::write(LOG, [$ts=network_time(), $host=host, $seen=n,
	                 $owner=Cluster::node, $reporter=worker]);
	Broker::publish(Cluster::manager_topic, SharedCounts::counted, host, n);
	}

@endif

@if ( Cluster::local_node_type() == Cluster::WORKER )

global pending = F;

function report_hosts()
	{
	if ( ! pending || Cluster::proxy_pool$alive_count == 0 )
		return;

	pending = F;
	for ( i in hosts )
		Cluster::publish_hrw(Cluster::proxy_pool, hosts[i],
		                     SharedCounts::report, hosts[i], Cluster::node);
	}

event SharedCounts::go()
	{
	pending = T;
	report_hosts();
	}

event Cluster::node_up(name: string, id: string)
	{
	report_hosts();
	}

@endif
