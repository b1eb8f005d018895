##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_close.bif (plugin Zeek::SMB).

export {

global smb2_close_request: event(c: connection, hdr: SMB2::Header, file_id: SMB2::GUID);
global smb2_close_response: event(c: connection, hdr: SMB2::Header, response: SMB2::CloseResponse);

}

module GLOBAL;
