# A character the scanner does not know is dropped; what remains is a
# syntax error.
event zeek_init()
	{
	print 3 ` 4;
	}
