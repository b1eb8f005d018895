##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ssl/types.bif (plugin Zeek::SSL).

export {

module SSL;

module GLOBAL;

}

module GLOBAL;
