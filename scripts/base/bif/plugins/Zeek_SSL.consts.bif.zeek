##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ssl/consts.bif (plugin Zeek::SSL).

export {

}

module GLOBAL;
