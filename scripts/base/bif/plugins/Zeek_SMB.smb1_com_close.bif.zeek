##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_close.bif (plugin Zeek::SMB).

export {

global smb1_close_request: event(c: connection, hdr: SMB1::Header, file_id: count);

}

module GLOBAL;
