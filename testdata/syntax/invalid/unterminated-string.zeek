# A string without its closing quote: the quote is an unrecognized
# character and the rest scans as ordinary tokens.
global abc = "x";

event zeek_init()
	{
	print "abc;
	}
