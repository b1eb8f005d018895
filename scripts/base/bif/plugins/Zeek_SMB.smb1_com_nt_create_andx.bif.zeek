##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_nt_create_andx.bif (plugin Zeek::SMB).

export {

global smb1_nt_create_andx_request: event(c: connection, hdr: SMB1::Header, file_name: string);
global smb1_nt_create_andx_response: event(c: connection, hdr: SMB1::Header, file_id: count, file_size: count, times: SMB::MACTimes);

}

module GLOBAL;
