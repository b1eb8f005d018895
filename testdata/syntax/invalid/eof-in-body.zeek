# The input ends inside a body: no location, only the file name.
event zeek_init()
	{
	if ( T )
		print "x";
