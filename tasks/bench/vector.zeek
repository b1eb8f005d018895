# Vectors: append, index, iterate, slice.
# expect: vector: |v|=700000 |w|=700000 sum=245356299945

const N = 700000;

event zeek_init()
	{
	local v: vector of count;
	local i = 0;

	while ( i < N )
		{
		v += i;
		++i;
		}

	local w: vector of count;
	i = 0;
	while ( i < N )
		{
		w[|w|] = v[N - 1 - i] % 1000;
		++i;
		}

	local sum = 0;
	for ( idx in v )
		sum += v[idx];

	for ( idx, x in w )
		sum += x;

	local tail = v[N - 10:N];
	for ( idx in tail )
		sum += tail[idx];

	print fmt("vector: |v|=%d |w|=%d sum=%d", |v|, |w|, sum);
	}
