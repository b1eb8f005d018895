# Event chains: each event raises the next, N times.
# expect: event_chain: n=1500000 acc=375009 total=4500000

const N = 1500000;

global total = 0;

event ping(n: count, acc: count)
	{
	total += n % 7;
	if ( n == 0 )
		print fmt("event_chain: n=%d acc=%d total=%d", N, acc, total);
	else
		event ping(n - 1, (acc + n) % 1000003);
	}

event zeek_init()
	{
	event ping(N, 0);
	}
