# The input ends inside a record type.
type R: record {
	a: count;
	b: string &optional;
