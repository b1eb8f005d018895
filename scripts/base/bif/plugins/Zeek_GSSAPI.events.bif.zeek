##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/gssapi/events.bif (plugin Zeek::GSSAPI).

export {

global gssapi_neg_result: event(c: connection, state: count);

}

module GLOBAL;
