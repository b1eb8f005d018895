##! Zest's declarations for Zeek 5.2.2's src/logging/writers/sqlite/sqlite.bif (plugin Zeek::SQLiteWriter).

export {

module LogSQLite;

}

module GLOBAL;
