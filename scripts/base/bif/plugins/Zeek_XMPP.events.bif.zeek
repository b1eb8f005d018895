##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/xmpp/events.bif (plugin Zeek::XMPP).

export {

global xmpp_starttls: event(c: connection);

}

module GLOBAL;
