/*
 * bq-ndjson-cat: copies records from stdin (or files) to stdout through
 * the shared cli, ndjson reader and writer, --jq and -o, so shell tests
 * can prove the record plumbing before any tool exists.
 *
 *   bq-ndjson-cat [OPTIONS] [FILE...]    copy records (default verb)
 *   bq-ndjson-cat count [OPTIONS]        one {"kind":"count",...} record
 *
 * --reject-other N acts like a tool that rejected N things other than input
 * lines (cli.h rejected_other): it says so in its own words.
 */
#include "cli.h"
#include "ndjson.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_TAG = 1, OPT_FOLLOW, OPT_WINDOW, OPT_REJECT_OTHER };

static const struct bq_verb verbs[] = {
	{ "", "copy records from stdin or files to stdout", BQ_CLI_ARGS, NULL, "[FILE...]" },
	{ "count", "count the records on stdin", 0, NULL, NULL },
	BQ_VERB_END
};

static const struct bq_opt opts[] = {
	{ "tag", 0, "KEY=VALUE", "add a string field to every record", OPT_TAG, BQ_OPT_REPEAT, BQ_VERB_BIT(0) },
	{ "follow", 'f', NULL, "flush after every record", OPT_FOLLOW, 0, BQ_VERB_BIT(0) },
	{ "window", 0, NULL, "emit the --since/--until window as a record first", OPT_WINDOW, 0, 0 },
	{ "reject-other", 0, "N", "report N rejected widgets (not input lines)", OPT_REJECT_OTHER, 0, 0 },
	BQ_OPT_END
};

static int check_tag(struct bq_cli *cli, int id, const char *arg, bq_err *err)
{
	(void)cli;
	if (id == OPT_TAG && (!strchr(arg, '=') || arg[0] == '='))
		return bq_fail(err, BQ_EXIT_USAGE, "bad --tag '%s' (use KEY=VALUE)", arg);
	return 0;
}

static int copy(struct bq_cli *cli, struct bq_out *out, FILE *f,
		const char *name, size_t *count, bq_err *err)
{
	struct bq_reader r;
	json_t *rec;
	int rc;
	size_t i;

	bq_reader_init(&r, f, name, cli);
	while ((rc = bq_reader_next(&r, &rec, err)) == 1) {
		(*count)++;
		if (cli->verb != 0) {
			json_decref(rec);
			continue;
		}
		for (i = 0; i < bq_cli_count(cli, OPT_TAG); i++) {
			const char *tag = bq_cli_nth(cli, OPT_TAG, i);
			const char *eq = strchr(tag, '=');

			json_object_setn_new(rec, tag, (size_t)(eq - tag), json_string(eq + 1));
		}
		rc = bq_out_emit_new(out, rec, err);
		if (rc)
			break;
	}
	bq_reader_release(&r);
	return rc == BQ_OUT_CLOSED ? BQ_OUT_CLOSED : rc < 0 ? -1 : 0;
}

static int run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	size_t i, count = 0;
	int rc = 0;

	if (bq_cli_has(cli, OPT_FOLLOW))
		bq_out_set_follow(out, true);
	if (bq_cli_has(cli, OPT_WINDOW)) {
		json_t *w = json_pack("{s:s, s:I, s:I, s:b}", "kind", "window",
				      "since_ms", (json_int_t)cli->since_ms,
				      "until_ms", (json_int_t)cli->until_ms,
				      "since_set", cli->since_set);

		rc = bq_out_emit_new(out, w, err);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	if (cli->nargs == 0) {
		rc = copy(cli, out, stdin, "stdin", &count, err);
	} else {
		for (i = 0; i < cli->nargs && rc == 0; i++) {
			const char *path = cli->args[i];
			FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

			if (!f)
				return bq_fail(err, BQ_EXIT_RUNTIME, "cannot open '%s'", path);
			rc = copy(cli, out, f, strcmp(path, "-") == 0 ? "stdin" : path,
				  &count, err);
			if (f != stdin)
				fclose(f);
		}
	}
	if (rc)
		return rc < 0 ? -1 : 0;
	if (bq_cli_has(cli, OPT_REJECT_OTHER)) {
		cli->rejected_other = strtoul(bq_cli_get(cli, OPT_REJECT_OTHER), NULL, 10);
		bq_msg("%zu widgets rejected", cli->rejected_other);
	}
	if (cli->verb == 1)
		return bq_out_emit_new(out, json_pack("{s:s, s:I}", "kind", "count",
						      "records", (json_int_t)count), err) < 0 ? -1 : 0;
	return 0;
}

BQ_TOOL_MAIN(run, .name = "bq-ndjson-cat",
	     .summary = "Copy NDJSON records through the bq writer (a test helper).",
	     .verbs = verbs, .opts = opts, .flags = BQ_CLI_STDIN, .on_option = check_tag)
