/* cli_exec.c — the admin commands' one way to run a parameterised
 * statement: the error printed in Chinese, the result kept or cleared.
 * (cli_users.c, cli_tokens.c and cli_deadline.c; cli_regions.c runs
 * fixed statements with PQexec and keeps its own.) */
#include <stdio.h>

#include "cli.h"

int gk_cli_exec(PGconn *pg, const char *sql, int n, const char *const *v, PGresult **out)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "失败：%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}
