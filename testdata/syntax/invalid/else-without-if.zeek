# `else` without `if`.
event zeek_init()
	{
	print 1;
	else print 2;
	}
