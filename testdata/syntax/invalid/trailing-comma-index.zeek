# Trailing comma in an index list on the left of an assignment.
global t: table[count, count] of string;

event zeek_init()
	{
	t[1, 2, ] = "x";
	}
