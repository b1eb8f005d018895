##! Zest's declarations for Zeek 5.2.2's src/input/readers/sqlite/sqlite.bif (plugin Zeek::SQLiteReader).

export {

module InputSQLite;

}

module GLOBAL;
