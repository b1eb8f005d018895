##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/conn-size/events.bif (plugin Zeek::ConnSize).

export {

global conn_bytes_threshold_crossed: event(c: connection, threshold: count, is_orig: bool);
global conn_packets_threshold_crossed: event(c: connection, threshold: count, is_orig: bool);
global conn_duration_threshold_crossed: event(c: connection, threshold: interval, is_orig: bool);

}

module GLOBAL;
