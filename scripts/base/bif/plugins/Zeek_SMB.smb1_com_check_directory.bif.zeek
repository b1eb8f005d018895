##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_check_directory.bif (plugin Zeek::SMB).

export {

global smb1_check_directory_request: event(c: connection, hdr: SMB1::Header, directory_name: string);
global smb1_check_directory_response: event(c: connection, hdr: SMB1::Header);

}

module GLOBAL;
