##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/events.bif (plugin Zeek::SMB).

export {

global smb_pipe_connect_heuristic: event(c: connection);

}

module GLOBAL;
