##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ssl/functions.bif (plugin Zeek::SSL).

export {

global set_ssl_established: function(c: connection): bool;
global set_secret: function(c: connection, secret: string): bool;
global set_keys: function(c: connection, keys: string): bool;

}

module GLOBAL;
