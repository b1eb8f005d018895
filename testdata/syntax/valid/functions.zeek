function sum(x: count; y: count;): count
	{
	return x + y;
	}

function noop() { }

event new_info(info: string, n: count &default=1) &priority=5
	{
	print info, n;
	}

hook policy(x: count)
	{
	if ( x > 3 )
		break;
	}

redef event new_info(info: string, n: count)
	{
	}

event zeek_init() &priority=-10
	{
	local f = function(a: count): count { return a * 2; };
	local g = function[f](a: count): count { return f(a) + 1; };
	hook policy(sum(1, 2));
	event new_info("x", 2);
	schedule 1 sec { new_info("later", 3) };
	}
