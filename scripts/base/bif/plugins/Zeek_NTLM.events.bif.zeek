##! Zest's declarations for Zeek 5.2.2's src/analyzer/protocol/ntlm/events.bif (plugin Zeek::NTLM).

export {

global ntlm_negotiate: event(c: connection, negotiate: NTLM::Negotiate);
global ntlm_challenge: event(c: connection, challenge: NTLM::Challenge);
global ntlm_authenticate: event(c: connection, request: NTLM::Authenticate);

}

module GLOBAL;
