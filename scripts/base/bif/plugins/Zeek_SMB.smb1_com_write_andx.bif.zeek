##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_write_andx.bif (plugin Zeek::SMB).

export {

global smb1_write_andx_request: event(c: connection, hdr: SMB1::Header, file_id: count, offset: count, data_len: count);
global smb1_write_andx_response: event(c: connection, hdr: SMB1::Header, written_bytes: count);

}

module GLOBAL;
