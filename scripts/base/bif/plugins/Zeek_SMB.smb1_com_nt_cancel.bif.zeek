##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_nt_cancel.bif (plugin Zeek::SMB).

export {

global smb1_nt_cancel_request: event(c: connection, hdr: SMB1::Header);

}

module GLOBAL;
