##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_events.bif (plugin Zeek::SMB).

export {

global smb1_message: event(c: connection, hdr: SMB1::Header, is_orig: bool);
global smb1_empty_response: event(c: connection, hdr: SMB1::Header);
global smb1_error: event(c: connection, hdr: SMB1::Header, is_orig: bool);

}

module GLOBAL;
