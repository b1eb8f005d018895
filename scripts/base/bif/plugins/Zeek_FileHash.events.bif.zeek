##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/hash/events.bif (plugin Zeek::FileHash).

export {

global file_hash: event(f: fa_file, kind: string, hash: string);

}

module GLOBAL;
