##! Zest's declarations for Zeek 5.2.2's src/file_analysis/analyzer/x509/events.bif (plugin Zeek::X509).

export {

global x509_certificate: event(f: fa_file, cert_ref: opaque of x509, cert: X509::Certificate);
global x509_extension: event(f: fa_file, ext: X509::Extension);
global x509_ext_basic_constraints: event(f: fa_file, ext: X509::BasicConstraints);
global x509_ext_subject_alternative_name: event(f: fa_file, ext: X509::SubjectAlternativeName);
global x509_ocsp_ext_signed_certificate_timestamp: event(f: fa_file, version: count, logid: string, timestamp: count, hash_algorithm: count, signature_algorithm: count, signature: string);

}

module GLOBAL;
