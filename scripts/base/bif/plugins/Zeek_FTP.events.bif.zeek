##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ftp/events.bif (plugin Zeek::FTP).

export {

global ftp_request: event(c: connection, command: string, arg: string);
global ftp_reply: event(c: connection, code: count, msg: string, cont_resp: bool);

}

module GLOBAL;
