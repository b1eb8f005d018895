##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_create.bif (plugin Zeek::SMB).

export {

global smb2_create_request: event(c: connection, hdr: SMB2::Header, request: SMB2::CreateRequest);
global smb2_create_response: event(c: connection, hdr: SMB2::Header, response: SMB2::CreateResponse);

}

module GLOBAL;
