##! Global declarations of every kind.

module Decls;

export {
	## A documented option.
	option threshold: count = 10 &redef;
	const names: set[string] = { "a", "b", } &redef;
	global counter: table[addr] of count &default=0 &create_expire=5 min;
	global last: time;  ##< Trailing doc.
}

redef threshold = 20;
redef names += { "c" };
global untyped = 3.5;
const ports = [80/tcp, 443/tcp];
