##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_read_andx.bif (plugin Zeek::SMB).

export {

global smb1_read_andx_request: event(c: connection, hdr: SMB1::Header, file_id: count, offset: count, length: count);
global smb1_read_andx_response: event(c: connection, hdr: SMB1::Header, data_len: count);

}

module GLOBAL;
