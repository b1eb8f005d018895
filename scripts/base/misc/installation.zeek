##! Zest's properties of the installation (a Zeek build generates this file
##! from its configured directories). Zest runs from its checkout; the
##! directories below are its conventional defaults.
module Installation;

export {
	## Installation root directory.
	const root_dir = "/usr/local/zest";

	## Configuration directory.
	const etc_dir = "/usr/local/zest/etc";

	## Log directory.
	const log_dir = "/usr/local/zest/logs";

	## Spool directory.
	const spool_dir = "/usr/local/zest/spool";

	## Variable-state directory.
	const state_dir = "/usr/local/zest/var/lib";
}
