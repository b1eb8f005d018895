##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/protocol/gtpv1/functions.bif (plugin Zeek::GTPv1).

export {

module PacketAnalyzer::GTPV1;

global remove_gtpv1_connection: function(cid: conn_id): bool;

}

module GLOBAL;
