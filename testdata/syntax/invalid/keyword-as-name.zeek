# A keyword is not an identifier.
global event = 1;
