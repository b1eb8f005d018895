##! Zest's declarations of what Zeek 5.2.2 declares natively at start-up, in
##! C++, before it parses any script, and no .bif file declares: the component
##! enums of its plugins and the function __init_primary_bifs.
##!
##! Where Zeek does it: each manager's ComponentManager constructor creates its
##! tag enum type when zeek-setup.cc builds the managers (packet_mgr, analyzer_mgr,
##! log_mgr, input_mgr, file_mgr, in that order: PacketAnalyzer::Tag and the shared
##! parent AllAnalyzers::Tag, then Analyzer::Tag, Log::Writer, Input::Reader,
##! Files::Tag).  plugin_mgr->InitPreScript() then adds one name per component,
##! all before the first script is parsed.  So Zest loads this file first of all:
##! from the top of const.bif.zeek, the first file base/init-bare.zeek loads
##! (init-bare already uses Files::Tag at its line 125).  The types are declared
##! here, with their values, because an enum body cannot be empty; scripts may
##! still `redef enum ... += { }` them as in Zeek.
##!
##! Numbering (plugin/Manager.cc, plugin/Plugin.cc, plugin/Component.cc,
##! plugin/ComponentManager.h): active plugins are sorted by lower-cased name,
##! the components of a plugin by name; each analyzer, session adapter, packet
##! analyzer, file analyzer, reader and writer component then takes the next
##! value of ONE counter shared by all kinds (++type_counter, so the first is 1);
##! packet sources and dumpers take none.  A tag's enum value is
##! type | (subtype << 31), subtype 0 for all built-ins.  Names are the prefix
##! (ANALYZER_, READER_, WRITER_) plus the canonified component name (upper case,
##! non-alphanumerics to '_'), also for components without a factory
##! (ANALYZER_CONTENTS_DNS, ...).  Analyzer, packet-analyzer and file-analyzer
##! names are added again to AllAnalyzers::Tag as MODULE_NAME
##! (ANALYZER_ANALYZER_HTTP, PACKETANALYZER_ANALYZER_ARP, FILES_ANALYZER_MD5).
##! The order is that of `zeek -NN` (reference/zeek-NN.txt, a build without
##! Spicy); it gives Analyzer::ANALYZER_HTTP = 35, as a -b run of Zeek shows.
##!
##! After the plugins, zeek-setup.cc installs __init_primary_bifs (a built-in
##! taking no arguments and returning T), which init-bare.zeek calls in an @if.

module PacketAnalyzer;

export {
    type Tag: enum {
        ANALYZER_ARP = 1,
        ANALYZER_AYIYA = 4,
        ANALYZER_ETHERNET = 17,
        ANALYZER_FDDI = 18,
        ANALYZER_GENEVE = 30,
        ANALYZER_GRE = 32,
        ANALYZER_GTPV1 = 34,
        ANALYZER_ICMP = 36,
        ANALYZER_IEEE802_11 = 39,
        ANALYZER_IEEE802_11_RADIO = 40,
        ANALYZER_IP = 42,
        ANALYZER_IPTUNNEL = 43,
        ANALYZER_LINUXSLL = 47,
        ANALYZER_LINUXSLL2 = 48,
        ANALYZER_MPLS = 57,
        ANALYZER_NFLOG = 64,
        ANALYZER_NULL = 68,
        ANALYZER_PPPOE = 73,
        ANALYZER_PPPSERIAL = 74,
        ANALYZER_ROOT = 80,
        ANALYZER_SKIP = 87,
        ANALYZER_TCP = 102,
        ANALYZER_TEREDO = 104,
        ANALYZER_UDP = 105,
        ANALYZER_VLAN = 107,
        ANALYZER_VNTAG = 108,
        ANALYZER_VXLAN = 109,
    };
}

module AllAnalyzers;

