##! File-level documentation.
##! Second line.

@load base/frameworks/notice
@load ./helper
@load-sigs ./sigs
@load-plugin Demo::Plugin
@unload policy/misc/loaded-scripts
@prefixes += lcl
@deprecated "use something else"

module Demo;

## Pre-declaration comment.
global path = @DIR + "/" + @FILENAME;

export {
	## Documented type.
	type Level: enum {
		LOW,  ##< Low level.
		HIGH, ##< High level.
	};
}
