##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/protocol/teredo/events.bif (plugin Zeek::Teredo).

export {

global teredo_packet: event(outer: connection, inner: teredo_hdr);
global teredo_authentication: event(outer: connection, inner: teredo_hdr);
global teredo_origin_indication: event(outer: connection, inner: teredo_hdr);
global teredo_bubble: event(outer: connection, inner: teredo_hdr);

}

module GLOBAL;
