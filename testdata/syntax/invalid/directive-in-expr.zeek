# A conditional directive inside an expression is a grammar error.
global x = 1 +
@if ( T )
	2;
@endif
