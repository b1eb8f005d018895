##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/tcp/functions.bif (plugin Zeek::TCP).

export {

global get_orig_seq: function(cid: conn_id): count;
global get_resp_seq: function(cid: conn_id): count;
global set_contents_file: function(cid: conn_id, direction: count, f: file): bool;
global get_contents_file: function(cid: conn_id, direction: count): file;

}

module GLOBAL;
