/*
 * aws_batch.c: many calls in flight over the client's curl multi handle,
 * each with its own retries, results handed to callbacks in completion
 * order.  Calls start in submission order; a call is signed when it
 * starts, so queued calls never carry stale signatures or credentials.
 *
 * A call waiting out its backoff keeps its slot, as a blocking call in one
 * of N threads would: -j N bounds the calls under way, a throttled service
 * is not sent a fresh call in place of the one backing off, and at -j 1
 * calls run strictly one after the other (each with exactly its own
 * attempts).
 */
#include "aws_s3.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

enum item_kind { IT_JSON, IT_REST, IT_S3GET };
enum item_state { ST_QUEUED, ST_WAITING, ST_RUNNING };

typedef struct batch_item {
	struct batch_item *next, *prev;
	struct bq_aws_batch *owner;
	bq_call call;
	enum item_kind kind;
	enum item_state state;
	double not_before;
	size_t index;
	bq_aws_done_fn done;
	void *ud;
	bq_buf body;
	bq_s3get get;
} batch_item;

struct bq_aws_batch {
	bq_aws *a;
	int max;
	batch_item *head, *tail;
	size_t pending;
	size_t busy;             /* items holding a slot: running or waiting */
	size_t running;          /* transfers started and not yet handed back */
};

int bq_aws_batch_new(bq_aws *a, int max_in_flight, bq_aws_batch **out,
		     bq_err *err)
{
	bq_aws_batch *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	b->a = a;
	b->max = max_in_flight < 1 ? 1 : max_in_flight;
	*out = b;
	return 0;
}

static void item_free(batch_item *it)
{
	bq_call_release(&it->call);
	bq_buf_release(&it->body);
	if (it->kind == IT_S3GET)
		bq_s3get_release(&it->get);
	free(it);
}

static void unlink_item(bq_aws_batch *b, batch_item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		b->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		b->tail = it->prev;
	it->next = it->prev = NULL;
	b->pending--;
}

static void drop(bq_aws_batch *b, batch_item *it)
{
	if (it->state == ST_RUNNING) {
		bq_http_cancel(bq_aws_http(b->a), &it->call.x);
		b->running--;
	}
	if (it->state != ST_QUEUED)
		b->busy--;
	unlink_item(b, it);
	item_free(it);
}

static void cancel_all(bq_aws_batch *b)
{
	while (b->head)
		drop(b, b->head);
}

void bq_aws_batch_free(bq_aws_batch *b)
{
	if (!b)
		return;
	cancel_all(b);
	free(b);
}

size_t bq_aws_batch_pending(const bq_aws_batch *b)
{
	return b->pending;
}

static batch_item *item_new(bq_aws_batch *b, size_t index, enum item_kind kind,
			    bq_aws_done_fn done, void *ud, bq_err *err)
{
	batch_item *it = calloc(1, sizeof(*it));

	if (!it) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		return NULL;
	}
	it->owner = b;
	it->kind = kind;
	it->index = index;
	it->done = done;
	it->ud = ud;
	bq_buf_init(&it->body, 0);
	return it;
}

static void enqueue(bq_aws_batch *b, batch_item *it)
{
	it->state = ST_QUEUED;
	it->prev = b->tail;
	if (b->tail)
		b->tail->next = it;
	else
		b->head = it;
	b->tail = it;
	b->pending++;
}

/* Queues an item whose request (borrowing it->body) is r and xo. */
static int queue_call(bq_aws_batch *b, batch_item *it, const bq_aws_request *r,
		      const bq_aws_xopts *xo, bq_err *err)
{
	if (bq_call_init(&it->call, b->a, r, xo, false, err) < 0)
		return -1;
	enqueue(b, it);
	return 0;
}

static void item_discard(batch_item *it)
{
	bq_buf_release(&it->body);
	free(it);
}

int bq_aws_batch_json(bq_aws_batch *b, size_t index, bq_service_id svc,
		      const char *operation, json_t *input,
		      bq_aws_done_fn done, void *ud, bq_err *err)
{
	batch_item *it;
	bq_proto_json_req pj;
	bq_aws_request r;
	bq_aws_xopts xo;

	if (!(it = item_new(b, index, IT_JSON, done, ud, err)))
		return -1;
	if (bq_call_json_request(svc, operation, input, &it->body, &pj, &r, &xo,
				 err) < 0 ||
	    queue_call(b, it, &r, &xo, err) < 0) {
		item_discard(it);
		return -1;
	}
	return 0;
}

int bq_aws_batch_rest(bq_aws_batch *b, size_t index, bq_service_id svc,
		      const char *method, const char *path, const char *query,
		      json_t *body, bq_aws_done_fn done, void *ud, bq_err *err)
{
	batch_item *it;
	bq_aws_request r;
	bq_aws_xopts xo;
	char label[160];

	if (!(it = item_new(b, index, IT_REST, done, ud, err)))
		return -1;
	if (bq_call_rest_request(svc, method, path, query, body, &it->body, label,
				 sizeof(label), &r, &xo, err) < 0 ||
	    queue_call(b, it, &r, &xo, err) < 0) {
		item_discard(it);
		return -1;
	}
	return 0;
}

int bq_aws_batch_s3_get(bq_aws_batch *b, size_t index, const char *bucket,
			const char *key, bq_aws_data_fn data,
			bq_aws_done_fn done, void *ud, bq_err *err)
{
	batch_item *it;
	bq_aws_request r;
	bq_aws_xopts xo;

	if (!(it = item_new(b, index, IT_S3GET, done, ud, err)))
		return -1;
	if (bq_s3get_init(&it->get, bucket, key, data, ud, &r, &xo, err) < 0 ||
	    bq_call_init(&it->call, b->a, &r, &xo, false, err) < 0) {
		bq_s3get_release(&it->get);
		item_discard(it);
		return -1;
	}
	/* the call copied nothing that points into the item but the sink */
	it->call.xo.sink_ud = &it->get;
	it->call.xo.attempt_ud = &it->get;
	it->get.x = &it->call.x;
	enqueue(b, it);
	return 0;
}

