##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/x509/types.bif (plugin Zeek::X509).

export {

}

module GLOBAL;