export {
    type Tag: enum {
        PACKETANALYZER_ANALYZER_ARP = 1,
        PACKETANALYZER_ANALYZER_AYIYA = 4,
        ANALYZER_ANALYZER_BITTORRENT = 7,
        ANALYZER_ANALYZER_BITTORRENTTRACKER = 8,
        ANALYZER_ANALYZER_CONNSIZE = 10,
        ANALYZER_ANALYZER_DCE_RPC = 11,
        ANALYZER_ANALYZER_DHCP = 12,
        ANALYZER_ANALYZER_DNP3_TCP = 13,
        ANALYZER_ANALYZER_DNP3_UDP = 14,
        ANALYZER_ANALYZER_CONTENTS_DNS = 15,
        ANALYZER_ANALYZER_DNS = 16,
        PACKETANALYZER_ANALYZER_ETHERNET = 17,
        PACKETANALYZER_ANALYZER_FDDI = 18,
        ANALYZER_ANALYZER_FTP_DATA = 19,
        ANALYZER_ANALYZER_IRC_DATA = 20,
        FILES_ANALYZER_DATA_EVENT = 21,
        FILES_ANALYZER_ENTROPY = 22,
        FILES_ANALYZER_EXTRACT = 23,
        FILES_ANALYZER_MD5 = 24,
        FILES_ANALYZER_SHA1 = 25,
        FILES_ANALYZER_SHA256 = 26,
        ANALYZER_ANALYZER_FINGER = 27,
        ANALYZER_ANALYZER_FTP = 28,
        ANALYZER_ANALYZER_FTP_ADAT = 29,
        PACKETANALYZER_ANALYZER_GENEVE = 30,
        ANALYZER_ANALYZER_GNUTELLA = 31,
        PACKETANALYZER_ANALYZER_GRE = 32,
        ANALYZER_ANALYZER_GSSAPI = 33,
        PACKETANALYZER_ANALYZER_GTPV1 = 34,
        ANALYZER_ANALYZER_HTTP = 35,
        PACKETANALYZER_ANALYZER_ICMP = 36,
        ANALYZER_ANALYZER_ICMP = 37,
        ANALYZER_ANALYZER_IDENT = 38,
        PACKETANALYZER_ANALYZER_IEEE802_11 = 39,
        PACKETANALYZER_ANALYZER_IEEE802_11_RADIO = 40,
        ANALYZER_ANALYZER_IMAP = 41,
        PACKETANALYZER_ANALYZER_IP = 42,
        PACKETANALYZER_ANALYZER_IPTUNNEL = 43,
        ANALYZER_ANALYZER_IRC = 44,
        ANALYZER_ANALYZER_KRB = 45,
        ANALYZER_ANALYZER_KRB_TCP = 46,
        PACKETANALYZER_ANALYZER_LINUXSLL = 47,
        PACKETANALYZER_ANALYZER_LINUXSLL2 = 48,
        ANALYZER_ANALYZER_CONTENTS_RLOGIN = 49,
        ANALYZER_ANALYZER_CONTENTS_RSH = 50,
        ANALYZER_ANALYZER_LOGIN = 51,
        ANALYZER_ANALYZER_NVT = 52,
        ANALYZER_ANALYZER_RLOGIN = 53,
        ANALYZER_ANALYZER_RSH = 54,
        ANALYZER_ANALYZER_TELNET = 55,
        ANALYZER_ANALYZER_MODBUS = 56,
        PACKETANALYZER_ANALYZER_MPLS = 57,
        ANALYZER_ANALYZER_MQTT = 58,
        ANALYZER_ANALYZER_MYSQL = 59,
        ANALYZER_ANALYZER_CONTENTS_NCP = 60,
        ANALYZER_ANALYZER_NCP = 61,
        ANALYZER_ANALYZER_CONTENTS_NETBIOSSSN = 62,
        ANALYZER_ANALYZER_NETBIOSSSN = 63,
        PACKETANALYZER_ANALYZER_NFLOG = 64,
        ANALYZER_ANALYZER_NTLM = 66,
        ANALYZER_ANALYZER_NTP = 67,
        PACKETANALYZER_ANALYZER_NULL = 68,
        FILES_ANALYZER_PE = 69,
        ANALYZER_ANALYZER_PIA_TCP = 70,
        ANALYZER_ANALYZER_PIA_UDP = 71,
        ANALYZER_ANALYZER_POP3 = 72,
        PACKETANALYZER_ANALYZER_PPPOE = 73,
        PACKETANALYZER_ANALYZER_PPPSERIAL = 74,
        ANALYZER_ANALYZER_RADIUS = 75,
        ANALYZER_ANALYZER_RDP = 77,
        ANALYZER_ANALYZER_RDPEUDP = 78,
        ANALYZER_ANALYZER_RFB = 79,
        PACKETANALYZER_ANALYZER_ROOT = 80,
        ANALYZER_ANALYZER_CONTENTS_NFS = 81,
        ANALYZER_ANALYZER_CONTENTS_RPC = 82,
        ANALYZER_ANALYZER_MOUNT = 83,
        ANALYZER_ANALYZER_NFS = 84,
        ANALYZER_ANALYZER_PORTMAPPER = 85,
        ANALYZER_ANALYZER_SIP = 86,
        PACKETANALYZER_ANALYZER_SKIP = 87,
        ANALYZER_ANALYZER_CONTENTS_SMB = 88,
        ANALYZER_ANALYZER_SMB = 89,
        ANALYZER_ANALYZER_SMTP = 90,
        ANALYZER_ANALYZER_SNMP = 91,
        ANALYZER_ANALYZER_SOCKS = 92,
        ANALYZER_ANALYZER_SSH = 95,
        ANALYZER_ANALYZER_DTLS = 96,
        ANALYZER_ANALYZER_SSL = 97,
        ANALYZER_ANALYZER_SYSLOG = 98,
        ANALYZER_ANALYZER_CONTENTLINE = 99,
        ANALYZER_ANALYZER_CONTENTS = 100,
        ANALYZER_ANALYZER_TCPSTATS = 101,
        PACKETANALYZER_ANALYZER_TCP = 102,
        ANALYZER_ANALYZER_TCP = 103,
        PACKETANALYZER_ANALYZER_TEREDO = 104,
        PACKETANALYZER_ANALYZER_UDP = 105,
        ANALYZER_ANALYZER_UDP = 106,
        PACKETANALYZER_ANALYZER_VLAN = 107,
        PACKETANALYZER_ANALYZER_VNTAG = 108,
        PACKETANALYZER_ANALYZER_VXLAN = 109,
        FILES_ANALYZER_OCSP_REPLY = 110,
        FILES_ANALYZER_OCSP_REQUEST = 111,
        FILES_ANALYZER_X509 = 112,
        ANALYZER_ANALYZER_XMPP = 113,
        ANALYZER_ANALYZER_ZIP = 114,
    };
}

