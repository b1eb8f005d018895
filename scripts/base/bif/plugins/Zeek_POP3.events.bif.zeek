##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/pop3/events.bif (plugin Zeek::POP3).

export {

global pop3_request: event(c: connection, is_orig: bool, command: string, arg: string);
global pop3_reply: event(c: connection, is_orig: bool, cmd: string, msg: string);
global pop3_data: event(c: connection, is_orig: bool, data: string);
global pop3_unexpected: event(c: connection, is_orig: bool, msg: string, detail: string);
global pop3_starttls: event(c: connection);
global pop3_login_success: event(c: connection, is_orig: bool, user: string, password: string);
global pop3_login_failure: event(c: connection, is_orig: bool, user: string, password: string);

}

module GLOBAL;
