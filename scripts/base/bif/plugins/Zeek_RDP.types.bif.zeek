##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/rdp/types.bif (plugin Zeek::RDP).

export {

module RDP;

}

module GLOBAL;
