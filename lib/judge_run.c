/*
 * judge_run: the bq-judge loop (see judge_run.h): read, sample, submit
 * Converse calls through the client's batch, retry once on an unusable
 * answer, back off on throttling, emit in input order.
 */
#include "judge_run.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "buf.h"
#include "clock.h"
#include "judge.h"
#include "pacer.h"
#include "reorder.h"
#include "rubric.h"
#include "timeexpr.h"

/* An item judged under several rubrics is shared by their jobs. */
struct item_ref {
	struct bq_judge_item it;
	int refs;
};

struct jctx;

struct job {
	struct jctx *c;
	struct item_ref *item;
	size_t rubric;
	uint64_t seq;
	json_t *req;
	int score_tries;    /* answers without a usable score so far */
	struct job *next;   /* retry queue */
	struct job *live_prev, *live_next; /* every job not yet freed */
};

struct jctx {
	struct bq_cli *cli;
	struct bq_out *out;
	bq_aws *aws;
	bq_aws_batch *batch;
	const char *judge_model;
	char *path;                     /* /model/<id>/converse, encoded */
	const struct bq_rubric *rubrics[BQ_JUDGE_MAX_RUBRICS];
	struct bq_rubric *loaded[BQ_JUDGE_MAX_RUBRICS];
	struct bq_judge_stats stats[BQ_JUDGE_MAX_RUBRICS];
	size_t nrubrics, nloaded;
	long jobs;
	double rps, sample;
	long max;                       /* 0 = no limit */
	bool has_fail_under;
	double fail_under;
	bq_pacer pacer;
	struct bq_reorder order;
	struct job *retry_head, *retry_tail;
	struct job *todo_head, *todo_tail; /* created, not yet submitted */
	struct job *live;               /* jobs not yet freed (teardown) */
	unsigned long long selected, skipped, unsampled, failed;
	bool fatal;
	bq_err fatal_err;
};

static long opt_long(const struct bq_cli *cli, int id, long dflt)
{
	const char *s = bq_cli_get(cli, id);

	return s ? strtol(s, NULL, 10) : dflt;
}

static int parse_fraction(const char *opt, const char *s, double lo_excl,
			  double *out, bq_err *err)
{
	char *end;
	double d = strtod(s, &end);

	if (!*s || *end || !isfinite(d) || d <= lo_excl || d > 1.0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad %s '%s' (want a number %s 0 and at most 1)", opt, s,
			       lo_excl < 0 ? "from" : "above");
	*out = d;
	return 0;
}

int bq_judge_on_option(struct bq_cli *cli, int id, const char *arg, bq_err *err)
{
	long l;
	double d;
	char *end;

	(void)cli;
	switch (id) {
	case BQ_JO_JOBS:
		return bq_cli_parse_int("--jobs", arg, 1, BQ_JUDGE_MAX_JOBS, &l, err);
	case BQ_JO_MAX:
		return bq_cli_parse_int("--max", arg, 1, 1000000000L, &l, err);
	case BQ_JO_RPS:
		d = strtod(arg, &end);
		if (!*arg || *end || !isfinite(d) || d <= 0 || d > 10000)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad --rps '%s' (want requests per second above 0, e.g. 2 or 0.5)",
				       arg);
		return 0;
	case BQ_JO_SAMPLE:
		return parse_fraction("--sample", arg, 0, &d, err);
	case BQ_JO_FAIL_UNDER:
		return parse_fraction("--fail-under", arg, -1, &d, err);
	case BQ_JO_RUBRIC:
		if (!bq_rubric_builtin(arg))
			return bq_fail(err, BQ_EXIT_USAGE,
				       "unknown rubric '%s' (built in: correctness, completeness, faithfulness, helpfulness, coherence, relevance, following-instructions, professional-style, harmfulness, refusal; or --rubric-file)",
				       arg);
		return 0;
	default:
		return 0;
	}
}

/* ---- rubrics ---- */

