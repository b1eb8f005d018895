# A missing semicolon: Zeek names the next token, on its own line.
event zeek_init()
	{
	local a = 1
	local b = 2;
	}
