##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ident/events.bif (plugin Zeek::Ident).

export {

global ident_request: event(c: connection, lport: port, rport: port);
global ident_reply: event(c: connection, lport: port, rport: port, user_id: string, system: string);
global ident_error: event(c: connection, lport: port, rport: port, line: string);

}

module GLOBAL;
