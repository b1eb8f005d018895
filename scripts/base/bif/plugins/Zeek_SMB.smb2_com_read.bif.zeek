##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_read.bif (plugin Zeek::SMB).

export {

global smb2_read_request: event(c: connection, hdr: SMB2::Header, file_id: SMB2::GUID, offset: count, length: count);

}

module GLOBAL;
