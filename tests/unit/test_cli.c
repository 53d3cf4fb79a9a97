/* cli: shared options, verbs, tool options, errors, help, exit status. */
#include "t.h"
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>

#define NOW INT64_C(1795694400000) /* 2026-11-26T12:00:00Z */

enum { O_MODEL = 1, O_METRIC, O_PLOT, O_CREATE, O_NS_GET, O_NS_PUT, O_SECRET, O_PERIOD };

static const struct bq_verb verbs[] = {
	{ "get", "fetch datapoints", 0, "3h", NULL },
	{ "list", "list metrics", 0, NULL, NULL },
	{ "put", "publish records from stdin", BQ_CLI_STDIN, NULL, NULL },
	{ "alarms", "list alarms", BQ_CLI_ARGS, NULL, "[NAME...]" },
	{ NULL, NULL, 0, NULL, NULL }
};

static const struct bq_opt opts[] = {
	{ "model", 'm', "ID", "model id", O_MODEL, BQ_OPT_REPEAT, (1u << 0) | (1u << 3) },
	{ "metric", 0, "NAME", "metric name", O_METRIC, BQ_OPT_REPEAT, 1u << 0 },
	{ "plot", 0, NULL, "sparklines", O_PLOT, 0, 1u << 0 },
	{ "create", 0, NULL, "create alarms", O_CREATE, 0, 1u << 3 },
	{ "namespace", 0, "NS", "namespace to read", O_NS_GET, 0, (1u << 0) | (1u << 1) },
	{ "namespace", 0, "NS", "namespace to publish to", O_NS_PUT, 0, 1u << 2 },
	{ "secret-knob", 0, "X", "hidden", O_SECRET, BQ_OPT_HIDDEN, 0 },
	{ "period", 0, "DUR", "period", O_PERIOD, 0, 1u << 0 },
	{ NULL, 0, NULL, NULL, 0, 0, 0 }
};

static int hook(struct bq_cli *cli, int id, const char *arg, bq_err *err)
{
	(void)cli;
	if (id == O_PERIOD && strcmp(arg, "bad") == 0)
		return bq_fail(err, BQ_EXIT_USAGE, "bad --period '%s'", arg);
	return 0;
}

static const struct bq_tool tool = {
	"bq-test", "A test tool.", verbs, opts, 0, "1d", NULL, hook
};

static const struct bq_opt plain_opts[] = {
	{ "fail-under", 0, "X", "gate", 1, 0, 0 },
	{ NULL, 0, NULL, NULL, 0, 0, 0 }
};
static const struct bq_tool plain = {
	"bq-plain", "No verbs.", NULL, plain_opts, BQ_CLI_STDIN, NULL, NULL, NULL
};

static const struct bq_opt dup_opts[] = {
	{ "output", 0, "X", "clashes with the shared -o/--output", 1, 0, 0 },
	{ NULL, 0, NULL, NULL, 0, 0, 0 }
};
static const struct bq_tool dup = {
	"bq-dup", "Broken table.", NULL, dup_opts, 0, NULL, NULL, NULL
};

static struct bq_cli cli;
static bq_err err;
static char *help_text;

