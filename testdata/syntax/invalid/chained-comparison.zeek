# Comparisons do not associate (`%nonassoc`).
event zeek_init()
	{
	print 1 < 2 < 3;
	}