/* Hands an item's result to its callback and frees it. */
static int deliver(bq_aws_batch *b, batch_item *it, json_t *out,
		   const bq_err *call_err)
{
	int rc = 0;

	if (it->state != ST_QUEUED)
		b->busy--;
	unlink_item(b, it);
	if (it->done)
		rc = it->done(it->index, out, call_err, it->ud);
	json_decref(out);
	item_free(it);
	if (rc)
		cancel_all(b);
	return rc;
}

/* *delivered says whether the callback ran (else a retry was scheduled). */
static int completed(bq_aws_batch *b, batch_item *it, bool *delivered)
{
	const bq_err *sink_err = it->kind == IT_S3GET ? &it->get.err : NULL;
	enum bq_call_outcome oc;
	bq_err cerr;
	double delay;
	json_t *out = NULL;

	b->running--;
	bq_err_clear(&cerr);
	oc = bq_call_complete(&it->call, sink_err, &delay, &cerr);
	*delivered = oc != BQ_CALL_RETRY;
	if (oc == BQ_CALL_RETRY) {
		it->state = ST_WAITING;
		it->not_before = bq_clock_now(bq_aws_clock(b->a)) + delay;
		return 0;
	}
	if (oc == BQ_CALL_FAILED && it->kind == IT_S3GET &&
	    cerr.http_status == 416 && it->get.delivered > 0)
		oc = BQ_CALL_OK;
	if (oc == BQ_CALL_FAILED)
		return deliver(b, it, NULL, &cerr);
	if (it->kind != IT_S3GET &&
	    bq_proto_json_parse(it->call.svc, it->call.x.body.data,
				it->call.x.body.len, &out, &cerr) < 0)
		return deliver(b, it, NULL, &cerr);
	return deliver(b, it, out, NULL);
}

static batch_item *item_of(bq_http_xfer *x)
{
	bq_call *c = x->user;

	return c ? (batch_item *)(void *)((char *)c - offsetof(batch_item, call)) : NULL;
}

/* Starts what may start: queued calls while a slot is free, and calls
 * whose backoff is over (they hold their slot).  *earliest gets the end of
 * the soonest backoff still running (-1: none).  Returns 0, or a
 * callback's value when a call that could not start was delivered. */
static int start_ready(bq_aws_batch *b, double now, double *earliest,
		       bool *delivered)
{
	bq_http *h = bq_aws_http(b->a);
	batch_item *it, *next;

	*earliest = -1;
	for (it = b->head; it; it = next) {
		bq_err cerr;

		next = it->next;
		if (it->state == ST_RUNNING)
			continue;
		if (it->state == ST_WAITING && it->not_before > now) {
			if (*earliest < 0 || it->not_before < *earliest)
				*earliest = it->not_before;
			continue;
		}
		if (it->state == ST_QUEUED && b->busy >= (size_t)b->max)
			continue;
		if (it->state == ST_QUEUED)
			b->busy++;
		it->state = ST_RUNNING; /* holds its slot from here on */
		if (bq_call_prepare(&it->call, &cerr) < 0 ||
		    bq_http_start(h, &it->call.x, &cerr) < 0) {
			it->state = ST_WAITING; /* not running: nothing to cancel */
			*delivered = true;
			return deliver(b, it, NULL, &cerr);
		}
		b->running++;
	}
	return 0;
}

int bq_aws_batch_poll(bq_aws_batch *b, int max_wait_ms, bq_err *err)
{
	const bq_clock *clk = bq_aws_clock(b->a);
	bq_http *h = bq_aws_http(b->a);
	double deadline = -1;

	if (max_wait_ms >= 0)
		deadline = bq_clock_now(clk) + max_wait_ms / 1000.0;
	for (;;) {
		double now, earliest, wait;
		bool delivered = false;
		bq_http_xfer *x;
		int r;

		if (!b->pending)
			return 0;
		now = bq_clock_now(clk);
		r = start_ready(b, now, &earliest, &delivered);
		if (delivered)
			return r;
		/* how long this round may wait for the network or a backoff */
		wait = 1.0;
		if (earliest >= 0 && earliest - now < wait)
			wait = earliest > now ? earliest - now : 0;
		if (deadline >= 0 && deadline - now < wait)
			wait = deadline > now ? deadline - now : 0;
		if (!b->running) {
			/* everything is waiting out a backoff */
			if (wait > 0)
				bq_clock_sleep(clk, wait);
		} else {
			r = bq_http_poll(h, wait, &x, err);
			if (r < 0)
				return -1;
			if (r == 1) {
				batch_item *it = item_of(x);

				if (!it || it->owner != b)
					return bq_fail(err, BQ_EXIT_RUNTIME,
						       "a transfer of another batch finished (one batch at a time per client)");
				/* not delivered: a retry was scheduled */
				r = completed(b, it, &delivered);
				if (delivered)
					return r;
			}
		}
		if (deadline >= 0 && bq_clock_now(clk) >= deadline)
			return 0;
	}
}

int bq_aws_batch_step(bq_aws_batch *b, bq_err *err)
{
	return bq_aws_batch_poll(b, -1, err);
}

int bq_aws_batch_run(bq_aws_batch *b, bq_err *err)
{
	while (b->pending) {
		int rc = bq_aws_batch_step(b, err);

		if (rc)
			return rc;
	}
	return 0;
}
