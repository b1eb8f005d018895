##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/radius/events.bif (plugin Zeek::RADIUS).

export {

global radius_message: event(c: connection, result: RADIUS::Message);
global radius_attribute: event(c: connection, attr_type: count, value: string);

}

module GLOBAL;
