##! Puts then gets against a master store in the same process.
##!
##!   zeek -b local.zeek Bench::backend=sqlite Bench::N=20000

@load ./common

redef exit_only_after_terminate = T;

event zeek_init()
	{
	Bench::h = Bench::make_master();
	Bench::puts();
	Bench::rate("puts", Bench::N, current_time() - Bench::t0);
	Bench::gets();
	}

event Bench::gets_done()
	{
	print fmt("bad %d", Bench::bad);
	terminate();
	}
