/* commands.h — the client's subcommands.  Each lives in its own cmd_*.c and
 * has the same shape: argc/argv after the command name, returns the process
 * exit code.  main.c dispatches by name from the table in commands.c. */
#ifndef GONGKAI_CLIENT_COMMANDS_H
#define GONGKAI_CLIENT_COMMANDS_H

typedef struct gk_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;   /* one line for `gongkai --help` */
} gk_command;

/* NULL-terminated table, defined in commands.c. */
extern const gk_command gk_commands[];

int gk_cmd_check(int argc, char **argv);
int gk_cmd_template(int argc, char **argv);

#endif
