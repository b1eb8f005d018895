##! Zest's declarations for Zeek 5.2.2's src/logging/writers/none/none.bif (plugin Zeek::NoneWriter).

export {

module LogNone;

}

module GLOBAL;
