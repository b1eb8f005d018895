global done = F;

function lookup(h: string): string
	{
	return when [h] ( local a = h )
		{
		return a;
		}
	timeout 5 sec
		{
		return "timeout";
		}
	}

event zeek_init()
	{
	local x = 1;
	when ( done )
		{
		print "done";
		}

	when [copy x] ( x > 0 && done )
		print x;

	local adder = function[x](y: count): count { return x + y; };
	local r = adder(2);
	}
