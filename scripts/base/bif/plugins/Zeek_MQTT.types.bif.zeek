##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/mqtt/types.bif (plugin Zeek::MQTT).

export {

}

module GLOBAL;
