#include "cli.h"
#include "buf.h"
#include "clock.h"
#include "jqfilter.h"
#include "ndjson.h"
#include "timeexpr.h"

#include <curl/curl.h>
#include <errno.h>
#include <expat.h>
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#ifndef BQ_VERSION
#define BQ_VERSION "0.0.0"
#endif

/* Ids of the shared options; tool ids are > 0. */
enum {
	OPT_PROFILE = -100, OPT_REGION, OPT_ENDPOINT, OPT_SINCE, OPT_UNTIL,
	OPT_JQ, OPT_OUTPUT, OPT_STRICT, OPT_MAX_ATTEMPTS, OPT_CONNECT_TIMEOUT,
	OPT_READ_TIMEOUT, OPT_DEBUG, OPT_QUIET, OPT_HELP, OPT_VERSION
};

/* In help order.  --strict only where a verb reads stdin. */
static const struct bq_opt shared_opts[] = {
	{ "profile", 0, "NAME", "shared-config profile (else AWS_PROFILE, else default)", OPT_PROFILE, 0, 0 },
	{ "region", 0, "NAME", "region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's)", OPT_REGION, 0, 0 },
	{ "endpoint-url", 0, "URL", "one endpoint for every service this run calls", OPT_ENDPOINT, 0, 0 },
	{ "since", 0, "T", "start of the time window", OPT_SINCE, 0, 0 },
	{ "until", 0, "T", "end of the time window (default now)", OPT_UNTIL, 0, 0 },
	{ "jq", 0, "FILTER", "run each record through a jq filter (strings print raw)", OPT_JQ, 0, 0 },
	{ "output", 'o', "FORMAT", "ndjson (default), table or csv", OPT_OUTPUT, 0, 0 },
	{ "strict", 0, NULL, "stop at the first bad input line (status 5)", OPT_STRICT, 0, 0 },
	{ "max-attempts", 0, "N", "attempts per request, first included (default 3)", OPT_MAX_ATTEMPTS, 0, 0 },
	{ "connect-timeout", 0, "S", "connect timeout in seconds (default 10)", OPT_CONNECT_TIMEOUT, 0, 0 },
	{ "read-timeout", 0, "S", "read timeout in seconds (default 60, 300 for model calls)", OPT_READ_TIMEOUT, 0, 0 },
	{ "debug", 0, NULL, "HTTP exchanges and signing steps on stderr, secrets redacted", OPT_DEBUG, 0, 0 },
	{ "quiet", 'q', NULL, "no progress or summary on stderr", OPT_QUIET, 0, 0 },
	{ "help", 'h', NULL, "show this help and exit", OPT_HELP, 0, 0 },
	{ "version", 0, NULL, "show the version and the library versions and exit", OPT_VERSION, 0, 0 },
	{ NULL, 0, NULL, NULL, 0, 0, 0 }
};

static const struct bq_verb no_verbs[] = {
	{ "", NULL, 0, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL }
};

static const struct bq_verb *verbs_of(const struct bq_tool *t)
{
	return t->verbs && t->verbs[0].name ? t->verbs : no_verbs;
}

static int nverbs(const struct bq_tool *t)
{
	const struct bq_verb *v = verbs_of(t);
	int n = 0;

	while (v[n].name)
		n++;
	return n;
}

static unsigned verb_flags(const struct bq_tool *t, int verb)
{
	return t->flags | verbs_of(t)[verb].flags;
}

static bool shared_for_verb(const struct bq_tool *t, const struct bq_opt *o,
			    int verb)
{
	if (o->id == OPT_STRICT)
		return (verb_flags(t, verb) & BQ_CLI_STDIN) != 0;
	return true;
}

static bool opt_for_verb(const struct bq_tool *t, const struct bq_opt *o,
			 bool shared, int verb)
{
	if (shared)
		return shared_for_verb(t, o, verb);
	if (!t->verbs || !t->verbs[0].name)
		return true;
	return o->verbs == 0 || (o->verbs & (1u << verb)) != 0;
}

/* ---- the combined option list ---- */

struct ent {
	const struct bq_opt *o;
	bool shared;
};

struct optset {
	struct ent *e;
	size_t n;
};

