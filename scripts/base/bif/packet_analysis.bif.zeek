##! Zest's declarations for Zeek 5.2.2's src/packet_analysis/packet_analysis.bif.

export {

module PacketAnalyzer;

global register_packet_analyzer: function(parent: PacketAnalyzer::Tag, identifier: count, child: PacketAnalyzer::Tag): bool;
global try_register_packet_analyzer_by_name: function(parent: string, identifier: count, child: string): bool;
global PacketAnalyzer::__set_ignore_checksums_nets: function(v: subnet_set): bool;
global register_protocol_detection: function(parent: PacketAnalyzer::Tag, child: PacketAnalyzer::Tag): bool;
global PacketAnalyzer::__disable_analyzer: function(id: PacketAnalyzer::Tag): bool;
global PacketAnalyzer::__enable_analyzer: function(id: PacketAnalyzer::Tag): bool;

}

module GLOBAL;
