##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ftp/functions.bif (plugin Zeek::FTP).

export {

global parse_ftp_port: function(s: string): ftp_port;
global parse_eftp_port: function(s: string): ftp_port;
global parse_ftp_pasv: function(str: string): ftp_port;
global parse_ftp_epsv: function(str: string): ftp_port;
global fmt_ftp_port: function(a: addr, p: port): string;

}

module GLOBAL;
