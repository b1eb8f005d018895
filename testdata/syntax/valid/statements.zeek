global t: table[count, string] of count;
global v: vector of string;

event zeek_init()
	{
	local i = 0;
	while ( i < 3 )
		++i;

	for ( [a, b] in t )
		print a, b;
	for ( [a, b], val in t )
		next;
	for ( idx, s in v )
		print idx, s;
	for ( s in set("x") )
		{
		}

	if ( i == 3 )
		print "three";
	else if ( i == 4 )
		print "four";
	else
		{
		print "other";
		}

	switch ( i ) {
	case 1, 2:
		print "low";
		fallthrough;
	case 3:
		break;
	default:
		print "default";
		break;
	}

	switch ( v ) {
	case type vector of string as vs:
		print |vs|;
		break;
	}

	add t[1, "a"];
	delete t[1, "a"];
	delete v[0];
	const c = 5;
	local x: count = c;
	;
	}