static int build_set(const struct bq_tool *t, struct optset *s, bq_err *err)
{
	size_t n = 0, i, j;
	const struct bq_opt *o;

	for (o = shared_opts; o->name; o++)
		n++;
	for (o = t->opts; o && o->name; o++)
		n++;
	s->e = calloc(n ? n : 1, sizeof(*s->e));
	s->n = 0;
	if (!s->e)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (o = shared_opts; o->name; o++)
		s->e[s->n++] = (struct ent){ o, true };
	for (o = t->opts; o && o->name; o++) {
		if (o->id <= 0)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "internal error: option '--%s' has id %d (must be > 0)",
				       o->name, o->id);
		s->e[s->n++] = (struct ent){ o, false };
	}
	/* The same long name may appear for disjoint verb sets (one help
	 * text per verb), but must mean the same to getopt. */
	for (i = 0; i < s->n; i++)
		for (j = i + 1; j < s->n; j++) {
			const struct bq_opt *a = s->e[i].o, *b = s->e[j].o;
			bool same_name = strcmp(a->name, b->name) == 0;
			bool same_short = a->short_name && a->short_name == b->short_name;

			if (!same_name && !same_short)
				continue;
			if (s->e[i].shared || s->e[j].shared ||
			    (a->verbs & b->verbs) || !a->verbs || !b->verbs ||
			    (a->arg == NULL) != (b->arg == NULL) ||
			    a->short_name != b->short_name || !same_name)
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "internal error: option '--%s' / '-%c' defined twice",
					       a->name, a->short_name ? a->short_name : '-');
		}
	return 0;
}

/* The entry for name/letter that applies to verb, or NULL. */
static const struct ent *find_for_verb(const struct bq_tool *t,
				       const struct optset *s, const char *name,
				       int letter, int verb)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct bq_opt *o = s->e[i].o;

		if ((name && strcmp(o->name, name) == 0) ||
		    (!name && letter && o->short_name == letter))
			if (opt_for_verb(t, o, s->e[i].shared, verb))
				return &s->e[i];
	}
	return NULL;
}

/* ---- small helpers ---- */

static int push_value(struct bq_cli *cli, int id, const char *arg)
{
	struct bq_cli_value *v = realloc(cli->values,
					 (cli->nvalues + 1) * sizeof(*v));

	if (!v)
		return -1;
	cli->values = v;
	v[cli->nvalues].id = id;
	v[cli->nvalues].arg = arg;
	cli->nvalues++;
	return 0;
}

static int push_arg(struct bq_cli *cli, char *arg)
{
	char **a = realloc(cli->args, (cli->nargs + 1) * sizeof(*a));

	if (!a)
		return -1;
	cli->args = a;
	a[cli->nargs++] = arg;
	return 0;
}

int bq_cli_parse_int(const char *opt, const char *s, long min, long max,
		     long *out, bq_err *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad value '%s' for --%s (a whole number from %ld to %ld)",
			       s, opt, min, max);
	*out = v;
	return 0;
}

int bq_cli_parse_seconds_ms(const char *opt, const char *s, long *out_ms,
			    bq_err *err)
{
	const long max_ms = 86400L * 1000;
	char *end;
	double d;
	int64_t ms;
	bq_err ignored;

	if (*s && strspn(s, "0123456789.") == strlen(s)) {
		errno = 0;
		d = strtod(s, &end);
		if (*end || errno || d <= 0 || d * 1000 > (double)max_ms)
			goto bad;
		*out_ms = (long)(d * 1000 + 0.5);
		if (*out_ms == 0)
			goto bad;
		return 0;
	}
	if (bq_duration_parse_ms(s, &ms, &ignored) < 0 || ms <= 0 || ms > max_ms)
		goto bad;
	*out_ms = (long)ms;
	return 0;
bad:
	return bq_fail(err, BQ_EXIT_USAGE,
		       "bad value '%s' for --%s (seconds, e.g. 10, 2.5 or 2m; at most a day)",
		       s, opt);
}

bool bq_cli_has(const struct bq_cli *cli, int id)
{
	return bq_cli_count(cli, id) > 0;
}

size_t bq_cli_count(const struct bq_cli *cli, int id)
{
	size_t i, n = 0;

	for (i = 0; i < cli->nvalues; i++)
		if (cli->values[i].id == id)
			n++;
	return n;
}

const char *bq_cli_nth(const struct bq_cli *cli, int id, size_t k)
{
	size_t i;

	for (i = 0; i < cli->nvalues; i++)
		if (cli->values[i].id == id && k-- == 0)
			return cli->values[i].arg ? cli->values[i].arg : "";
	return NULL;
}

