##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/netbios/functions.bif (plugin Zeek::NetBIOS).

export {

global decode_netbios_name: function(name: string): string;
global decode_netbios_name_type: function(name: string): count;

}

module GLOBAL;
