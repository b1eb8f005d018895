##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/extract/functions.bif (plugin Zeek::FileExtract).

export {

module FileExtract;

global FileExtract::__set_limit: function(file_id: string, args: any, n: count): bool;

module GLOBAL;

}

module GLOBAL;
