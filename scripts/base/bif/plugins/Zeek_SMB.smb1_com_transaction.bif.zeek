##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_transaction.bif (plugin Zeek::SMB).

export {

global smb1_transaction_request: event(c: connection, hdr: SMB1::Header, name: string, sub_cmd: count, parameters: string, data: string);
global smb1_transaction_response: event(c: connection, hdr: SMB1::Header, parameters: string, data: string);

}

module GLOBAL;
