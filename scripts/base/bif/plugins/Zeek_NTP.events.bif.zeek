##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ntp/events.bif (plugin Zeek::NTP).

export {

global ntp_message: event(c: connection, is_orig: bool, msg: NTP::Message);

}

module GLOBAL;