const char *bq_cli_get(const struct bq_cli *cli, int id)
{
	size_t i = cli->nvalues;

	while (i--)
		if (cli->values[i].id == id)
			return cli->values[i].arg ? cli->values[i].arg : "";
	return NULL;
}

void bq_cli_release(struct bq_cli *cli)
{
	free(cli->values);
	free(cli->args);
	cli->values = NULL;
	cli->args = NULL;
	cli->nvalues = cli->nargs = 0;
}

int bq_exit_status(int run_rc, const bq_err *err, size_t rejected)
{
	if (run_rc < 0)
		return err && err->exit_status > 0 ? err->exit_status : BQ_EXIT_RUNTIME;
	if (rejected > 0)
		return BQ_EXIT_INPUT;
	return BQ_EXIT_OK;
}

/* ---- help, version, dump ---- */

static const char *since_default(const struct bq_tool *t, int verb)
{
	const char *d = verbs_of(t)[verb].since_default;

	return d ? d : t->since_default;
}

static void usage_line(const struct bq_tool *t, int verb, bool first, FILE *f)
{
	const struct bq_verb *v = &verbs_of(t)[verb];
	unsigned fl = verb_flags(t, verb);
	const char *args = t->verbs ? v->args_help : t->args_help;

	fprintf(f, "%s %s", first ? "Usage:" : "      ", t->name);
	if (v->name[0])
		fprintf(f, verb == 0 ? " [%s]" : " %s", v->name);
	fputs(" [OPTIONS]", f);
	if (args)
		fprintf(f, " %s", args);
	if ((fl & BQ_CLI_STDIN) && !args)
		fputs(" < RECORDS", f);
	fputc('\n', f);
}

static void opt_left(const struct bq_opt *o, bq_buf *b)
{
	bq_buf_reset(b);
	if (o->short_name)
		bq_buf_printf(b, "  -%c, --%s", o->short_name, o->name);
	else
		bq_buf_printf(b, "      --%s", o->name);
	if (o->arg)
		bq_buf_printf(b, " %s", o->arg);
}

static void opt_line(const struct bq_tool *t, int verb, const struct bq_opt *o,
		     FILE *f)
{
	bq_buf b = BQ_BUF_INIT;
	const int col = 28;

	opt_left(o, &b);
	if (b.len + 2 > (size_t)col)
		fprintf(f, "%s\n%*s", bq_buf_cstr(&b), col, "");
	else
		fprintf(f, "%-*s", col, bq_buf_cstr(&b));
	fputs(o->help ? o->help : "", f);
	if (o->id == OPT_SINCE && since_default(t, verb))
		fprintf(f, " (default %s)", since_default(t, verb));
	if (o->flags & BQ_OPT_REPEAT)
		fputs(" (repeatable)", f);
	fputc('\n', f);
	bq_buf_release(&b);
}

void bq_cli_help(const struct bq_tool *t, int verb, FILE *f)
{
	const struct bq_verb *verbs = verbs_of(t);
	int i, n = nverbs(t);
	const struct bq_opt *o;
	bool any = false;

	if (verb == 0) {
		for (i = 0; i < n; i++)
			usage_line(t, i, i == 0, f);
	} else {
		usage_line(t, verb, true, f);
	}
	if (t->summary)
		fprintf(f, "\n%s\n", verb && verbs[verb].help ? verbs[verb].help : t->summary);
	if (verb == 0 && n > 1) {
		fputs("\nVerbs:\n", f);
		for (i = 0; i < n; i++)
			fprintf(f, "  %-12s%s%s\n", verbs[i].name[0] ? verbs[i].name : "(none)",
				verbs[i].help ? verbs[i].help : "",
				i == 0 ? " (default)" : "");
	}
	for (o = t->opts; o && o->name; o++) {
		if ((o->flags & BQ_OPT_HIDDEN) || !opt_for_verb(t, o, false, verb))
			continue;
		if (!any) {
			if (n > 1)
				fprintf(f, "\nOptions of %s:\n",
					verbs[verb].name[0] ? verbs[verb].name : "the default verb");
			else
				fputs("\nOptions:\n", f);
			any = true;
		}
		opt_line(t, verb, o, f);
	}
	fputs("\nShared options:\n", f);
	for (o = shared_opts; o->name; o++)
		if (shared_for_verb(t, o, verb))
			opt_line(t, verb, o, f);
	fputs("\nTime expressions T: now, 90s, 15m, 6h, 7d, 2w, 1h30m (back from now),\n"
	      "2026-11-26T10:00:00Z, 2026-11-26T10:00:00+01:00, 2026-11-26, @EPOCH.\n", f);
	if (verb == 0 && n > 1)
		fprintf(f, "'%s VERB --help' shows the options of a verb.\n", t->name);
	fprintf(f, "See %s(1) and bq(7).\n", t->name);
}

