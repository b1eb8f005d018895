##! Zest's declarations for Zeek 5.2.2's src/logging/logging.bif.

export {

module Log;

type PrintLogType: enum {
    REDIRECT_NONE,
    REDIRECT_STDOUT,
    REDIRECT_ALL,
};

global Log::__create_stream: function(id: Log::ID, stream: Log::Stream): bool;
global Log::__remove_stream: function(id: Log::ID): bool;
global Log::__enable_stream: function(id: Log::ID): bool;
global Log::__disable_stream: function(id: Log::ID): bool;
global Log::__add_filter: function(id: Log::ID, filter: Log::Filter): bool;
global Log::__remove_filter: function(id: Log::ID, name: string): bool;
global Log::__write: function(id: Log::ID, columns: any): bool;
global Log::__set_buf: function(id: Log::ID, buffered: bool): bool;
global Log::__flush: function(id: Log::ID): bool;

}

module GLOBAL;
