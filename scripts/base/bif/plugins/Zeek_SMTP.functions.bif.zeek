##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smtp/functions.bif (plugin Zeek::SMTP).

export {

global skip_smtp_data: function(c: connection): any;

}

module GLOBAL;
