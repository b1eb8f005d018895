##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_tree_connect_andx.bif (plugin Zeek::SMB).

export {

global smb1_tree_connect_andx_request: event(c: connection, hdr: SMB1::Header, path: string, service: string);
global smb1_tree_connect_andx_response: event(c: connection, hdr: SMB1::Header, service: string, native_file_system: string);

}

module GLOBAL;
