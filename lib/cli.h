/*
 * cli: everything the six tools share on the command line.
 *
 * A tool describes itself with one `struct bq_tool` (name, verbs, option
 * table) and hands argv to bq_main() (BQ_TOOL_MAIN below writes both), which
 *   - sets the program name, ignores SIGPIPE, picks stdout buffering,
 *   - parses the shared options of interface.md section 2 plus the tool's
 *     own (one table drives getopt_long and --help alike),
 *   - handles --help / --version / usage errors (status 0 / 0 / 2),
 *   - opens the record writer (ndjson.h) with --jq and -o applied,
 *   - calls the tool's run function once,
 *   - finishes the writer and maps the outcome to the exit status of
 *     interface.md section 4, printing the error (redacted) on stderr.
 *
 * Verbs work as in git: the first word that is not an option (or an
 * option's argument) selects the verb; verbs[0] is the default and needs no
 * word (give it the name "" if it has no word at all).  Options may appear
 * before or after the verb.  Positional words after the verb are collected
 * in bq_cli.args; a tool/verb that takes none gets a usage error for them.
 *
 * Ownership: every string in struct bq_cli points into argv or into the
 * static tables (borrowed, valid for the whole run); the arrays (values,
 * args) are owned by the bq_cli and freed by bq_cli_release().
 *
 * Hidden test hook: with BQ_DUMP_OPTIONS=1 in the environment, a tool
 * prints the options getopt accepts for the selected verb, one per line,
 *     verb NAME            (every verb of the tool; "-" for a nameless one)
 *     option --LONG [-S] [ARG]
 * and exits 0 without running.  tests/cli/test_options.sh compares this
 * with --help for every binary.
 */
#ifndef BQ_CLI_H
#define BQ_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "err.h"

struct bq_out;

enum bq_format {
	BQ_FORMAT_NDJSON = 0, /* the contract */
	BQ_FORMAT_TABLE,      /* aligned columns for people (buffers rows) */
	BQ_FORMAT_CSV         /* RFC 4180 */
};

/* bq_opt.flags */
#define BQ_OPT_REPEAT 0x01u /* may be given more than once; all kept */
#define BQ_OPT_HIDDEN 0x02u /* accepted but not listed by --help */

/* bq_verb.flags / bq_tool.flags */
#define BQ_CLI_STDIN  0x01u /* reads records on stdin: adds --strict */
#define BQ_CLI_ARGS   0x02u /* takes positional arguments (see args_help) */

/* One tool option.  Tables end with an entry whose name is NULL. */
struct bq_opt {
	const char *name;   /* long name without "--" (required) */
	int short_name;     /* letter, or 0 for long only */
	const char *arg;    /* argument name for --help ("ID"), NULL = flag */
	const char *help;   /* one line, lower case, no full stop */
	int id;             /* the tool's own id, > 0 (enum in the tool) */
	unsigned flags;     /* BQ_OPT_* */
	unsigned verbs;     /* bit i = accepted by verbs[i]; 0 = every verb */
};

/* One verb.  Tables end with an entry whose name is NULL. */
struct bq_verb {
	const char *name;      /* "put"; "" for a nameless default (index 0) */
	const char *help;      /* one line for --help */
	unsigned flags;        /* BQ_CLI_*; or'ed with bq_tool.flags */
	const char *since_default; /* --since default for this verb or NULL */
	const char *args_help; /* synopsis of positional args ("[FILE...]") */
};

struct bq_cli;

/* Optional per-option hook, called after parsing (in command-line order)
 * for each tool option, to validate or convert the value.  Return 0, or -1
 * with err filled (normally BQ_EXIT_USAGE). */
typedef int (*bq_opt_fn)(struct bq_cli *cli, int id, const char *arg,
			 bq_err *err);

struct bq_tool {
	const char *name;            /* "bq-metrics" */
	const char *summary;         /* one line: what the tool does */
	const struct bq_verb *verbs; /* NULL = no verbs */
	const struct bq_opt *opts;   /* NULL or ended by {NULL} */
	unsigned flags;              /* BQ_CLI_* for the tool as a whole */
	const char *since_default;   /* "3h"; NULL = no default (since unset) */
	const char *args_help;       /* positional args when there are no verbs */
	bq_opt_fn on_option;         /* optional */
};

/* A tool option as given on the command line. */
struct bq_cli_value {
	int id;
	const char *arg; /* NULL for a flag */
};

struct bq_cli {
	const struct bq_tool *tool;
	int verb;                 /* index into tool->verbs; 0 when none */
	const char *verb_name;    /* tool->verbs[verb].name, or "" */

	/* Shared options; NULL / 0 / false when not given (the client layer
	 * then applies the environment and config file). */
	const char *profile;
	const char *region;
	const char *endpoint_url;
	int64_t now_ms;           /* "now" of this run, fixed at start */
	bool since_set;           /* --since given (else the default applied) */
	bool until_set;
	bool has_since;           /* since_ms valid (given or defaulted) */
	int64_t since_ms;         /* ms since the epoch, UTC */
	int64_t until_ms;         /* --until, default now_ms */
	time_t since, until;      /* the same in seconds (floored) */
	const char *jq;           /* --jq filter text, NULL if none */
	enum bq_format format;    /* -o */
	bool debug;
	bool quiet;
	bool strict;              /* --strict (only where BQ_CLI_STDIN) */
	int max_attempts;         /* 0 = not given */
	long connect_timeout_ms;  /* 0 = not given (tool default applies) */
	long read_timeout_ms;     /* 0 = not given */

