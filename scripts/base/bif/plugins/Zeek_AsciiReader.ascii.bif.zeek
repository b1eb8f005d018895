##! Zest's declarations for Zeek 5.2.2's src/input/readers/ascii/ascii.bif (plugin Zeek::AsciiReader).

export {

module InputAscii;

}

module GLOBAL;
