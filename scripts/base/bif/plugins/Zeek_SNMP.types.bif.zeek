##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/snmp/types.bif (plugin Zeek::SNMP).

export {

module SNMP;

module GLOBAL;

}

module GLOBAL;