module Analyzer;

export {
    type Tag: enum {
        ANALYZER_BITTORRENT = 7,
        ANALYZER_BITTORRENTTRACKER = 8,
        ANALYZER_CONNSIZE = 10,
        ANALYZER_DCE_RPC = 11,
        ANALYZER_DHCP = 12,
        ANALYZER_DNP3_TCP = 13,
        ANALYZER_DNP3_UDP = 14,
        ANALYZER_CONTENTS_DNS = 15,
        ANALYZER_DNS = 16,
        ANALYZER_FTP_DATA = 19,
        ANALYZER_IRC_DATA = 20,
        ANALYZER_FINGER = 27,
        ANALYZER_FTP = 28,
        ANALYZER_FTP_ADAT = 29,
        ANALYZER_GNUTELLA = 31,
        ANALYZER_GSSAPI = 33,
        ANALYZER_HTTP = 35,
        ANALYZER_ICMP = 37,
        ANALYZER_IDENT = 38,
        ANALYZER_IMAP = 41,
        ANALYZER_IRC = 44,
        ANALYZER_KRB = 45,
        ANALYZER_KRB_TCP = 46,
        ANALYZER_CONTENTS_RLOGIN = 49,
        ANALYZER_CONTENTS_RSH = 50,
        ANALYZER_LOGIN = 51,
        ANALYZER_NVT = 52,
        ANALYZER_RLOGIN = 53,
        ANALYZER_RSH = 54,
        ANALYZER_TELNET = 55,
        ANALYZER_MODBUS = 56,
        ANALYZER_MQTT = 58,
        ANALYZER_MYSQL = 59,
        ANALYZER_CONTENTS_NCP = 60,
        ANALYZER_NCP = 61,
        ANALYZER_CONTENTS_NETBIOSSSN = 62,
        ANALYZER_NETBIOSSSN = 63,
        ANALYZER_NTLM = 66,
        ANALYZER_NTP = 67,
        ANALYZER_PIA_TCP = 70,
        ANALYZER_PIA_UDP = 71,
        ANALYZER_POP3 = 72,
        ANALYZER_RADIUS = 75,
        ANALYZER_RDP = 77,
        ANALYZER_RDPEUDP = 78,
        ANALYZER_RFB = 79,
        ANALYZER_CONTENTS_NFS = 81,
        ANALYZER_CONTENTS_RPC = 82,
        ANALYZER_MOUNT = 83,
        ANALYZER_NFS = 84,
        ANALYZER_PORTMAPPER = 85,
        ANALYZER_SIP = 86,
        ANALYZER_CONTENTS_SMB = 88,
        ANALYZER_SMB = 89,
        ANALYZER_SMTP = 90,
        ANALYZER_SNMP = 91,
        ANALYZER_SOCKS = 92,
        ANALYZER_SSH = 95,
        ANALYZER_DTLS = 96,
        ANALYZER_SSL = 97,
        ANALYZER_SYSLOG = 98,
        ANALYZER_CONTENTLINE = 99,
        ANALYZER_CONTENTS = 100,
        ANALYZER_TCPSTATS = 101,
        ANALYZER_TCP = 103,
        ANALYZER_UDP = 106,
        ANALYZER_XMPP = 113,
        ANALYZER_ZIP = 114,
    };
}

module Log;

export {
    type Writer: enum {
        WRITER_ASCII = 3,
        WRITER_NONE = 65,
        WRITER_SQLITE = 94,
    };
}

module Input;

export {
    type Reader: enum {
        READER_ASCII = 2,
        READER_BENCHMARK = 5,
        READER_BINARY = 6,
        READER_CONFIG = 9,
        READER_RAW = 76,
        READER_SQLITE = 93,
    };
}

module Files;

export {
    type Tag: enum {
        ANALYZER_DATA_EVENT = 21,
        ANALYZER_ENTROPY = 22,
        ANALYZER_EXTRACT = 23,
        ANALYZER_MD5 = 24,
        ANALYZER_SHA1 = 25,
        ANALYZER_SHA256 = 26,
        ANALYZER_PE = 69,
        ANALYZER_OCSP_REPLY = 110,
        ANALYZER_OCSP_REQUEST = 111,
        ANALYZER_X509 = 112,
    };
}

module GLOBAL;

global __init_primary_bifs: function(): bool;
