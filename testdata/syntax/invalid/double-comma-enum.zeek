# An enum body may end in one comma, not two.
type Color: enum {
	RED,
	GREEN,
	,
};
