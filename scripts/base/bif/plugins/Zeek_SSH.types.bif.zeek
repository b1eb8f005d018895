##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ssh/types.bif (plugin Zeek::SSH).

export {

module SSH;

module GLOBAL;

}

module GLOBAL;
