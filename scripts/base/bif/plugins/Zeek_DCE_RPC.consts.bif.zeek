##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/dce-rpc/consts.bif (plugin Zeek::DCE_RPC).

export {

}

module GLOBAL;
