##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_transaction2_secondary.bif (plugin Zeek::SMB).

export {

global smb1_transaction2_secondary_request: event(c: connection, hdr: SMB1::Header, args: SMB1::Trans2_Sec_Args, parameters: string, data: string);

}

module GLOBAL;
