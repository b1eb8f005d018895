##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/imap/events.bif (plugin Zeek::IMAP).

export {

global imap_capabilities: event(c: connection, capabilities: string_vec);
global imap_starttls: event(c: connection);

}

module GLOBAL;
