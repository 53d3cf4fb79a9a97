/*
 * metrics_publish: `bq-metrics put`.  Reads records from stdin, turns each
 * into a MetricDatum (metrics_put.h), sends them with PutMetricData in
 * batches within the API's limits, and passes each accepted record through
 * to stdout once its batch was accepted, so the tool works as a tap:
 *
 *     bq-judge ... | bq-metrics put --namespace BQ/Judge | jq ...
 *
 * A batch goes out when it is full, when input runs out, and when the
 * oldest record in it has waited FLUSH_AFTER seconds (so a slow producer's
 * records reach CloudWatch, and the next stage of the pipe, promptly).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_put.h"
#include "metrics_query.h"
#include "metrics_tool.h"

#define FLUSH_AFTER 1.0 /* seconds */

struct pub {
	bq_metrics_ctx *c;
	bq_metrics_batch batch;
	size_t sent, calls;
	bool closed;
};

/* Parsed --dimension specs; the strings are copies (parse cuts them). */
struct dimspecs {
	bq_metrics_dimspec *v;
	char **copies;
	size_t n;
};

static void dimspecs_release(struct dimspecs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->copies[i]);
	free(d->copies);
	free(d->v);
	memset(d, 0, sizeof *d);
}

static int dimspecs_parse(const struct bq_cli *cli, struct dimspecs *d, bq_err *err)
{
	size_t i, n = bq_cli_count(cli, BQ_MO_DIMENSION);

	memset(d, 0, sizeof *d);
	if (n == 0)
		return 0;
	d->v = calloc(n, sizeof *d->v);
	d->copies = calloc(n, sizeof *d->copies);
	if (!d->v || !d->copies) {
		dimspecs_release(d);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	for (i = 0; i < n; i++) {
		d->copies[i] = strdup(bq_cli_nth(cli, BQ_MO_DIMENSION, i));
		d->n = i + 1;
		if (!d->copies[i]) {
			dimspecs_release(d);
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		if (bq_metrics_put_parse_dimspec(d->copies[i], &d->v[i], err)) {
			dimspecs_release(d);
			return -1;
		}
	}
	return 0;
}

static void opts_from_cli(const struct bq_cli *cli, const struct dimspecs *d,
			  bq_metrics_put_opts *o)
{
	memset(o, 0, sizeof *o);
	o->name = bq_cli_get(cli, BQ_MO_NAME);
	o->value = bq_cli_get(cli, BQ_MO_VALUE);
	o->unit = bq_cli_get(cli, BQ_MO_UNIT);
	o->dims = d->v;
	o->ndims = d->n;
	o->storage_resolution = bq_cli_has(cli, BQ_MO_HIGH_RES) ? 1 : 0;
}

int bq_metrics_put_check(const struct bq_cli *cli, bq_err *err)
{
	struct dimspecs d;
	bq_metrics_put_opts o;
	int rc;

	if (bq_metrics_put_check_namespace(bq_cli_get(cli, BQ_MO_NAMESPACE), err) ||
	    dimspecs_parse(cli, &d, err))
		return -1;
	opts_from_cli(cli, &d, &o);
	rc = bq_metrics_put_check_opts(&o, err);
	dimspecs_release(&d);
	return rc;
}

/* Sends the batch, then passes its records through. */
static int flush(struct pub *p, bq_err *err)
{
	json_t *req, *rec;
	size_t i;
	int rc;

	if (bq_metrics_batch_len(&p->batch) == 0)
		return 0;
	req = bq_metrics_batch_request(&p->batch);
	if (!req)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = bq_aws_json_call(p->c->aws, BQ_SVC_CLOUDWATCH, "PutMetricData", req, NULL, err);
	json_decref(req);
	if (rc < 0)
		return -1;
	p->calls++;
	p->sent += bq_metrics_batch_len(&p->batch);
	json_array_foreach(p->batch.records, i, rec) {
		rc = bq_out_emit(p->c->out, rec, err);
		if (rc == BQ_OUT_CLOSED) {
			p->closed = true;
			break;
		}
		if (rc < 0)
			return -1;
	}
	bq_metrics_batch_clear(&p->batch);
	/* A tap must hand each accepted batch on now, not when 64 KiB have
	 * piled up in stdout's buffer (a table is drawn once, at the end). */
	if (!p->closed && p->c->cli->format != BQ_FORMAT_TABLE) {
		rc = bq_out_flush(p->c->out, err);
		if (rc == BQ_OUT_CLOSED)
			p->closed = true;
		else if (rc < 0)
			return -1;
	}
	return 0;
}

/* Waits for input while a batch is pending; true when the batch should go
 * out first (its oldest record waited long enough, or input is idle past
 * that point). */
static bool due(struct pub *p, const struct bq_reader *r)
{
	double now, left;
	struct pollfd pfd;

	if (bq_metrics_batch_len(&p->batch) == 0)
		return false;
	now = bq_clock_now(p->c->clock);
	left = p->batch.first + FLUSH_AFTER - now;
	if (left <= 0)
		return true;
	if (r->fd < 0 || r->rpos < r->rlen)
		return false; /* bytes already buffered: read on */
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, (int)(left * 1000.0) + 1) == 0;
}

int bq_metrics_put(bq_metrics_ctx *c, bq_err *err)
{
	struct bq_cli *cli = c->cli;
	struct bq_reader r;
	struct dimspecs d;
	bq_metrics_put_opts o;
	struct pub p;
	json_t *rec = NULL, *datum = NULL;
	int rc = -1;

	memset(&p, 0, sizeof p);
	p.c = c;
	if (dimspecs_parse(cli, &d, err))
		return -1;
	opts_from_cli(cli, &d, &o);
	if (bq_metrics_batch_init(&p.batch, c->namespace_, err)) {
		dimspecs_release(&d);
		return -1;
	}
	bq_reader_init(&r, stdin, "stdin", cli);
	for (;;) {
		bq_err rerr, derr;
		int n;

		if (due(&p, &r) && flush(&p, err))
			goto out;
		if (p.closed)
			break;
		n = bq_reader_next(&r, &rec, &rerr);
		if (n == 0)
			break;
		if (n < 0) {
			/* --strict or a read error: what was accepted still goes. */
			if (flush(&p, err) == 0)
				*err = rerr;
			goto out;
		}
		if (bq_metrics_put_datum(&o, rec, bq_clock_now(c->clock), &datum, &derr)) {
			if (derr.exit_status != BQ_EXIT_INPUT) {
				*err = derr;
				goto out;
			}
			json_decref(rec);
			rec = NULL;
			if (bq_reader_reject(&r, derr.message, &rerr) < 0) {
				/* --strict: what was accepted still goes */
				if (flush(&p, err) == 0)
					*err = rerr;
				goto out;
			}
			continue;
		}
		if (bq_metrics_batch_full(&p.batch, datum) && flush(&p, err))
			goto out;
		if (p.closed)
			break;
		if (bq_metrics_batch_add(&p.batch, datum, rec, bq_clock_now(c->clock), err))
			goto out;
		json_decref(datum);
		json_decref(rec);
		datum = rec = NULL;
	}
	if (!p.closed && flush(&p, err))
		goto out;
	if (!cli->quiet)
		bq_msg("%zu datapoint%s sent to %s in %zu PutMetricData call%s", p.sent,
		       p.sent == 1 ? "" : "s", c->namespace_, p.calls,
		       p.calls == 1 ? "" : "s");
	rc = 0;
out:
	json_decref(datum);
	json_decref(rec);
	bq_reader_release(&r);
	bq_metrics_batch_release(&p.batch);
	dimspecs_release(&d);
	return rc;
}
