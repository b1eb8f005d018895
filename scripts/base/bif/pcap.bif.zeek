##! Zest's declarations for Zeek 5.2.2's src/iosource/pcap/pcap.bif.

export {

module Pcap;

global precompile_pcap_filter: function(id: PcapFilterID, s: string): bool;
global Pcap::install_pcap_filter: function(id: PcapFilterID): bool;
global error: function(): string;
global get_filter_state: function(id: PcapFilterID): filter_state;
global get_filter_state_string: function(id: PcapFilterID): string;
global findalldevs: function(): Pcap::Interfaces;

}

module GLOBAL;
