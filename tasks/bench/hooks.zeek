# Hooks with several bodies of different priorities, some breaking.
# expect: hooks: passed=600000 a=800000 b=800000 c=600000 d=600000

const N = 800000;

global a = 0;
global b = 0;
global c = 0;
global d = 0;

hook check(n: count)
	{
	++b;
	}

hook check(n: count) &priority=10
	{
	++a;
	}

hook check(n: count) &priority=-5
	{
	if ( n % 4 == 0 )
		break;
	++c;
	}

hook check(n: count) &priority=-10
	{
	d += n % 3;
	}

event zeek_init()
	{
	local i = 0;
	local passed = 0;
	while ( i < N )
		{
		if ( hook check(i) )
			++passed;
		++i;
		}
	print fmt("hooks: passed=%d a=%d b=%d c=%d d=%d", passed, a, b, c, d);
	}
