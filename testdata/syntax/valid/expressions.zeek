global s = set(1, 2, 3);
global r: record { a: count &optional; };

event zeek_init()
	{
	local a = 1 + 2 * 3 - 4 / 2 % 3;
	local b = !T && F || T;
	local c = ( 1 < 2 ) ? "yes" : "no";
	local d = 1 in s;
	local e = 4 !in s;
	local e2 = 4 ! in s;
	local f = |s| + |-3|;
	local g = r?$a;
	local h = r$a;
	local i = "hello"[1:3];
	local j = "hello"[:2];
	local k = ~0x0f & 0xff | 0x10 ^ 3;
	local l = 1 << 2 >> 1;
	local m = 3 as count;
	local n = m is count;
	local o = copy(s);
	local p = -a + +a;
	a += 1;
	a -= 1;
	--a;
	print a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p;
	}
