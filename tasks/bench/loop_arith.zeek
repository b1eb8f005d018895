# While-loop arithmetic on counts, ints and doubles.
# expect: loop_arith: c=307811 s=1928565 d=750000.0

const N = 1500000;

event zeek_init()
	{
	local i = 0;
	local c = 0;
	local s = -5;
	local d = 0.0;

	while ( i < N )
		{
		c = (c * 31 + i) % 1000003;
		s = s + (i % 7 == 0 ? -3 : 2);
		d = d + 0.5;
		++i;
		}

	print fmt("loop_arith: c=%d s=%d d=%.1f", c, s, d);
	}