static int load_rubrics(struct jctx *c, bq_err *err)
{
	size_t i, n = bq_cli_count(c->cli, BQ_JO_RUBRIC);
	size_t nf = bq_cli_count(c->cli, BQ_JO_RUBRIC_FILE);

	if (n + nf > BQ_JUDGE_MAX_RUBRICS)
		return bq_fail(err, BQ_EXIT_USAGE, "too many rubrics (%zu): %d at most",
			       n + nf, BQ_JUDGE_MAX_RUBRICS);
	/* Command-line order is the order judgments of a record come out. */
	for (i = 0; i < c->cli->nvalues; i++) {
		const struct bq_cli_value *v = &c->cli->values[i];
		struct bq_rubric *r;

		if (v->id == BQ_JO_RUBRIC) {
			c->rubrics[c->nrubrics++] = bq_rubric_builtin(v->arg);
		} else if (v->id == BQ_JO_RUBRIC_FILE) {
			if (bq_rubric_load(v->arg, &r, err) < 0)
				return -1;
			c->loaded[c->nloaded++] = r;
			c->rubrics[c->nrubrics++] = r;
		}
	}
	if (!c->nrubrics)
		c->rubrics[c->nrubrics++] = bq_rubric_builtin(BQ_JUDGE_DEFAULT_RUBRIC);
	for (i = 0; i < c->nrubrics; i++)
		bq_judge_stats_init(&c->stats[i], c->rubrics[i]);
	return 0;
}

static json_t *rubric_record(const struct bq_rubric *r)
{
	json_t *o = json_object(), *levels = json_array();
	int v;

	json_object_set_new(o, "kind", json_string("rubric"));
	json_object_set_new(o, "name", json_string(r->name));
	if (r->description)
		json_object_set_new(o, "description", json_string(r->description));
	json_object_set_new(o, "scale", json_pack("[i,i]", r->min, r->max));
	for (v = r->min; v <= r->max; v++)
		json_array_append_new(levels, json_pack("{s:i, s:s}", "value", v, "label",
							r->labels[v - r->min]));
	json_object_set_new(o, "levels", levels);
	json_object_set_new(o, "higher_is_worse", json_boolean(r->higher_is_worse));
	json_object_set_new(o, "uses_reference", json_boolean(r->uses_reference));
	json_object_set_new(o, "builtin", json_boolean(r->builtin));
	json_object_set_new(o, "criteria", json_string(r->criteria));
	return o;
}

