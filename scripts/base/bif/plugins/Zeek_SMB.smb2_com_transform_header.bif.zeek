##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/smb/smb2_com_transform_header.bif (plugin Zeek::SMB).

export {

global smb2_transform_header: event(c: connection, hdr: SMB2::Transform_header);

}

module GLOBAL;
