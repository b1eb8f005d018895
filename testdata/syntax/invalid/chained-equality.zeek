# Equality operators share the non-associative level with `<`.
event zeek_init()
	{
	print 1 == 2 != F;
	}
