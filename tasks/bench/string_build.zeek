# String building: concatenation, fmt, cat, cat_sep, join_string_vec.
# expect: string_build: total=13663436 acc=30000 parts=6000 joined=138441

const N = 300000;

event zeek_init()
	{
	local i = 0;
	local total = 0;
	local acc = "";
	local acc_total = 0;
	local parts: vector of string;

	while ( i < N )
		{
		local s = "k" + fmt("%d", i) + ":" + cat(i * 2, "/", i % 7);
		local t = fmt("%s-%x-%.2f", s, i, i / 3.0);
		total += |s| + |t|;
		acc = acc + (i % 10 == 0 ? "x" : "");
		if ( |acc| >= 500 )
			{
			acc_total += |acc|;
			acc = "";
			}
		if ( i % 50 == 0 )
			parts += cat_sep(",", "", i, s);
		++i;
		}

	local joined = join_string_vec(parts, ";");
	print fmt("string_build: total=%d acc=%d parts=%d joined=%d", total, acc_total + |acc|, |parts|, |joined|);
	}
