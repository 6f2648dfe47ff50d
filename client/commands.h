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
/* The network commands (cmd_submit.c, cmd_status.c, cmd_rollup.c,
 * cmd_compliance.c, cmd_history.c). */
int gk_cmd_submit(int argc, char **argv);
int gk_cmd_check_server(int argc, char **argv);   /* `check --server`, called by cmd_check.c */
int gk_cmd_status(int argc, char **argv);
int gk_cmd_rollup(int argc, char **argv);
int gk_cmd_compliance(int argc, char **argv);
int gk_cmd_history(int argc, char **argv);
int gk_cmd_show(int argc, char **argv);
int gk_cmd_import(int argc, char **argv);
/* cmd_review.c: the office's review of one report */
int gk_cmd_review(int argc, char **argv);
/* cmd_review_mark.c: `review mark`, the office's mark on one finding */
int gk_cmd_review_mark(int argc, char **argv);
/* cmd_supervision.c: the supervision list (通报) of a region */
int gk_cmd_supervision(int argc, char **argv);
/* cmd_benchmark.c: one cell among the units below a region */
int gk_cmd_benchmark(int argc, char **argv);
/* cmd_render.c: the publishable report (HTML, Word) */
int gk_cmd_render(int argc, char **argv);

#endif
