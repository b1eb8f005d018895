##! Zest's declarations for Zeek 5.2.2's src/input/readers/binary/binary.bif (plugin Zeek::BinaryReader).

export {

module InputBinary;

}

module GLOBAL;
