# Log::write: N conn-like records to one JSON stream (LogAscii::use_json).
# expect: log_json_1: written=3000000

redef LogAscii::use_json = T;

module Bench;

export {
	redef enum Log::ID += { LOG1 };
}

type Info: record {
	ts: time &log;
	uid: string &log;
	orig_h: addr &log;
	orig_p: port &log;
	resp_h: addr &log;
	resp_p: port &log;
	proto: transport_proto &log;
	duration: interval &log;
	bytes: count &log;
	established: bool &log;
	note: string &log &optional;
};

const N = 3000000 &redef;
const BATCH = 1000;

global written = 0;

event write_batch(start: count)
	{
	local i = start;
	local end = start + BATCH;
	if ( end > N )
		end = N;
	while ( i < end )
		{
		local r = Info($ts=double_to_time(1600000000.0 + i * 0.001), $uid=fmt("C%d", i),
		               $orig_h=10.0.0.1, $orig_p=count_to_port(1024 + i % 60000, tcp),
		               $resp_h=192.168.1.1, $resp_p=443/tcp, $proto=tcp,
		               $duration=(i % 1000) * 1msec, $bytes=i * 7, $established=(i % 2 == 0));
		if ( i % 10 == 0 )
			r$note = "tenth";
		Log::write(LOG1, r);
		++written;
		++i;
		}
	if ( end < N )
		event write_batch(end);
	else
		print fmt("%s: written=%d", "log_json_1", written);
	}

event zeek_init()
	{
	Log::create_stream(LOG1, [$columns=Info, $path="bench1"]);
	event write_batch(0);
	}
