#!/usr/bin/perl
# no_sql_from_strings.pl DIR — fails (exit 1) when C code in DIR could run
# SQL built from strings.  Three rules, on the code with comments removed:
#  1. no sprintf-family / strcat / evbuffer_add_printf call may have a string
#     literal with an SQL keyword among its arguments (SQL being formatted);
#  2. PQsendQuery (the unparameterised call) is not used at all;
#  3. every call of a query function — libpq's and our wrappers — passes as
#     its SQL a constant: string literals, GK_SQL_* macros, *_sql constants,
#     upper-case macros, gk_sql_* / *_sql constants, or a ?: choice between
#     those.  A function with a `const char *sql` parameter is a wrapper: it
#     becomes a query function itself (its callers are checked) and may hand
#     its parameter on.  Two reviewed pass-throughs are listed in %allowed.
use strict;
use warnings;

my $dir = shift or die "usage: $0 DIR\n";
# function name => index of its SQL argument
my %query_fn = (PQexec => 1, PQexecParams => 1, PQsendQueryParams => 1, PQprepare => 2, PQsendPrepare => 2,
                gk_req_query => 1, gk_lease_query => 1, gk_pgconn_send => 1, exec => 1, exec_ok => 1,
                add_query => 1, sql1 => 1);
my %allowed = (
    'migrate.c:PQexec:m->sql' => 'the embedded sql/*.sql migration files (compiled in, several statements)',
    'routes_submit.c:gk_req_query:st->sql[q]' => 'the submit batch: add_query() stores constants (rule 3)',
);
my $kw = qr/\b(?:SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES|JOIN|CREATE|DROP|ALTER|GRANT|TRUNCATE|COPY|SET\s+\w+\s*=)\b/;
my $fmt_fn = qr/\b(?:v?s?n?printf|v?asprintf|strn?cat|strn?cpy|stpcpy|memcpy|evbuffer_add_printf|evbuffer_add_vprintf)\s*\(/;
my $parens;
$parens = qr/\((?:[^()"']++|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(??{$parens}))*\)/s;
my $bad = 0;

sub args {    # split "(a, b(c, d), "e,f")" into top-level arguments
    my ($s) = @_;
    $s = substr($s, 1, -1);
    my @a;
    my ($depth, $cur) = (0, '');
    while ($s =~ /\G("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[(\[{]|[)\]}]|,|[^"'(\[{)\]},]+)/gs) {
        my $t = $1;
        if ($t =~ /^[(\[{]$/) { $depth++ }
        elsif ($t =~ /^[)\]}]$/) { $depth-- }
        if ($t eq ',' && $depth == 0) { push @a, $cur; $cur = ''; next }
        $cur .= $t;
    }
    push @a, $cur;
    s/^\s+|\s+$//g for @a;
    return @a;
}

sub constant_sql {
    my ($a) = @_;
    (my $rest = $a) =~ s/"(?:[^"\\]|\\.)*"//g;                 # literals
    1 while $rest =~ s/\bGK_SQL_[A-Z_]+\s*\([^()]*\)//g;      # our SQL text macros
    $rest =~ s/\b(?:[a-z_]+_sql|gk_sql_\w+)\b//g;              # const char *const x_sql, gk_sql_*
    $rest =~ s/\b[A-Z][A-Z0-9_]+\b//g;                        # macros (compile-time text)
    $rest =~ s/\s+//g;
    return 1 if $rest eq '';
    # cond ? A : B with constant branches
    return 1 if $a =~ /^[^?"]*\?\s*("(?:[^"\\]|\\.)*"|\w+_sql)\s*:\s*("(?:[^"\\]|\\.)*"|\w+_sql)$/s;
    return 0;
}

opendir(my $dh, $dir) or die "$dir: $!\n";
my %src;
for my $f (sort grep { /\.[ch]$/ } readdir $dh) {
    open(my $fh, '<', "$dir/$f") or die "$dir/$f: $!\n";
    local $/;
    my $s = <$fh>;
    close $fh;
    # comments out, keep line structure
    $s =~ s{/\*.*?\*/}{my $c = $&; $c =~ tr/\n//cd; $c}gse;
    $s =~ s{//[^\n]*}{}g;
    $src{$f} = $s;
    # wrappers: definitions with a `const char *sql` parameter
    while ($s =~ /(?:^|\n)[A-Za-z_][\w \t*]*?\b(\w+)\s*\(([^()]*)\)\s*\{/g) {
        my ($fn, $params) = ($1, $2);
        my @p = split /,/, $params;
        for my $i (0 .. $#p) {
            $query_fn{$fn} = $i if $p[$i] =~ /^\s*const\s+char\s*\*\s*(?:const\s+)?sql\s*$/;
        }
    }
}
closedir $dh;
for my $f (sort keys %src) {
    my $src = $src{$f};
    while ($src =~ /$fmt_fn/g) {
        my $at = pos($src);
        my $line = 1 + (substr($src, 0, $at) =~ tr/\n//);
        if (substr($src, $at - 1) =~ /^($parens)/) {
            my $call = $1;
            for my $lit ($call =~ /"((?:[^"\\]|\\.)*)"/g) {
                if ($lit =~ $kw) {
                    print "$dir/$f:$line: SQL formatted with a string function: \"$lit\"\n";
                    $bad = 1;
                }
            }
        }
    }
    while ($src =~ /\b(PQsendQuery)\s*\(/g) {
        my $line = 1 + (substr($src, 0, pos($src)) =~ tr/\n//);
        print "$dir/$f:$line: PQsendQuery without parameters\n";
        $bad = 1;
    }
    while ($src =~ /\b(\w+)\s*(?=\()/g) {
        my $fn = $1;
        next unless exists $query_fn{$fn};
        my $at = pos($src);
        my $line = 1 + (substr($src, 0, $at) =~ tr/\n//);
        my $before = substr($src, 0, $at);
        # a definition or prototype ("type fn(" at the start of a line) is not a call
        next if $before =~ /(?:^|\n)[A-Za-z_][\w \t*]*[\s*]\Q$fn\E\s*$/;
        next unless substr($src, $at) =~ /^($parens)/;
        my @a = args($1);
        my $sql = $a[$query_fn{$fn}];
        next unless defined $sql;
        next if constant_sql($sql);
        next if exists $allowed{"$f:$fn:$sql"};
        next if $sql eq 'sql';   # a wrapper handing on its parameter (its callers are checked)
        print "$dir/$f:$line: $fn() with SQL that is not a constant: $sql\n";
        $bad = 1;
    }
}
print $bad ? "SQL built from strings: see above\n" : "no SQL built from strings in $dir\n";
exit $bad;
