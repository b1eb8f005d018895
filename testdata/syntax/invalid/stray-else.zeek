# An @else without @if is reported and starts skipping; the @endif that
# ends the skipped text is then unbalanced too.
global a = 1;
@else
global b = 2;
@endif
global c = 3;
