##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/protocol/teredo/functions.bif (plugin Zeek::Teredo).

export {

module PacketAnalyzer::TEREDO;

global remove_teredo_connection: function(cid: conn_id): bool;

}

module GLOBAL;
