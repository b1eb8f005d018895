##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_tree_disconnect.bif (plugin Zeek::SMB).

export {

global smb2_tree_disconnect_request: event(c: connection, hdr: SMB2::Header);
global smb2_tree_disconnect_response: event(c: connection, hdr: SMB2::Header);

}

module GLOBAL;
