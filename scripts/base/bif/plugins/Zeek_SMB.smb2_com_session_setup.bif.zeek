##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_session_setup.bif (plugin Zeek::SMB).

export {

global smb2_session_setup_request: event(c: connection, hdr: SMB2::Header, request: SMB2::SessionSetupRequest);
global smb2_session_setup_response: event(c: connection, hdr: SMB2::Header, response: SMB2::SessionSetupResponse);

}

module GLOBAL;
