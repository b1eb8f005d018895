type Color: enum {
	RED,
	GREEN = 10,
	BLUE &deprecated="use RED",
};

type Info: record {
	ts: time &log;
	uid: string &log &optional;
	tags: vector of string &default=vector();
	nested: record {
		a: count;
	} &optional;
};

redef enum Color += { PURPLE };
redef record Info += { extra: bool &default=F; };
redef record Info$ts -= { &log };

type Callback: function(x: count; y: string;): bool;
type Handler: event(info: Info);
type Check: hook(c: Color);
type Table: table[count, string] of set[addr];
type Maybe: opaque of md5;
type Lines: file of string;