void bq_cli_version(const struct bq_tool *t, FILE *f)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	const char *ossl = OpenSSL_version(OPENSSL_VERSION_STRING);
	const char *xv = XML_ExpatVersion();

	if (strncmp(xv, "expat_", 6) == 0)
		xv += 6;
	fprintf(f, "%s %s\n", t->name, BQ_VERSION);
	fprintf(f, "libcurl/%s OpenSSL/%s jansson/%s jq/%s expat/%s\n",
		cv && cv->version ? cv->version : "?", ossl ? ossl : "?",
		jansson_version_str(), bq_jq_version(), xv);
}

static void dump_options(const struct bq_tool *t, const struct optset *s,
			 int verb, FILE *f)
{
	const struct bq_verb *verbs = verbs_of(t);
	int i, n = nverbs(t);
	size_t k;

	for (i = 0; i < n; i++)
		fprintf(f, "verb\t%s\n", verbs[i].name[0] ? verbs[i].name : "-");
	for (k = 0; k < s->n; k++) {
		const struct bq_opt *o = s->e[k].o;

		if (!opt_for_verb(t, o, s->e[k].shared, verb))
			continue;
		fprintf(f, "option\t--%s\t", o->name);
		if (o->short_name)
			fprintf(f, "-%c", o->short_name);
		else
			fputc('-', f);
		fprintf(f, "\t%s\t%s\n", o->arg ? o->arg : "-",
			(o->flags & BQ_OPT_HIDDEN) ? "hidden" : "-");
	}
}

void bq_cli_usage_error(const struct bq_cli *cli, const bq_err *err)
{
	bq_buf b = BQ_BUF_INIT;
	const char *name = cli->tool ? cli->tool->name : bq_progname();

	bq_buf_printf(&b, "%s: %s\nTry '%s%s%s --help'.\n", name, err->message,
		      name, cli->verb_name && cli->verb_name[0] ? " " : "",
		      cli->verb_name ? cli->verb_name : "");
	bq_log_write(bq_buf_cstr(&b), b.len);
	bq_buf_release(&b);
}

/* ---- parsing ---- */

/* The argv word a long option came from: getopt does not say, and an
 * abbreviation ("--reg" for --region) must be refused so that --help
 * lists exactly what is accepted. */
static const char *long_word(char **av, int optind_now, const char *optarg_now)
{
	if (optind_now >= 2 && optarg_now && optarg_now == av[optind_now - 1])
		return av[optind_now - 2];
	return av[optind_now - 1];
}

static void apply_shared(struct bq_cli *cli, int id, const char *arg,
			const char **since_s, const char **until_s)
{
	switch (id) {
	case OPT_PROFILE: cli->profile = arg; break;
	case OPT_REGION: cli->region = arg; break;
	case OPT_ENDPOINT: cli->endpoint_url = arg; break;
	case OPT_SINCE: *since_s = arg; break;
	case OPT_UNTIL: *until_s = arg; break;
	case OPT_JQ: cli->jq = arg; break;
	case OPT_STRICT: cli->strict = true; break;
	case OPT_DEBUG: cli->debug = true; break;
	case OPT_QUIET: cli->quiet = true; break;
	default: break;
	}
}

