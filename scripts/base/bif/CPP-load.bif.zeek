##! Zest's declarations for Zeek 5.2.2's src/script_opt/CPP/CPP-load.bif.

export {

global load_CPP: function(h: count): bool;

}

module GLOBAL;
