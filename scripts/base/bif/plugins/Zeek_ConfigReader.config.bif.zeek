##! Zest's declarations for Zeek 5.2.2's src/input/readers/config/config.bif (plugin Zeek::ConfigReader).

export {

module InputConfig;

}

module GLOBAL;
