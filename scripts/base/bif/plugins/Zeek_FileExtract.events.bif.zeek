##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/extract/events.bif (plugin Zeek::FileExtract).

export {

global file_extraction_limit: event(f: fa_file, args: Files::AnalyzerArgs, limit: count, len: count);

}

module GLOBAL;
