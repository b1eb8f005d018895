##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ncp/consts.bif (plugin Zeek::NCP).

export {

}

module GLOBAL;
