##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb1_com_logoff_andx.bif (plugin Zeek::SMB).

export {

global smb1_logoff_andx: event(c: connection, is_orig: bool);

}

module GLOBAL;
