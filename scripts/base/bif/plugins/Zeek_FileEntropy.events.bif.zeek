##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/entropy/events.bif (plugin Zeek::FileEntropy).

export {

global file_entropy: event(f: fa_file, ent: entropy_test_result);

}

module GLOBAL;
