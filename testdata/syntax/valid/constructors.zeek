type R: record {
	a: count;
	b: string &optional;
};

global t1: table[count] of string = {
	[1] = "one",
	[2] = "two",
};
global t2 = table([1, "a"] = T, [2, "b"] = F, );
global s1 = set(1, 2, 3, );
global v1 = vector(1, 2, );
global v2: vector of count = vector();
global r1 = R($a=1, $b="x");
global r2: R = [$a=2];
global r3 = record($a=3, $c="y");
global l1 = [1, 2, 3];
global e: set[string] = set();
global tt = table([1] = 2) &default=0;
