##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/syslog/legacy/events.bif (plugin Zeek::Syslog).

export {

global syslog_message: event(c: connection, facility: count, severity: count, msg: string);

}

module GLOBAL;
