##! Zest's declarations for Zeek 5.2.2's src/logging/writers/ascii/ascii.bif (plugin Zeek::AsciiWriter).

export {

module LogAscii;

}

module GLOBAL;
