##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/file/events.bif (plugin Zeek::File).

export {

global file_transferred: event(c: connection, prefix: string, descr: string, mime_type: string);

}

module GLOBAL;
