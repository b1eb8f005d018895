##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_events.bif (plugin Zeek::SMB).

export {

global smb2_message: event(c: connection, hdr: SMB2::Header, is_orig: bool);

}

module GLOBAL;
