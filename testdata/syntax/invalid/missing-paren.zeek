# A missing closing parenthesis of an `if` condition.
event zeek_init()
	{
	local x = 3;
	if ( x > 1
		print x;
	}
