##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/mysql/events.bif (plugin Zeek::MySQL).

export {

global mysql_command_request: event(c: connection, command: count, arg: string);
global mysql_error: event(c: connection, code: count, msg: string);
global mysql_ok: event(c: connection, affected_rows: count);
global mysql_eof: event(c: connection, is_intermediate: bool);
global mysql_result_row: event(c: connection, row: string_vec);
global mysql_server_version: event(c: connection, ver: string);
global mysql_handshake: event(c: connection, username: string);

}

module GLOBAL;
