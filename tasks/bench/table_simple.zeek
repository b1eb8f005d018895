# Tables with simple keys: insert, lookup, iterate, delete.
# expect: table_simple: size=100000 hits=999997 sum=99999500000

const N = 200000;

event zeek_init()
	{
	local t: table[count] of count;
	local i = 0;

	while ( i < N )
		{
		t[i] = i * 3;
		++i;
		}

	local hits = 0;
	i = 0;
	while ( i < 2 * N )
		{
		if ( i in t )
			hits += t[i] % 11;
		++i;
		}

	local sum = 0;
	for ( k, v in t )
		sum += k + v;

	for ( k in t )
		sum += k;

	i = 0;
	while ( i < N )
		{
		delete t[i];
		i += 2;
		}

	print fmt("table_simple: size=%d hits=%d sum=%d", |t|, hits, sum);
	}
