##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_transaction_secondary.bif (plugin Zeek::SMB).

export {

global smb1_transaction_secondary_request: event(c: connection, hdr: SMB1::Header, args: SMB1::Trans_Sec_Args, parameters: string, data: string);

}

module GLOBAL;
