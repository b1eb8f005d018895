##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/finger/legacy/events.bif (plugin Zeek::Finger).

export {

global finger_request: event(c: connection, full: bool, username: string, hostname: string);
global finger_reply: event(c: connection, reply_line: string);

}

module GLOBAL;
