# Records: construction, field access and assignment, optional fields.
# expect: record: total=80204800000 notes=133334 kept=4000 bytes=1800000

type Conn: record {
	id: count;
	orig: string;
	resp: string &default="unknown";
	bytes: count &default=0;
	note: string &optional;
	dur: interval &optional;
};

const N = 400000;

function make(i: count): Conn
	{
	local c = Conn($id=i, $orig="client");
	if ( i % 3 == 0 )
		c$note = "odd";
	return c;
	}

event zeek_init()
	{
	local i = 0;
	local total = 0;
	local notes = 0;
	local keep: vector of Conn;

	while ( i < N )
		{
		local c = make(i);
		c$bytes = c$bytes + i % 1000;
		c$dur = 1 sec;
		if ( c?$note )
			++notes;
		total += c$id + c$bytes + |c$orig| + |c$resp|;
		if ( i % 100 == 0 )
			keep += c;
		++i;
		}

	local r = Conn($id=1, $orig="x", $resp="y");
	for ( idx in keep )
		r$bytes += keep[idx]$bytes;

	print fmt("record: total=%d notes=%d kept=%d bytes=%d", total, notes, |keep|, r$bytes);
	}
