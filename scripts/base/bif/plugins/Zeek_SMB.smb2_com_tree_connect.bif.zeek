##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_tree_connect.bif (plugin Zeek::SMB).

export {

global smb2_tree_connect_request: event(c: connection, hdr: SMB2::Header, path: string);
global smb2_tree_connect_response: event(c: connection, hdr: SMB2::Header, response: SMB2::TreeConnectResponse);

}

module GLOBAL;
