##! Shared by the store benchmarks: the parameters, the store's creation
##! and the timed get loop.

module Bench;

export {
	## Number of puts, then of gets.
	const N = 20000 &redef;
	## Gets in flight at once (each one a `when` waiting for its answer).
	const batch = 500 &redef;
	## memory, sqlite (SQLite's defaults: rollback journal,
	## synchronous=FULL), sqlite-wal (WAL, synchronous=NORMAL).
	const backend = "memory" &redef;
	## Port of the master's endpoint (clone benchmark).
	const master_port = 9999/tcp &redef;

	global h: opaque of Broker::Store;
	global t0: time;
	global bad = 0;

	global make_master: function(): opaque of Broker::Store;
	global rate: function(what: string, n: count, t: interval);
	global puts: function();
	global gets: function();
	global get_batch: event();
	global gets_done: event();
}

global issued = 0;
global answered = 0;

function make_master(): opaque of Broker::Store
	{
	if ( backend == "sqlite" )
		return Broker::create_master("bench", Broker::SQLITE,
		                             [$sqlite=[$path="bench.sqlite"]]);
	if ( backend == "sqlite-wal" )
		return Broker::create_master("bench", Broker::SQLITE,
		                             [$sqlite=[$path="bench.sqlite",
		                                       $journal_mode=Broker::SQLITE_JOURNAL_MODE_WAL,
		                                       $synchronous=Broker::SQLITE_SYNCHRONOUS_NORMAL]]);
	return Broker::create_master("bench");
	}

function rate(what: string, n: count, t: interval)
	{
	local s = interval_to_double(t);
	print fmt("%s %d in %.3f s: %.0f/s", what, n, s, s > 0.0 ? n / s : 0.0);
	}

function puts()
	{
	t0 = current_time();
	local i = 0;
	while ( i < N )
		{
		Broker::put(h, i, i);
		++i;
		}
	}

event get_batch()
	{
	local i = 0;
	while ( i < batch && issued < N )
		{
		local k = issued;
		++issued;
		++i;
		when [k] ( local r = Broker::get(h, k) )
			{
			if ( r$status != Broker::SUCCESS || (r$result as count) != k )
				++bad;
			++answered;
			if ( answered == N )
				{
				rate("gets", N, current_time() - t0);
				event gets_done();
				}
			else if ( answered == issued )
				event get_batch();
			}
		timeout 30 sec
			{
			print fmt("get %d timed out", k);
			++bad;
			}
		}
	}

function gets()
	{
	t0 = current_time();
	event get_batch();
	}
