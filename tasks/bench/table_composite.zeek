# Tables with composite keys: [string, count] and [addr, port].
# expect: table_composite: size=120000/120000 hits=120000 sum=14400504000 chars=624000

const N = 120000;

event zeek_init()
	{
	local t: table[string, count] of count;
	local c: table[addr, port] of string;
	local names = vector("alpha", "beta", "gamma", "delta", "epsilon");
	local i = 0;

	while ( i < N )
		{
		t[names[i % 5], i] = i;
		c[counts_to_addr(vector(i + 167772160)), count_to_port(i % 65536, tcp)] = names[i % 5];
		++i;
		}

	local hits = 0;
	i = 0;
	while ( i < N )
		{
		if ( [names[i % 5], i] in t )
			++hits;
		if ( [names[(i + 1) % 5], i] in t )
			++hits;
		++i;
		}

	local sum = 0;
	for ( [s, n], v in t )
		sum += |s| + n + v;

	local chars = 0;
	for ( [a, p] in c )
		chars += |c[a, p]|;

	print fmt("table_composite: size=%d/%d hits=%d sum=%d chars=%d", |t|, |c|, hits, sum, chars);
	}
