##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/dhcp/events.bif (plugin Zeek::DHCP).

export {

global dhcp_message: event(c: connection, is_orig: bool, msg: DHCP::Msg, options: DHCP::Options);

}

module GLOBAL;
