# Formal parameters may end in `;` but not in `,`.
event e(a: string, b: count, )
	{
	}
