##! Zest's declarations for Zeek 5.2.2's src/option.bif.

export {

module Option;

global Option::set: function(ID: string, val: any, location: string &default=""): bool;
global Option::set_change_handler: function(ID: string, on_change: any, priority: int &default=0): bool;
global Option::any_set_to_any_vec: function(v: any): any_vec;

}

module GLOBAL;
