# Sets: add, membership, delete, union, intersection, difference, subset.
# expect: set_ops: |a|=37500 |b|=16667 hits=133333 total=500005 sum=937500000

const N = 50000;

event zeek_init()
	{
	local a: set[count];
	local b: set[count];
	local i = 0;

	while ( i < N )
		{
		add a[i];
		if ( i % 3 == 0 )
			add b[i];
		++i;
		}

	local hits = 0;
	i = 0;
	while ( i < 2 * N )
		{
		if ( i in a )
			++hits;
		if ( i !in b )
			++hits;
		++i;
		}

	local rounds = 0;
	local total = 0;
	while ( rounds < 5 )
		{
		local u = a | b;
		local x = a & b;
		local d = a - b;
		total += |u| + |x| + |d|;
		if ( x <= a )
			++total;
		++rounds;
		}

	i = 0;
	while ( i < N )
		{
		delete a[i];
		i += 4;
		}

	local sum = 0;
	for ( k in a )
		sum += k;

	print fmt("set_ops: |a|=%d |b|=%d hits=%d total=%d sum=%d", |a|, |b|, hits, total, sum);
	}