int bq_judge_rubrics_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	const struct bq_rubric *b;
	size_t i;
	int rc = 0;

	for (i = 0; (b = bq_rubric_builtin_at(i)) != NULL && rc == 0; i++)
		rc = bq_out_emit_new(out, rubric_record(b), err);
	for (i = 0; i < bq_cli_count(cli, BQ_JO_RUBRIC_FILE) && rc == 0; i++) {
		struct bq_rubric *r;

		if (bq_rubric_load(bq_cli_nth(cli, BQ_JO_RUBRIC_FILE, i), &r, err) < 0)
			return -1;
		rc = bq_out_emit_new(out, rubric_record(r), err);
		bq_rubric_free(r);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- jobs ---- */

static void item_unref(struct item_ref *ir)
{
	if (ir && --ir->refs == 0) {
		bq_judge_item_release(&ir->it);
		free(ir);
	}
}

static void job_free(struct job *j)
{
	struct jctx *c = j->c;

	if (j->live_prev)
		j->live_prev->live_next = j->live_next;
	else if (c->live == j)
		c->live = j->live_next;
	if (j->live_next)
		j->live_next->live_prev = j->live_prev;
	json_decref(j->req);
	item_unref(j->item);
	free(j);
}

static const char *item_name(const struct job *j)
{
	const char *k = j->item->it.request_id ? j->item->it.request_id : j->item->it.id;

	return k ? k : "(no id)";
}

/* The judgment could not be had: say so, free the slot. */
static void job_failed(struct jctx *c, struct job *j, const char *why)
{
	bq_msg("no judgment for record '%s' (rubric %s): %s", item_name(j),
	       c->rubrics[j->rubric]->name, why);
	c->failed++;
	c->stats[j->rubric].failed++;
	bq_reorder_complete(&c->order, j->seq, NULL);
	job_free(j);
}

static void job_queue(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct job *job_pop(struct job **head, struct job **tail)
{
	struct job *j = *head;

	if (j) {
		*head = j->next;
		if (!*head)
			*tail = NULL;
		j->next = NULL;
	}
	return j;
}

static void queue_retry(struct jctx *c, struct job *j)
{
	job_queue(&c->retry_head, &c->retry_tail, j);
}

static void now_text(char *buf, size_t n)
{
	double t = bq_clock_now(NULL);

	bq_time_format_ms((int64_t)floor(t * 1000.0), buf, n);
}

static int on_done(size_t index, json_t *output, const bq_err *call_err, void *ud)
{
	struct job *j = ud;
	struct jctx *c = j->c;
	struct bq_judge_stats *st = &c->stats[j->rubric];
	struct bq_judge_answer ans;
	bq_err perr;
	char why[1200];

	(void)index;
	if (call_err) {
		if (call_err->exit_status == BQ_EXIT_CREDS ||
		    strcmp(call_err->code, "ResourceNotFoundException") == 0) {
			/* Every other call would fail the same way (no access,
			 * or no such judge model). */
			c->fatal = true;
			c->fatal_err = *call_err;
			job_free(j);
			return 2;
		}
		/* The client's retries (--max-attempts) were the only
		 * re-sends (issue 12); later calls still back off. */
		if (call_err->throttling)
			bq_pacer_throttled(&c->pacer);
		bq_snprintf(why, sizeof(why), "%s%s%s", call_err->code,
			    call_err->code[0] ? ": " : "", call_err->message);
		job_failed(c, j, why);
		return 0;
	}
	bq_pacer_ok(&c->pacer);
	bq_err_clear(&perr);
	if (bq_judge_parse(c->rubrics[j->rubric], output, &ans, &perr) < 0) {
		if (ans.input_tokens > 0)
			st->judge_input_tokens += ans.input_tokens;
		if (ans.output_tokens > 0)
			st->judge_output_tokens += ans.output_tokens;
		if (++j->score_tries < 2) {
			queue_retry(c, j);
			return 0;
		}
		bq_snprintf(why, sizeof(why), "%s (asked twice)", perr.message);
		job_failed(c, j, why);
		return 0;
	}
	{
		char ts[BQ_TIME_BUFSZ];
		json_t *rec;

		now_text(ts, sizeof(ts));
		rec = bq_judgment_record(c->rubrics[j->rubric], &j->item->it, &ans,
					 c->judge_model, ts);
		if (ans.input_tokens > 0)
			st->judge_input_tokens += ans.input_tokens;
		if (ans.output_tokens > 0)
			st->judge_output_tokens += ans.output_tokens;
		bq_judge_stats_add(st, ans.raw);
		bq_judge_answer_release(&ans);
		bq_reorder_complete(&c->order, j->seq, rec);
		job_free(j);
	}
	return 0;
}

/* Takes a token (sleeping only the last instant) and queues the call: the
 * batch starts it at its next poll. */
static int submit(struct jctx *c, struct job *j, bq_err *err)
{
	bq_pacer_take(&c->pacer);
	return bq_aws_batch_rest(c->batch, (size_t)j->seq, BQ_SVC_BEDROCK_RUNTIME,
				 "POST", c->path, NULL, j->req, on_done, j, err);
}

/* Reads records until one is selected for judging (1), input ends (0), or
 * reading fails (-1). */
static int next_item(struct jctx *c, struct bq_reader *rd, struct item_ref **out,
		     bq_err *err)
{
	for (;;) {
		struct item_ref *ir;
		json_t *rec;
		bq_err ierr;
		char *material = NULL;
		const char *key;
		int rc = bq_reader_next(rd, &rec, err);

		if (rc <= 0)
			return rc;
		ir = calloc(1, sizeof(*ir));
		if (!ir) {
			json_decref(rec);
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		bq_err_clear(&ierr);
		rc = bq_judge_item_from_record(rec, &ir->it, &ierr);
		json_decref(rec);
		if (rc != 0) {
			c->skipped++;
			free(ir);
			if (bq_reader_reject(rd, ierr.message, err) < 0)
				return -1;
			continue;
		}
		key = bq_judge_item_key(&ir->it, NULL);
		if (!*key)
			key = material = bq_judge_user_text(&ir->it);
		if (!bq_judge_sampled(key ? key : "", c->sample)) {
			free(material);
			bq_judge_item_release(&ir->it);
			free(ir);
			c->unsampled++;
			continue;
		}
		free(material);
		ir->refs = 0;
		*out = ir;
		return 1;
	}
}

/* Creates every rubric's job for one item, queued for submission. */
static int start_item(struct jctx *c, struct item_ref *ir, bq_err *err)
{
	size_t r;

	for (r = 0; r < c->nrubrics; r++) {
		struct job *j = calloc(1, sizeof(*j));

		if (!j)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		j->c = c;
		j->live_next = c->live;
		if (c->live)
			c->live->live_prev = j;
		c->live = j;
		j->item = ir;
		ir->refs++;
		j->rubric = r;
		j->req = bq_judge_request(c->rubrics[r], &ir->it);
		if (!j->req || bq_reorder_reserve(&c->order, &j->seq) < 0) {
			job_free(j);
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		job_queue(&c->todo_head, &c->todo_tail, j);
	}
	return 0;
}

/* Emits every judgment whose turn has come.  0, BQ_OUT_CLOSED or -1. */
static int drain(struct jctx *c, bq_err *err)
{
	void *v;

	while (bq_reorder_pop(&c->order, &v) == 1) {
		int rc;

		if (!v)
			continue;
		rc = bq_out_emit_new(c->out, v, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void summary(struct jctx *c)
{
	size_t i;

	if (c->cli->quiet)
		return;
	for (i = 0; i < c->nrubrics; i++) {
		const struct bq_judge_stats *s = &c->stats[i];

		if (s->n)
			bq_msg("%s: %llu judged, mean %.3f, p10 %.3f, p50 %.3f, p90 %.3f, %llu failed, judge tokens %lld in, %lld out",
			       s->rubric->name, s->n, bq_judge_stats_mean(s),
			       bq_judge_stats_pct(s, 10), bq_judge_stats_pct(s, 50),
			       bq_judge_stats_pct(s, 90), s->failed, s->judge_input_tokens,
			       s->judge_output_tokens);
		else
			bq_msg("%s: 0 judged, %llu failed, judge tokens %lld in, %lld out",
			       s->rubric->name, s->failed, s->judge_input_tokens,
			       s->judge_output_tokens);
	}
	if (c->skipped || c->unsampled)
		bq_msg("%llu records skipped (nothing to judge), %llu not sampled",
		       c->skipped, c->unsampled);
}

/* --fail-under: every rubric's mean must reach the threshold. */
static int gate(struct jctx *c, bq_err *err)
{
	size_t i, judged = 0;
	int failed = 0;

	if (!c->has_fail_under)
		return 0;
	for (i = 0; i < c->nrubrics; i++) {
		const struct bq_judge_stats *s = &c->stats[i];

		judged += s->n;
		if (s->n && bq_judge_stats_mean(s) < c->fail_under) {
			bq_msg("mean %s score %.3f is below --fail-under %g",
			       s->rubric->name, bq_judge_stats_mean(s), c->fail_under);
			failed = 1;
		}
	}
	if (!judged) {
		bq_warn("nothing was judged: --fail-under %g not checked", c->fail_under);
		return 0;
	}
	if (failed)
		return bq_fail(err, BQ_EXIT_GATE, "%s", "");
	return 0;
}

static int setup(struct jctx *c, bq_err *err)
{
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	const char *s;
	bq_buf path = BQ_BUF_INIT;
	size_t cap;

	c->judge_model = bq_cli_get(c->cli, BQ_JO_JUDGE_MODEL);
	if (!c->judge_model || !*c->judge_model)
		c->judge_model = getenv("BQ_JUDGE_MODEL");
	if (!c->judge_model || !*c->judge_model)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "no judge model: give --judge-model ID (or set BQ_JUDGE_MODEL)");
	if (load_rubrics(c, err) < 0)
		return -1;
	c->jobs = opt_long(c->cli, BQ_JO_JOBS, BQ_JUDGE_DEFAULT_JOBS);
	c->max = opt_long(c->cli, BQ_JO_MAX, 0);
	s = bq_cli_get(c->cli, BQ_JO_RPS);
	c->rps = s ? strtod(s, NULL) : 0;
	s = bq_cli_get(c->cli, BQ_JO_SAMPLE);
	c->sample = s ? strtod(s, NULL) : 1.0;
	s = bq_cli_get(c->cli, BQ_JO_FAIL_UNDER);
	c->has_fail_under = s != NULL;
	c->fail_under = s ? strtod(s, NULL) : 0;
	/* Without --rps the bucket never empties in practice; it is still
	 * there for the backoff after throttling. */
	bq_pacer_init(&c->pacer, NULL, c->rps > 0 ? c->rps : 1e9, 1.0);

	if (bq_buf_puts(&path, "/model") < 0 || bq_aws_path_add(&path, c->judge_model) < 0 ||
	    bq_buf_puts(&path, "/converse") < 0) {
		bq_buf_release(&path);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	c->path = bq_buf_detach(&path);
	cap = (size_t)(c->jobs < 4 ? 16 : 4 * c->jobs) * c->nrubrics;
	if (bq_reorder_init(&c->order, cap) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");

	bq_aws_config_from_cli(&cfg, c->cli);
	if (bq_aws_open(&c->aws, &cfg, err) < 0)
		return -1;
	return bq_aws_batch_new(c->aws, (int)c->jobs, &c->batch, err);
}

static void decref_value(void *v)
{
	json_decref(v);
}

static void teardown(struct jctx *c)
{
	size_t i;

	bq_aws_batch_free(c->batch); /* cancels calls left: their jobs below */
	c->retry_head = c->retry_tail = NULL;
	c->todo_head = c->todo_tail = NULL;
	while (c->live)
		job_free(c->live);
	bq_reorder_release(&c->order, decref_value);
	bq_aws_close(c->aws);
	for (i = 0; i < c->nloaded; i++)
		bq_rubric_free(c->loaded[i]);
	free(c->path);
}

/* True when reading stdin would not block (data, end of file or an error
 * to report).  Lines already in stdio's buffer are not seen: then the
 * batch is stepped first and they are read once it has completed a call,
 * which only costs concurrency while the writer is slow anyway. */
static bool input_ready(void)
{
	struct pollfd p = { fileno(stdin), POLLIN, 0 };

	return poll(&p, 1, 0) != 0;
}

/* Pushes emitted records out (not tables: those print in blocks). */
static int flush_live(struct jctx *c, bq_err *err)
{
	int rc;

	if (c->cli->format == BQ_FORMAT_TABLE)
		return 0;
	rc = drain(c, err);
	return rc != 0 ? rc : bq_out_flush(c->out, err);
}

/*
 * The loop: submit while fewer than -j calls are pending and the pacer has
 * a token (answers to ask again first: they hold the head back; then the
 * jobs of the next record read), then let the batch drive the calls until
 * one completes or the next token is due.  So -j N --rps R keeps up to N
 * calls in flight and starts at most R a second.
 */
static int loop(struct jctx *c, bq_err *err)
{
	struct bq_reader rd;
	bool eof = false;
	bq_err stop; /* --strict stopped reading here */
	int rc = 0;

	bq_err_clear(&stop);
	bq_reader_init(&rd, stdin, "stdin", c->cli);
	for (;;) {
		long due = 0;     /* ms to the next token, when waiting */
		bool reading = false;
		int wait_ms;

		rc = drain(c, err);
		if (rc != 0)
			break;
		while (bq_aws_batch_pending(c->batch) < (size_t)c->jobs) {
			struct job *j;
			struct item_ref *ir = NULL;

			if (c->retry_head || c->todo_head) {
				/* with nothing in flight, waiting for the token
				 * here costs nothing */
				due = bq_pacer_wait_ms(&c->pacer);
				if (due > 1 && bq_aws_batch_pending(c->batch) > 0)
					break;
				due = 0;
				j = c->retry_head ? job_pop(&c->retry_head, &c->retry_tail) :
					job_pop(&c->todo_head, &c->todo_tail);
				if (submit(c, j, err) < 0) {
					job_free(j);
					rc = -1;
					goto out;
				}
				continue;
			}
			if (eof || bq_reorder_count(&c->order) + c->nrubrics > c->order.cap)
				break;
			if (c->max && c->selected >= (unsigned long long)c->max) {
				eof = true;
				break;
			}
			/* A slow writer (bq-logs --follow): what is judged goes
			 * out now, and with calls in flight we do not sit in
			 * read() while their answers wait. */
			if (!input_ready()) {
				rc = flush_live(c, err);
				if (rc != 0)
					goto out;
				if (bq_aws_batch_pending(c->batch) > 0) {
					reading = true;
					break;
				}
			}
			rc = next_item(c, &rd, &ir, err);
			if (rc < 0 && c->cli->strict && err->exit_status == BQ_EXIT_INPUT) {
				/* --strict: nothing more is read, but the records
				 * before the bad line are judged and written */
				stop = *err;
				bq_err_clear(err);
				rc = 0;
			}
			if (rc < 0)
				goto out;
			if (rc == 0) {
				eof = true;
				break;
			}
			c->selected++;
			ir->refs = 1; /* held while its jobs are created */
			rc = start_item(c, ir, err);
			item_unref(ir);
			if (rc < 0)
				goto out;
		}
		if (bq_aws_batch_pending(c->batch) == 0) {
			if (eof && !c->retry_head && !c->todo_head) {
				rc = drain(c, err);
				break;
			}
			continue;
		}
		/* until a completion, or the next token when a job waits for
		 * one, or a moment when input may arrive from a slow writer */
		wait_ms = due > 0 ? (int)due : reading ? 100 : -1;
		rc = bq_aws_batch_poll(c->batch, wait_ms, err);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			if (c->fatal) {
				*err = c->fatal_err;
				rc = -1;
				goto out;
			}
			rc = 0;
		}
	}
out:
	bq_reader_release(&rd);
	if (rc == 0 && stop.exit_status) {
		*err = stop;
		rc = -1;
	}
	return rc;
}

int bq_judge_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	struct jctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	c->cli = cli;
	c->out = out;
	rc = setup(c, err);
	if (rc == 0)
		rc = loop(c, err);
	if (rc == BQ_OUT_CLOSED) {
		teardown(c);
		free(c);
		return 0;
	}
	if (rc == 0) {
		summary(c);
		if (c->failed)
			rc = bq_fail(err, BQ_EXIT_RUNTIME,
				     "%llu judgment%s failed (see above)", c->failed,
				     c->failed == 1 ? "" : "s");
		else
			rc = gate(c, err);
	}
	teardown(c);
	free(c);
	return rc;
}

int bq_judge_main_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	if (strcmp(cli->verb_name, "rubrics") == 0)
		return bq_judge_rubrics_run(cli, out, err);
	return bq_judge_run(cli, out, err);
}
