# An unknown attribute scans as `&` and an identifier.
global x: count &nosuchattr = 3;
