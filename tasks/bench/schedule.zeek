# Scheduled events: many timers, all firing at shutdown.
# expect: schedule: fired=500000 sum=124999750000

const N = 500000;

global fired = 0;
global sum = 0;

event tick(i: count)
	{
	++fired;
	sum += i;
	}

event zeek_init()
	{
	local i = 0;
	while ( i < N )
		{
		schedule double_to_interval(10.0 + (i % 100)) { tick(i) };
		++i;
		}
	}

event zeek_done()
	{
	print fmt("schedule: fired=%d sum=%d", fired, sum);
	}
