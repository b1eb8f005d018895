##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_negotiate.bif (plugin Zeek::SMB).

export {

global smb1_negotiate_request: event(c: connection, hdr: SMB1::Header, dialects: string_vec);
global smb1_negotiate_response: event(c: connection, hdr: SMB1::Header, response: SMB1::NegotiateResponse);

}

module GLOBAL;
