##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/login/functions.bif (plugin Zeek::Login).

export {

global get_login_state: function(cid: conn_id): count;
global set_login_state: function(cid: conn_id, new_state: count): bool;

}

module GLOBAL;
