##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/dhcp/types.bif (plugin Zeek::DHCP).

export {

module DHCP;

}

module GLOBAL;
