/* main.c — `gongkai`, the client: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>
#include "commands.h"

static void usage(FILE *out)
{
    fprintf(out, "用法: gongkai <命令> [选项]\n\n命令:\n");
    for (const gk_command *c = gk_commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out, "\n每个命令都有 --help。\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("gongkai 0.1.0\n");
        return 0;
    }
    for (const gk_command *c = gk_commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "gongkai: 未知命令 “%s”\n", argv[1]);
    usage(stderr);
    return 2;
}
