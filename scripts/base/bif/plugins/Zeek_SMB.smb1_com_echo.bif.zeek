##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_echo.bif (plugin Zeek::SMB).

export {

global smb1_echo_request: event(c: connection, echo_count: count, data: string);
global smb1_echo_response: event(c: connection, seq_num: count, data: string);

}

module GLOBAL;
