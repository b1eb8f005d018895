##! Loads the declarations of Zeek 5.2.2's core BiF groups, in the order of its build's
##! generated base/bif/__load__.zeek (bif_target order in src/CMakeLists.txt and its subdirectories).

@load ./zeek.bif.zeek
@load ./stats.bif.zeek
@load ./event.bif.zeek
@load ./const.bif.zeek
@load ./types.bif.zeek
@load ./strings.bif.zeek
@load ./reporter.bif.zeek
@load ./option.bif.zeek
@load ./supervisor.bif.zeek
@load ./packet_analysis.bif.zeek
@load ./CPP-load.bif.zeek
@load ./analyzer.bif.zeek
@load ./comm.bif.zeek
@load ./data.bif.zeek
@load ./messaging.bif.zeek
@load ./store.bif.zeek
@load ./telemetry.bif.zeek
@load ./zeekygen.bif.zeek
@load ./file_analysis.bif.zeek
@load ./input.bif.zeek
@load ./pcap.bif.zeek
@load ./logging.bif.zeek
@load ./bloom-filter.bif.zeek
@load ./cardinality-counter.bif.zeek
@load ./top-k.bif.zeek
