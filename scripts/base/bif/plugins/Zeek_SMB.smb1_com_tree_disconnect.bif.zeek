##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_tree_disconnect.bif (plugin Zeek::SMB).

export {

global smb1_tree_disconnect: event(c: connection, hdr: SMB1::Header, is_orig: bool);

}

module GLOBAL;
