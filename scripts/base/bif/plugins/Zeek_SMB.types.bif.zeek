##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/types.bif (plugin Zeek::SMB).

export {

}

module GLOBAL;
