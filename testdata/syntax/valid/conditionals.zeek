# Parsed with every @if branch taken: only the first branches are in the tree.
@if ( T )
global taken = 1;
@else
global skipped = 1;
@endif

@ifdef ( Something )
global also_taken = 2;
@endif

@ifndef ( Something )
global not_taken = 3;
@else
global else_taken = 4;
@endif

event zeek_init()
	{
@if ( 1 == 1 )
	print "a";
@endif
	print "b";
	}

@if ( T )
function f(x: count)
@else
function f(x: string)
@endif
	{
	}