static int check_values(struct bq_cli *cli, const char *output,
			const char *attempts, const char *cto, const char *rto,
			const char *since_s, const char *until_s, bq_err *err)
{
	const struct bq_tool *t = cli->tool;
	long v;

	if (output) {
		if (strcmp(output, "ndjson") == 0)
			cli->format = BQ_FORMAT_NDJSON;
		else if (strcmp(output, "table") == 0)
			cli->format = BQ_FORMAT_TABLE;
		else if (strcmp(output, "csv") == 0)
			cli->format = BQ_FORMAT_CSV;
		else
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad output format '%s' (use ndjson, table or csv)", output);
	}
	if (attempts) {
		if (bq_cli_parse_int("max-attempts", attempts, 1, 100, &v, err) < 0)
			return -1;
		cli->max_attempts = (int)v;
	}
	if (cto && bq_cli_parse_seconds_ms("connect-timeout", cto,
					   &cli->connect_timeout_ms, err) < 0)
		return -1;
	if (rto && bq_cli_parse_seconds_ms("read-timeout", rto,
					   &cli->read_timeout_ms, err) < 0)
		return -1;
	cli->until_ms = cli->now_ms;
	if (until_s) {
		if (bq_time_parse_ms(until_s, cli->now_ms, &cli->until_ms, err) < 0)
			return -1;
		cli->until_set = true;
	}
	if (!since_s)
		since_s = since_default(t, cli->verb);
	else
		cli->since_set = true;
	if (since_s) {
		/* durations count back from now, not from --until */
		if (bq_time_parse_ms(since_s, cli->now_ms, &cli->since_ms, err) < 0)
			return -1;
		cli->has_since = true;
		if (cli->since_ms > cli->until_ms) {
			char a[BQ_TIME_BUFSZ], b[BQ_TIME_BUFSZ];

			return bq_fail(err, BQ_EXIT_USAGE,
				       "--since '%s' (%s) is after --until (%s)", since_s,
				       bq_time_format_auto(cli->since_ms, a, sizeof(a)) ? a : "?",
				       bq_time_format_auto(cli->until_ms, b, sizeof(b)) ? b : "?");
		}
	}
	cli->since = (time_t)(cli->since_ms >= 0 ? cli->since_ms / 1000 :
			      -((-cli->since_ms + 999) / 1000));
	cli->until = (time_t)(cli->until_ms >= 0 ? cli->until_ms / 1000 :
			      -((-cli->until_ms + 999) / 1000));
	return 0;
}

static int select_verb(struct bq_cli *cli, const char *word, bool *taken,
		       bq_err *err)
{
	const struct bq_tool *t = cli->tool;
	const struct bq_verb *verbs = verbs_of(t);
	int i, n = nverbs(t);
	bq_buf list = BQ_BUF_INIT;

	*taken = false;
	for (i = 0; i < n; i++)
		if (verbs[i].name[0] && strcmp(verbs[i].name, word) == 0) {
			cli->verb = i;
			cli->verb_name = verbs[i].name;
			*taken = true;
			return 0;
		}
	if (n <= 1 || (verb_flags(t, 0) & BQ_CLI_ARGS))
		return 0;
	for (i = 0; i < n; i++)
		if (verbs[i].name[0])
			bq_buf_printf(&list, "%s%s", list.len ? ", " : "", verbs[i].name);
	bq_fail(err, BQ_EXIT_USAGE, "unknown verb '%s' (verbs: %s)", word,
		bq_buf_cstr(&list));
	bq_buf_release(&list);
	return -1;
}

struct seen {
	const struct ent *e;
	const char *arg;
};

