// SPDX-License-Identifier: GPL-2.0
/* as_nobody: runs a command as uid and gid 65534, without capabilities. */
#include <stdio.h>
#include <grp.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("as_nobody");
		return 126;
	}
	execvp(argv[1], argv + 1);
	perror("as_nobody");
	return 127;
}
