# An assignment without a right-hand side.
event zeek_init()
	{
	local x: count;
	x = ;
	}
