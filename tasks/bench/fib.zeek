# Recursive function calls: naive Fibonacci.
# expect: fib(31) = 1346269

const N = 31;

function fib(n: count): count
	{
	if ( n < 2 )
		return n;

	return fib(n - 1) + fib(n - 2);
	}

event zeek_init()
	{
	print fmt("fib(%d) = %d", N, fib(N));
	}