int bq_cli_parse(struct bq_cli *cli, const struct bq_tool *t, int argc,
		 char **argv, int64_t now_ms, FILE *help_out, bq_err *err)
{
	struct optset set = { NULL, 0 };
	struct option *lo = NULL;
	struct seen *seen = NULL;
	size_t nseen = 0, k;
	char **av = NULL;
	bq_buf shorts = BQ_BUF_INIT;
	bool help = false, version = false, verb_chosen = false;
	const char *output = NULL, *attempts = NULL, *cto = NULL, *rto = NULL;
	const char *since_s = NULL, *until_s = NULL;
	int c, longindex, rc = -1, i;
	const char *dump = getenv("BQ_DUMP_OPTIONS");

	memset(cli, 0, sizeof(*cli));
	cli->tool = t;
	cli->verb_name = "";
	cli->now_ms = now_ms;
	bq_err_clear(err);
	if (!help_out)
		help_out = stdout;
	if (build_set(t, &set, err) < 0)
		goto out;

	/* getopt_long over every option of every verb; what the chosen verb
	 * does not take is refused afterwards, once the verb is known. */
	lo = calloc(set.n + 1, sizeof(*lo));
	seen = calloc((size_t)argc + 1, sizeof(*seen));
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!lo || !seen || !av) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	/* '-': non-options come back in order (so the first is the verb);
	 * ':': we word the errors ourselves. */
	bq_buf_puts(&shorts, "-:");
	for (k = 0, i = 0; k < set.n; k++) {
		const struct bq_opt *o = set.e[k].o;
		size_t j;
		bool dup = false;

		for (j = 0; j < k; j++)
			dup |= strcmp(set.e[j].o->name, o->name) == 0;
		if (dup)
			continue;
		lo[i].name = o->name;
		lo[i].has_arg = o->arg ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + (int)k;
		i++;
		if (o->short_name) {
			bq_buf_putc(&shorts, (char)o->short_name);
			if (o->arg)
				bq_buf_putc(&shorts, ':');
		}
	}
	for (i = 0; i < argc; i++)
		av[i] = argv[i];

	optind = 0; /* full re-initialisation (glibc), so tests can parse twice */
	opterr = 0;
	while ((c = getopt_long(argc, av, bq_buf_cstr(&shorts), lo, &longindex)) != -1) {
		const struct ent *e = NULL;
		const char *word = NULL;

		if (c == 1) {
			bool taken = false;

			if (!verb_chosen && cli->nargs == 0) {
				verb_chosen = true;
				if (select_verb(cli, optarg, &taken, err) < 0)
					goto out;
			}
			if (!taken && push_arg(cli, optarg) < 0) {
				bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				goto out;
			}
			continue;
		}
		if (c == '?' || c == ':') {
			const char *w = av[optind - 1 > 0 ? optind - 1 : 0];
			bq_buf name = BQ_BUF_INIT;

			if (optopt && optopt < 256)
				bq_buf_printf(&name, "-%c", optopt);
			else if (optopt >= 256)
				bq_buf_printf(&name, "--%s", set.e[optopt - 256].o->name);
			else
				bq_buf_append(&name, w, strcspn(w, "="));
			if (c == ':')
				bq_fail(err, BQ_EXIT_USAGE, "option '%s' requires an argument",
					bq_buf_cstr(&name));
			else if (optopt >= 256)
				bq_fail(err, BQ_EXIT_USAGE, "option '%s' takes no value",
					bq_buf_cstr(&name));
			else
				bq_fail(err, BQ_EXIT_USAGE, "unknown option '%s'",
					bq_buf_cstr(&name));
			bq_buf_release(&name);
			goto out;
		}
		if (c >= 256) {
			e = &set.e[c - 256];
			word = long_word(av, optind, e->o->arg ? optarg : NULL);
			if (strncmp(word, "--", 2) != 0 ||
			    strncmp(word + 2, e->o->name, strlen(e->o->name)) != 0 ||
			    (word[2 + strlen(e->o->name)] != '\0' &&
			     word[2 + strlen(e->o->name)] != '=')) {
				bq_buf name = BQ_BUF_INIT;

				bq_buf_append(&name, word, strcspn(word, "="));
				bq_fail(err, BQ_EXIT_USAGE,
					"unknown option '%s' (did you mean '--%s'?)",
					bq_buf_cstr(&name), e->o->name);
				bq_buf_release(&name);
				goto out;
			}
		} else {
			for (k = 0; k < set.n && !e; k++)
				if (set.e[k].o->short_name == c)
					e = &set.e[k];
			if (!e) {
				bq_fail(err, BQ_EXIT_USAGE, "unknown option '-%c'", c);
				goto out;
			}
		}
		seen[nseen].e = e;
		seen[nseen].arg = e->o->arg ? optarg : NULL;
		nseen++;
	}
	for (i = optind; i < argc; i++)
		if (push_arg(cli, av[i]) < 0) {
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}

	/* Resolve each option for the chosen verb. */
	for (k = 0; k < nseen; k++) {
		const struct bq_opt *o = seen[k].e->o;
		const struct ent *e = find_for_verb(t, &set, o->name, 0, cli->verb);

		if (!e) {
			if (nverbs(t) > 1)
				bq_fail(err, BQ_EXIT_USAGE, "option '--%s' is not valid for %s%s%s",
					o->name, cli->verb_name[0] ? "'" : "the default verb",
					cli->verb_name, cli->verb_name[0] ? "'" : "");
			else
				bq_fail(err, BQ_EXIT_USAGE, "unknown option '--%s'", o->name);
			goto out;
		}
		seen[k].e = e;
		if (e->shared) {
			switch (e->o->id) {
			case OPT_HELP: help = true; break;
			case OPT_VERSION: version = true; break;
			case OPT_OUTPUT: output = seen[k].arg; break;
			case OPT_MAX_ATTEMPTS: attempts = seen[k].arg; break;
			case OPT_CONNECT_TIMEOUT: cto = seen[k].arg; break;
			case OPT_READ_TIMEOUT: rto = seen[k].arg; break;
			default:
				apply_shared(cli, e->o->id, seen[k].arg, &since_s, &until_s);
			}
		} else if (push_value(cli, e->o->id, seen[k].arg) < 0) {
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}
	}

	if (dump && strcmp(dump, "1") == 0) {
		dump_options(t, &set, cli->verb, help_out);
		rc = 1;
		goto out;
	}
	if (help) {
		bq_cli_help(t, cli->verb, help_out);
		rc = 1;
		goto out;
	}
	if (version) {
		bq_cli_version(t, help_out);
		rc = 1;
		goto out;
	}
	if (cli->nargs && !(verb_flags(t, cli->verb) & BQ_CLI_ARGS)) {
		bq_fail(err, BQ_EXIT_USAGE, "unexpected argument '%s'", cli->args[0]);
		goto out;
	}
	if (check_values(cli, output, attempts, cto, rto, since_s, until_s, err) < 0)
		goto out;
	if (t->on_option)
		for (k = 0; k < cli->nvalues; k++)
			if (t->on_option(cli, cli->values[k].id, cli->values[k].arg, err) < 0) {
				if (!err->exit_status)
					err->exit_status = BQ_EXIT_USAGE;
				goto out;
			}
	rc = 0;
