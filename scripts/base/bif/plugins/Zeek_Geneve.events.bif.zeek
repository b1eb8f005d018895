##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/protocol/geneve/events.bif (plugin Zeek::Geneve).

export {

global geneve_packet: event(outer: connection, inner: pkt_hdr, vni: count);

}

module GLOBAL;
