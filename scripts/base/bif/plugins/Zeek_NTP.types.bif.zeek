##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ntp/types.bif (plugin Zeek::NTP).

export {

module NTP;

}

module GLOBAL;
