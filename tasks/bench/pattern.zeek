# Pattern matching: exact (==), substring (in), split_string, sub/gsub.
# expect: pattern: eq=133334 found=399900 fields=1200000 repl=4888890

const N = 200000;

event zeek_init()
	{
	local exact = /GET \/[a-z]+\/[0-9]+ HTTP\/1\.[01]/;
	local sub_pat = /[0-9]{3}/;
	local i = 0;
	local eq = 0;
	local found = 0;
	local fields = 0;
	local repl = 0;

	while ( i < N )
		{
		local line = fmt("GET /path/%d HTTP/1.%d", i, i % 3);
		if ( exact == line )
			++eq;
		if ( sub_pat in line )
			++found;
		if ( /path/ in line )
			++found;
		local parts = split_string(line, /[ \/]/);
		fields += |parts|;
		repl += |gsub(line, /[0-9]/, "#")|;
		++i;
		}

	print fmt("pattern: eq=%d found=%d fields=%d repl=%d", eq, found, fields, repl);
	}
