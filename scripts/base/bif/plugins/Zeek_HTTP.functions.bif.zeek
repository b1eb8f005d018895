##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/http/functions.bif (plugin Zeek::HTTP).

export {

global skip_http_entity_data: function(c: connection, is_orig: bool): any;
global unescape_URI: function(URI: string): string;

}

module GLOBAL;
