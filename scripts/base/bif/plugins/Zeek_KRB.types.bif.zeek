##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/krb/types.bif (plugin Zeek::KRB).

export {

module KRB;

module GLOBAL;

}

module GLOBAL;
