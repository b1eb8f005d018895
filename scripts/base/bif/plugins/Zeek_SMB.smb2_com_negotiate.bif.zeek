##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_negotiate.bif (plugin Zeek::SMB).

export {

global smb2_negotiate_request: event(c: connection, hdr: SMB2::Header, dialects: index_vec);
global smb2_negotiate_response: event(c: connection, hdr: SMB2::Header, response: SMB2::NegotiateResponse);

}

module GLOBAL;