/* Parses a NULL-terminated list of words; help output lands in help_text. */
static int parse_tool(const struct bq_tool *t, const char *first, ...)
{
	char *argv[64];
	int argc = 0, rc;
	va_list ap;
	const char *w;
	size_t len = 0;
	FILE *f;

	argv[argc++] = (char *)t->name;
	va_start(ap, first);
	for (w = first; w && argc < 63; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	free(help_text);
	help_text = NULL;
	f = open_memstream(&help_text, &len);
	bq_cli_release(&cli);
	rc = bq_cli_parse(&cli, t, argc, argv, NOW, f, &err);
	fclose(f);
	return rc;
}

#define PARSE(...) parse_tool(&tool, __VA_ARGS__, (const char *)NULL)

int main(void)
{
	char *argv_copy[4];
	char a0[] = "bq-test", a1[] = "--region", a2[] = "eu-west-1";
	long l;
	int rc;

	unsetenv("BQ_DUMP_OPTIONS");

	/* shared options */
	rc = PARSE("--profile", "p1", "--region", "us-east-1", "--endpoint-url", "http://x",
		   "--since", "1h", "--until", "@1795694000", "--jq", ".a", "-o", "table",
		   "--max-attempts", "5", "--connect-timeout", "2.5", "--read-timeout", "2m",
		   "--debug", "-q");
	T_OK(rc == 0, "all shared options parse (%s)", err.message);
	T_STREQ(cli.profile, "p1", "--profile");
	T_STREQ(cli.region, "us-east-1", "--region");
	T_STREQ(cli.endpoint_url, "http://x", "--endpoint-url");
	T_STREQ(cli.jq, ".a", "--jq");
	T_OK(cli.format == BQ_FORMAT_TABLE, "-o table");
	T_OK(cli.max_attempts == 5, "--max-attempts");
	T_OK(cli.connect_timeout_ms == 2500, "--connect-timeout 2.5 is 2500 ms");
	T_OK(cli.read_timeout_ms == 120000, "--read-timeout 2m is 120000 ms");
	T_OK(cli.debug && cli.quiet, "--debug and -q");
	T_OK(cli.since_set && cli.has_since && cli.since_ms == NOW - 3600000, "--since 1h back from now");
	T_OK(cli.until_set && cli.until_ms == INT64_C(1795694000000) && cli.until == 1795694000,
	     "--until @EPOCH");
	T_OK(cli.verb == 0 && strcmp(cli.verb_name, "") == 0, "no verb word: default verb");

	rc = PARSE("--region=eu-west-1", "-ocsv", "-qo", "ndjson");
	T_OK(rc == 0 && strcmp(cli.region, "eu-west-1") == 0 && cli.format == BQ_FORMAT_NDJSON &&
	     cli.quiet, "--opt=value, -oVALUE and clustered short options");

	/* defaults */
	rc = PARSE("get");
	T_OK(rc == 0 && !cli.since_set && cli.has_since && cli.since_ms == NOW - 3 * 3600000 &&
	     cli.until_ms == NOW && !cli.until_set, "verb since default (3h), until now");
	rc = PARSE("list");
	T_OK(rc == 0 && cli.since_ms == NOW - 86400000, "tool since default when the verb has none");
	T_OK(cli.format == BQ_FORMAT_NDJSON && cli.max_attempts == 0 &&
	     cli.connect_timeout_ms == 0 && !cli.jq && !cli.region, "unset shared options stay unset");

	/* verbs */
	rc = PARSE("--region", "r", "put", "--namespace", "NS1");
	T_OK(rc == 0 && cli.verb == 2 && strcmp(cli.verb_name, "put") == 0, "options before the verb");
	T_STREQ(bq_cli_get(&cli, O_NS_PUT), "NS1", "same long name resolves to the verb's entry");
	T_OK(!bq_cli_has(&cli, O_NS_GET), "other verb's entry untouched");
	rc = PARSE("list", "--namespace", "X");
	T_OK(rc == 0 && cli.verb == 1 && bq_cli_has(&cli, O_NS_GET), "options after the verb");
	rc = PARSE("gett");
	T_OK(rc == -1 && err.exit_status == 2 &&
	     strstr(err.message, "unknown verb 'gett' (verbs: get, list, put, alarms)"),
	     "unknown verb (%s)", err.message);
	rc = PARSE("list", "--plot");
	T_OK(rc == -1 && err.exit_status == 2 && strstr(err.message, "'--plot' is not valid for 'list'"),
	     "option of another verb refused (%s)", err.message);
	rc = PARSE("--create");
	T_OK(rc == -1 && strstr(err.message, "not valid for the default verb"),
	     "option of another verb refused for the default verb (%s)", err.message);
	rc = PARSE("alarms", "a1", "--create", "a2");
	T_OK(rc == 0 && cli.verb == 3 && cli.nargs == 2 && strcmp(cli.args[0], "a1") == 0 &&
	     strcmp(cli.args[1], "a2") == 0 && bq_cli_has(&cli, O_CREATE),
	     "positional args after the verb, options in between");
	rc = PARSE("alarms", "--", "--create");
	T_OK(rc == 0 && cli.nargs == 1 && strcmp(cli.args[0], "--create") == 0 &&
	     !bq_cli_has(&cli, O_CREATE), "'--' ends the options");
	rc = PARSE("list", "extra");
	T_OK(rc == -1 && strstr(err.message, "unexpected argument 'extra'"), "args where none are taken");
	rc = PARSE("get", "list");
	T_OK(rc == -1 && strstr(err.message, "unexpected argument 'list'"), "only the first word is a verb");

	/* tool options */
	rc = PARSE("-m", "a", "--model", "b", "--model=c", "--metric", "Invocations");
	T_OK(rc == 0 && bq_cli_count(&cli, O_MODEL) == 3, "repeatable option collected");
	T_STREQ(bq_cli_nth(&cli, O_MODEL, 0), "a", "first value");
	T_STREQ(bq_cli_nth(&cli, O_MODEL, 2), "c", "third value");
	T_OK(bq_cli_nth(&cli, O_MODEL, 3) == NULL, "past the end");
	T_STREQ(bq_cli_get(&cli, O_MODEL), "c", "get returns the last");
	T_STREQ(bq_cli_get(&cli, O_METRIC), "Invocations", "other option");
	T_OK(bq_cli_get(&cli, O_PLOT) == NULL && !bq_cli_has(&cli, O_PLOT), "absent flag");
	rc = PARSE("--plot");
	T_STREQ(bq_cli_get(&cli, O_PLOT), "", "present flag gives \"\"");
	rc = PARSE("--secret-knob", "1");
	T_OK(rc == 0 && bq_cli_has(&cli, O_SECRET), "hidden option accepted");
	rc = PARSE("--period", "bad");
	T_OK(rc == -1 && err.exit_status == 2 && strstr(err.message, "bad --period 'bad'"),
	     "on_option hook error");

	/* errors */
	rc = PARSE("--x");
	T_OK(rc == -1 && err.exit_status == 2 && strcmp(err.message, "unknown option '--x'") == 0,
	     "unknown long option (%s)", err.message);
	rc = PARSE("--x=1");
	T_OK(rc == -1 && strcmp(err.message, "unknown option '--x'") == 0, "unknown long option with value");
	rc = PARSE("-z");
	T_OK(rc == -1 && strcmp(err.message, "unknown option '-z'") == 0, "unknown short option");
	rc = PARSE("--reg", "x");
	T_OK(rc == -1 && strstr(err.message, "unknown option '--reg' (did you mean '--region'?)"),
	     "abbreviations are refused (%s)", err.message);
	rc = PARSE("--since");
	T_OK(rc == -1 && err.exit_status == 2 &&
	     strcmp(err.message, "option '--since' requires an argument") == 0, "missing value (%s)", err.message);
	rc = PARSE("-o");
	T_OK(rc == -1 && strcmp(err.message, "option '-o' requires an argument") == 0, "missing short value");
	rc = PARSE("--debug=1");
	T_OK(rc == -1 && strcmp(err.message, "option '--debug' takes no value") == 0, "flag given a value (%s)", err.message);
	rc = PARSE("-o", "yaml");
	T_OK(rc == -1 && strstr(err.message, "bad output format 'yaml'"), "bad -o");
	rc = PARSE("--since", "yesterday");
	T_OK(rc == -1 && err.exit_status == 2 && strstr(err.message, "'yesterday'"), "bad --since names it");
	rc = PARSE("--until", "3x");
	T_OK(rc == -1 && strstr(err.message, "'3x'"), "bad --until names it");
	rc = PARSE("--since", "1h", "--until", "2h");
	T_OK(rc == -1 && strstr(err.message, "--since '1h'") && strstr(err.message, "after --until"),
	     "since after until (%s)", err.message);
	rc = PARSE("--max-attempts", "0");
	T_OK(rc == -1 && strstr(err.message, "'0' for --max-attempts"), "bad --max-attempts");
	rc = PARSE("--connect-timeout", "soon");
	T_OK(rc == -1 && strstr(err.message, "'soon' for --connect-timeout"), "bad --connect-timeout");
	rc = PARSE("--strict");
	T_OK(rc == -1 && strstr(err.message, "'--strict' is not valid"), "--strict only where stdin is read");
	rc = PARSE("put", "--strict");
	T_OK(rc == 0 && cli.strict, "--strict for a stdin verb");

	/* help and version: help wins over bad values, not over unknown options */
	rc = PARSE("--help");
	T_OK(rc == 1 && help_text && strstr(help_text, "Usage: bq-test [get] [OPTIONS]") &&
	     strstr(help_text, "bq-test put [OPTIONS] < RECORDS") && strstr(help_text, "--plot") &&
	     strstr(help_text, "-m, --model ID") && !strstr(help_text, "--create") &&
	     !strstr(help_text, "secret-knob") && strstr(help_text, "--since T") &&
	     strstr(help_text, "(default 3h)") && strstr(help_text, "(repeatable)") &&
	     !strstr(help_text, "--strict"), "--help of the default verb");
	rc = PARSE("alarms", "-h");
	T_OK(rc == 1 && strstr(help_text, "Usage: bq-test alarms [OPTIONS] [NAME...]") &&
	     strstr(help_text, "--create") && !strstr(help_text, "--plot") &&
	     strstr(help_text, "--model"), "-h of a verb");
	rc = PARSE("put", "--help");
	T_OK(rc == 1 && strstr(help_text, "--strict") && strstr(help_text, "namespace to publish to"),
	     "put --help lists --strict and put's --namespace");
	rc = PARSE("--help", "put");
	T_OK(rc == 1 && strstr(help_text, "Usage: bq-test put"), "--help before the verb");
	rc = PARSE("--since", "nonsense", "--help");
	T_OK(rc == 1, "--help wins over a bad value");
	rc = PARSE("--help", "--bogus");
	T_OK(rc == -1 && err.exit_status == 2, "an unknown option wins over --help");
	rc = PARSE("--version");
	T_OK(rc == 1 && strstr(help_text, "bq-test ") && strstr(help_text, "libcurl/") &&
	     strstr(help_text, "OpenSSL/") && strstr(help_text, "jansson/") &&
	     strstr(help_text, "jq/") && strstr(help_text, "expat/"), "--version names the libraries");

	setenv("BQ_DUMP_OPTIONS", "1", 1);
	rc = PARSE("put");
	T_OK(rc == 1 && strstr(help_text, "verb\tget\n") && strstr(help_text, "verb\talarms\n") &&
	     strstr(help_text, "option\t--namespace\t-\tNS\t-\n") &&
	     strstr(help_text, "option\t--strict\t-\t-\t-\n") &&
	     strstr(help_text, "option\t--output\t-o\tFORMAT\t-\n") &&
	     strstr(help_text, "option\t--secret-knob\t-\tX\thidden\n") &&
	     !strstr(help_text, "--plot"), "BQ_DUMP_OPTIONS lists the verb's options");
	unsetenv("BQ_DUMP_OPTIONS");

	/* a tool without verbs */
	rc = parse_tool(&plain, "--fail-under", "0.5", "--strict", (const char *)NULL);
	T_OK(rc == 0 && cli.strict && strcmp(bq_cli_get(&cli, 1), "0.5") == 0 && !cli.has_since,
	     "tool without verbs and without a since default");
	rc = parse_tool(&plain, "word", (const char *)NULL);
	T_OK(rc == -1 && strstr(err.message, "unexpected argument 'word'"), "no verbs: words are arguments");
	rc = parse_tool(&plain, "--help", (const char *)NULL);
	T_OK(rc == 1 && strstr(help_text, "Usage: bq-plain [OPTIONS] < RECORDS") &&
	     strstr(help_text, "\nOptions:\n") && !strstr(help_text, "Verbs:"), "help without verbs");
	rc = parse_tool(&dup, (const char *)NULL);
	T_OK(rc == -1 && err.exit_status == 1 && strstr(err.message, "internal error"),
	     "a clashing option table is caught (%s)", err.message);

	/* argv untouched */
	argv_copy[0] = a0; argv_copy[1] = a1; argv_copy[2] = a2; argv_copy[3] = NULL;
	bq_cli_release(&cli);
	rc = bq_cli_parse(&cli, &tool, 3, argv_copy, NOW, stdout, &err);
	T_OK(rc == 0 && argv_copy[1] == a1 && argv_copy[2] == a2 && strcmp(a1, "--region") == 0,
	     "argv is not modified");

	/* helpers */
	T_OK(bq_cli_parse_int("n", "42", 1, 100, &l, &err) == 0 && l == 42, "parse_int");
	T_OK(bq_cli_parse_int("n", "4x", 1, 100, &l, &err) == -1 && strstr(err.message, "'4x' for --n"),
	     "parse_int names text and option");
	T_OK(bq_cli_parse_seconds_ms("t", "30s", &l, &err) == 0 && l == 30000, "seconds with unit");
	T_OK(bq_cli_parse_seconds_ms("t", "0", &l, &err) == -1, "zero seconds refused");

	/* exit status */
	bq_err_clear(&err);
	T_OK(bq_exit_status(0, &err, 0) == 0, "exit 0");
	T_OK(bq_exit_status(0, &err, 3) == 5, "rejected lines: 5");
	err.exit_status = BQ_EXIT_CREDS;
	T_OK(bq_exit_status(-1, &err, 3) == 3, "an error wins over rejects");
	err.exit_status = 0;
	T_OK(bq_exit_status(-1, &err, 0) == 1, "an error without status is 1");

	bq_cli_release(&cli);
	free(help_text);
	return T_DONE();
}
