# A call cannot start with a comma.
function f(x: count, y: count): count
	{
	return x + y;
	}

global z = f(, 1, 2);