out:
	free(set.e);
	free(lo);
	free(seen);
	free(av);
	bq_buf_release(&shorts);
	return rc;
}

/* ---- main ---- */

static int64_t now_ms_real(void)
{
	return (int64_t)(bq_clock_now(NULL) * 1000.0);
}

int bq_main(const struct bq_tool *t, int argc, char **argv, bq_run_fn run,
	    void *user)
{
	struct bq_cli cli;
	struct bq_out *out = NULL;
	bq_err err, fin;
	int rc, frc, status;

	bq_set_progname(t->name);
	/* A closed pipe must end us quietly, not kill us: EPIPE is handled
	 * by the writer (ndjson.h). */
	signal(SIGPIPE, SIG_IGN);
	bq_err_clear(&fin);

	rc = bq_cli_parse(&cli, t, argc, argv, now_ms_real(), stdout, &err);
	if (rc == 1) {
		status = 0;
		errno = 0;
		if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
			bq_msg("cannot write to 'stdout': %s", strerror(errno ? errno : EIO));
			status = BQ_EXIT_RUNTIME;
		}
		bq_cli_release(&cli);
		return status;
	}
	if (rc < 0) {
		if (err.exit_status == BQ_EXIT_USAGE)
			bq_cli_usage_error(&cli, &err);
		else
			bq_err_print(&err);
		bq_cli_release(&cli);
		return err.exit_status ? err.exit_status : BQ_EXIT_USAGE;
	}
	cli.user = user;
	if (bq_out_from_cli(&out, &cli, &err) < 0) {
		bq_err_print(&err);
		bq_cli_release(&cli);
		return err.exit_status ? err.exit_status : BQ_EXIT_RUNTIME;
	}

	bq_err_clear(&err);
	rc = run(&cli, out, &err);
	frc = bq_out_finish(out, &fin);
	if (bq_out_closed(out)) {
		/* the reader went away (or --jq halted): no message */
		status = frc < 0 ? fin.exit_status : BQ_EXIT_OK;
	} else if (rc < 0) {
		if (err.message[0])
			bq_err_print(&err);
		status = bq_exit_status(rc, &err, cli.rejected + cli.rejected_other);
	} else if (frc < 0) {
		if (fin.message[0])
			bq_err_print(&fin);
		status = fin.exit_status ? fin.exit_status : BQ_EXIT_RUNTIME;
	} else {
		status = bq_exit_status(0, &err, cli.rejected + cli.rejected_other);
		/* rejected_other is in the tool's own summary */
		if (cli.rejected && !cli.quiet)
			bq_msg("%zu input line%s rejected", cli.rejected,
			       cli.rejected == 1 ? "" : "s");
	}
	bq_out_free(out);
	bq_cli_release(&cli);
	return status;
}
