##! Zest's declarations for Zeek 5.2.2's src/event.bif.

export {

global zeek_init: event();
global zeek_done: event();
global net_done: event(t: time);
global network_time_init: event();
global new_connection: event(c: connection);
global tunnel_changed: event(c: connection, e: EncapsulatingConnVector);
global connection_timeout: event(c: connection);
global connection_state_remove: event(c: connection);
global connection_reused: event(c: connection);
global connection_status_update: event(c: connection);
global connection_flow_label_changed: event(c: connection, is_orig: bool, old_label: count, new_label: count);
global udp_session_done: event(u: connection);
global scheduled_analyzer_applied: event(c: connection, a: Analyzer::Tag);
global raw_packet: event(p: raw_pkt_hdr);
global new_packet: event(c: connection, p: pkt_hdr);
global ipv6_ext_headers: event(c: connection, p: pkt_hdr);
global esp_packet: event(p: pkt_hdr);
global mobile_ipv6_message: event(p: pkt_hdr);
global packet_contents: event(c: connection, contents: string);
global rexmit_inconsistency: event(c: connection, t1: string, t2: string, tcp_flags: string);
global content_gap: event(c: connection, is_orig: bool, seq: count, length: count);
global analyzer_confirmation_info: event(atype: AllAnalyzers::Tag, info: AnalyzerConfirmationInfo);
global analyzer_violation_info: event(atype: AllAnalyzers::Tag, info: AnalyzerViolationInfo);
global analyzer_confirmation: event(c: connection, atype: AllAnalyzers::Tag, aid: count) &deprecated="Remove in 6.1. Use the generic analyzer_confirmation_info event instead.";
global protocol_late_match: event(c: connection, atype: Analyzer::Tag);
global analyzer_violation: event(c: connection, atype: AllAnalyzers::Tag, aid: count, reason: string) &deprecated="Remove in 6.1. Use the generic analyzer_violation_info event instead.";
global conn_stats: event(c: connection, os: endpoint_stats, rs: endpoint_stats);
global conn_weird: event(name: string, c: connection, addl: string, source: string);
global conn_weird: event(name: string, c: connection, addl: string);
global expired_conn_weird: event(name: string, id: conn_id, uid: string, addl: string, source: string);
global expired_conn_weird: event(name: string, id: conn_id, uid: string, addl: string);
global flow_weird: event(name: string, src: addr, dst: addr, addl: string, source: string);
global flow_weird: event(name: string, src: addr, dst: addr, addl: string);
global net_weird: event(name: string, addl: string, source: string);
global net_weird: event(name: string, addl: string);
global file_weird: event(name: string, f: fa_file, addl: string, source: string);
global file_weird: event(name: string, f: fa_file, addl: string);
global load_sample: event(samples: load_sample_info, CPU: interval, dmem: int);
global signature_match: event(state: signature_state, msg: string, data: string);
global profiling_update: event(f: file, expensive: bool);
global reporter_info: event(t: time, msg: string, location: string) &error_handler;
global reporter_warning: event(t: time, msg: string, location: string) &error_handler;
global reporter_error: event(t: time, msg: string, location: string) &error_handler;
global zeek_script_loaded: event(path: string, level: count);
global file_opened: event(f: file);
global event_queue_flush_point: event();
global get_file_handle: event(tag: Analyzer::Tag, c: connection, is_orig: bool);
global file_new: event(f: fa_file);
global file_over_new_connection: event(f: fa_file, c: connection, is_orig: bool);
global file_sniff: event(f: fa_file, meta: fa_metadata);
global file_timeout: event(f: fa_file);
global file_gap: event(f: fa_file, offset: count, len: count);
global file_reassembly_overflow: event(f: fa_file, offset: count, skipped: count);
global file_state_remove: event(f: fa_file);
global dns_mapping_valid: event(dm: dns_mapping);
global dns_mapping_unverified: event(dm: dns_mapping);
global dns_mapping_new_name: event(dm: dns_mapping);
global dns_mapping_lost_name: event(dm: dns_mapping);
global dns_mapping_name_changed: event(prev: dns_mapping, latest: dns_mapping);
global dns_mapping_altered: event(dm: dns_mapping, old_addrs: addr_set, new_addrs: addr_set);
global new_event: event(name: string, params: call_argument_vector);
global anonymization_mapping: event(orig: addr, mapped: addr);
global Pcap::file_done: event(path: string);
global unknown_protocol: event(analyzer_name: string, protocol: count, first_bytes: string);
global packet_not_processed: event(pkt: pcap_packet);

}

module GLOBAL;
