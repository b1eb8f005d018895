##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ntlm/types.bif (plugin Zeek::NTLM).

export {

module NTLM;

}

module GLOBAL;
