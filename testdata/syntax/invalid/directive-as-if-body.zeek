# A directive as the body of `if` is rejected (`reject_directive`); the
# error is reported at the lookahead token (line 7).
event zeek_init()
	{
	if ( T )
@if ( T )
		print "x";
@endif
	}
