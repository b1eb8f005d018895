# Once a top-level statement was seen, declarations are syntax errors.
print "first";
global later = 1;
