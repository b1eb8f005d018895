# A pattern with the same mode twice.
global p = /abc/ii;
