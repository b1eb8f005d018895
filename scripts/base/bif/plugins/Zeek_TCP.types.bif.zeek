##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/tcp/types.bif (plugin Zeek::TCP).

export {

}

module GLOBAL;