	/* Tool options, in command-line order. */
	struct bq_cli_value *values;
	size_t nvalues;
	/* Positional words after the verb (BQ_CLI_ARGS). */
	char **args;
	size_t nargs;

	/* Lines rejected by readers opened on this run (ndjson.h); a non-zero
	 * count makes the exit status 5 unless an error says otherwise, and
	 * bq_main ends with "N input lines rejected" (unless --quiet). */
	size_t rejected;
	/* Things other than input lines that the tool rejected (bq-trail:
	 * CloudTrail events and trail files; bq-trace: segment documents),
	 * each reported by the tool, the count in the tool's own words (its
	 * summary).  Status 5 as for `rejected`; bq_main adds no line. */
	size_t rejected_other;
	void *user;               /* the tool's pointer from bq_main() */
};

/* The tool's work.  Return 0, or -1 with err filled (err->exit_status is
 * the exit status; an empty message means "already reported", nothing is
 * printed).  When bq_out_emit() reports BQ_OUT_CLOSED, stop and return 0
 * (or -1: a closed output always ends the run quietly with status 0). */
typedef int (*bq_run_fn)(struct bq_cli *cli, struct bq_out *out, bq_err *err);

/* The whole main(): `return bq_main(&tool, argc, argv, run, NULL);` */
int bq_main(const struct bq_tool *tool, int argc, char **argv, bq_run_fn run,
	    void *user);

/* ---- what every cmd/bq-<tool>.c writes ---- */

/* Table ends. */
#define BQ_VERB_END { NULL, NULL, 0, NULL, NULL }
#define BQ_OPT_END { NULL, 0, NULL, NULL, 0, 0, 0 }
/* bq_opt.verbs: the bit of verb index v. */
#define BQ_VERB_BIT(v) (1u << (v))

/* A tool's struct bq_tool, from designated initialisers, and its main():
 *     BQ_TOOL_MAIN(bq_trace_run, .name = "bq-trace", .summary = "...",
 *                  .opts = opts, .since_default = "1h")
 * (no semicolon after it). */
#define BQ_TOOL_MAIN(run, ...) \
	static const struct bq_tool bq_tool_ = { __VA_ARGS__ }; \
	int main(int argc, char **argv) \
	{ \
		return bq_main(&bq_tool_, argc, argv, (run), NULL); \
	}

/* ---- lower level (tests, tools with unusual needs) ---- */

/* Parses argv into cli (bq_cli_init'ed by this call).  Returns
 *   0  run the tool,
 *   1  --help or --version (or BQ_DUMP_OPTIONS) was printed on `help_out`:
 *      exit 0,
 *  -1  usage error: err filled with BQ_EXIT_USAGE and a message; bq_main
 *      prints it followed by "Try 'TOOL --help'." (see bq_cli_usage_error).
 * argv is not modified.  now_ms is the run's "now" for time expressions.
 * help_out NULL = stdout. */
int bq_cli_parse(struct bq_cli *cli, const struct bq_tool *tool, int argc,
		 char **argv, int64_t now_ms, FILE *help_out, bq_err *err);
void bq_cli_release(struct bq_cli *cli);

/* Prints "TOOL: message\nTry 'TOOL [VERB] --help'.\n" on stderr. */
void bq_cli_usage_error(const struct bq_cli *cli, const bq_err *err);
/* --help text of the selected verb into f. */
void bq_cli_help(const struct bq_tool *tool, int verb, FILE *f);
/* "bq-x 0.1.0" plus library versions, into f. */
void bq_cli_version(const struct bq_tool *tool, FILE *f);

/* Tool option values (by the id of the tool's table). */
bool bq_cli_has(const struct bq_cli *cli, int id);
/* The last value given for id (NULL if never given; "" for a flag). */
const char *bq_cli_get(const struct bq_cli *cli, int id);
size_t bq_cli_count(const struct bq_cli *cli, int id);
/* The i-th value given for id, in command-line order (NULL past the end). */
const char *bq_cli_nth(const struct bq_cli *cli, int id, size_t i);

/* Final exit status from one place (interface.md section 4):
 * run_rc < 0 -> err->exit_status (1 if unset), else rejected > 0 -> 5,
 * else 0.  bq_main passes rejected + rejected_other.  A closed output
 * pipe is handled by bq_main (status 0). */
int bq_exit_status(int run_rc, const bq_err *err, size_t rejected);

/* Integer / seconds option helpers for tools' on_option hooks: usage
 * errors naming the option and the text. */
int bq_cli_parse_int(const char *opt, const char *s, long min, long max,
		     long *out, bq_err *err);
/* "30", "2.5", "30s", "2m" -> milliseconds (> 0). */
int bq_cli_parse_seconds_ms(const char *opt, const char *s, long *out_ms,
			    bq_err *err);

#endif
