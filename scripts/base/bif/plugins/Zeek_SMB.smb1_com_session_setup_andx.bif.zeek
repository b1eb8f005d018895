##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_session_setup_andx.bif (plugin Zeek::SMB).

export {

global smb1_session_setup_andx_request: event(c: connection, hdr: SMB1::Header, request: SMB1::SessionSetupAndXRequest);
global smb1_session_setup_andx_response: event(c: connection, hdr: SMB1::Header, response: SMB1::SessionSetupAndXResponse);

}

module GLOBAL;
