# An @endif without @if is reported, and parsing goes on.
global a = 1;
@endif
global b = 2;
