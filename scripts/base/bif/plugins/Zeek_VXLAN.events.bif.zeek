##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/protocol/vxlan/events.bif (plugin Zeek::VXLAN).

export {

global vxlan_packet: event(outer: connection, inner: pkt_hdr, vni: count);

}

module GLOBAL;
