# A pattern without its closing slash: the next line is more pattern text
# (Zeek does not count the newline, so both errors are on line 5).
event zeek_init()
	{
	print /a+b;
	}
