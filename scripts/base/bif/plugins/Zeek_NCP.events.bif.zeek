##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ncp/events.bif (plugin Zeek::NCP).

export {

global ncp_request: event(c: connection, frame_type: count, length: count, func: count);
global ncp_reply: event(c: connection, frame_type: count, length: count, req_frame: count, req_func: count, completion_code: count);

}

module GLOBAL;
