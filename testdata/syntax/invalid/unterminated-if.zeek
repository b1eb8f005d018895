@if ( T )
print "then";
@else
print "else";
