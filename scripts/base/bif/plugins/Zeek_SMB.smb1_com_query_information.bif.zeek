##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_query_information.bif (plugin Zeek::SMB).

export {

global smb1_query_information_request: event(c: connection, hdr: SMB1::Header, filename: string);

}

module GLOBAL;
