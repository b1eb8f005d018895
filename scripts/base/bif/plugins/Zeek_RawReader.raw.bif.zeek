##! Zest's declarations for Zeek 5.2.2's src/input/readers/raw/raw.bif (plugin Zeek::RawReader).

export {

module InputRaw;

}

module GLOBAL;
