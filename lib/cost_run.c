/*
 * cost_run: the bq-cost verbs (see cost_run.h).
 */
#include "cost_run.h"

#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "buf.h"
#include "cost_estimate.h"
#include "cost_report.h"
#include "money.h"
#include "prices.h"

int bq_cost_on_option(struct bq_cli *cli, int id, const char *arg, bq_err *err)
{
	bq_dec d;
	struct bq_cost_query q;

	(void)cli;
	switch (id) {
	case BQ_CO_BUDGET:
		if (bq_dec_parse_opt("--budget", arg, &d, err) < 0)
			return -1;
		if (d.units < 0)
			return bq_fail(err, BQ_EXIT_USAGE, "bad amount for --budget: '%s' is negative", arg);
		return 0;
	case BQ_CO_GRANULARITY:
		return bq_cost_set_granularity(&q, arg, err);
	case BQ_CO_METRIC:
		return bq_cost_set_metric(&q, arg, err);
	default:
		return 0;
	}
}

/* --budget: the total must not be above it.  Returns 0 or -1 (status 4). */
static int budget_gate(const struct bq_cli *cli, bq_dec total, const char *unit,
		       bq_err *err)
{
	const char *b = bq_cli_get(cli, BQ_CO_BUDGET);
	char t[BQ_DEC_BUFSZ], bb[BQ_DEC_BUFSZ];
	bq_dec budget;

	if (!b || bq_dec_parse(b, &budget) < 0)
		return 0;
	if (bq_dec_cmp(total, budget) <= 0)
		return 0;
	bq_msg("total %s %s is above --budget %s", bq_money_format(total, t, sizeof(t)),
	       unit && *unit ? unit : "USD", bq_money_format(budget, bb, sizeof(bb)));
	return bq_fail(err, BQ_EXIT_GATE, "%s", "");
}

/* ---- report ---- */

struct rctx {
	struct bq_cli *cli;
	struct bq_out *out;
	struct bq_cost_report *report;
	unsigned requests;
	bool closed;
	/* service discovery */
	char **services;
	size_t nservices;
};

static int emit_record(void *ud, json_t *rec, bq_err *err)
{
	struct rctx *c = ud;
	int rc = bq_out_emit_new(c->out, rec, err);

	if (rc == BQ_OUT_CLOSED)
		c->closed = true;
	return rc;
}

static int on_cost_page(json_t *page, void *ud, bq_err *err)
{
	struct rctx *c = ud;
	int rc;

	c->requests++;
	rc = bq_cost_report_page(c->report, page, err);
	return rc < 0 ? -1 : rc > 0 ? 1 : 0;
}

static int on_services_page(json_t *page, void *ud, bq_err *err)
{
	struct rctx *c = ud;
	const json_t *v;
	size_t i;

	(void)err;
	c->requests++;
	json_array_foreach(json_object_get(page, "DimensionValues"), i, v) {
		const char *s = json_string_value(json_object_get(v, "Value"));
		char **grown;

		if (!s || !*s || c->nservices >= BQ_COST_MAX_SERVICES)
			continue;
		grown = realloc(c->services, (c->nservices + 1) * sizeof(*grown));
		if (!grown)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		c->services = grown;
		if (!(c->services[c->nservices] = strdup(s)))
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		c->nservices++;
	}
	return 0;
}

/* The SERVICE values to filter on: --service, else the ones Cost Explorer
 * knows for the window (names containing "Bedrock"), else the built-in
 * list when they cannot be listed. */
static int choose_services(struct rctx *c, bq_aws *aws, struct bq_cost_query *q,
			   bq_err *err)
{
	size_t i, n = bq_cli_count(c->cli, BQ_CO_SERVICE);
	json_t *req;
	bq_err derr;
	bool has_first_party = false;

	if (n) {
		if (n > BQ_COST_MAX_SERVICES)
			return bq_fail(err, BQ_EXIT_USAGE, "too many --service values (%d at most)",
				       BQ_COST_MAX_SERVICES);
		for (i = 0; i < n; i++)
			q->services[q->nservices++] = bq_cli_nth(c->cli, BQ_CO_SERVICE, i);
		return 0;
	}
	req = bq_cost_services_request(q);
	bq_err_clear(&derr);
	if (!req)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (bq_aws_paginate(aws, BQ_SVC_CE, "GetDimensionValues", req, "NextPageToken",
			    "NextPageToken", on_services_page, c, &derr) < 0) {
		json_decref(req);
		if (derr.exit_status == BQ_EXIT_CREDS && strcmp(derr.code, "AccessDeniedException") != 0) {
			*err = derr;
			return -1;
		}
		/* Without the list (no ce:GetDimensionValues permission, say)
		 * first-party usage is still right; Marketplace-billed models
		 * need --service. */
		bq_warn("cannot list Bedrock's Cost Explorer services (%s%s%s); using 'Amazon Bedrock' only: name Marketplace-billed model services with --service",
			derr.code, derr.code[0] ? ": " : "", derr.message);
		for (i = 0; i < c->nservices; i++)
			free(c->services[i]);
		c->nservices = 0;
	} else {
		json_decref(req);
	}
	for (i = 0; i < c->nservices; i++) {
		q->services[q->nservices++] = c->services[i];
		has_first_party |= strcmp(c->services[i], "Amazon Bedrock") == 0;
	}
	/* An empty list would be a filter Cost Explorer refuses. */
	for (i = 0; !has_first_party && bq_cost_default_services[i] &&
		    q->nservices < BQ_COST_MAX_SERVICES; i++)
		q->services[q->nservices++] = bq_cost_default_services[i];
	return 0;
}

static int report_query(struct bq_cli *cli, struct bq_cost_query *q, bq_err *err)
{
	const char *s;
	size_t i, n = bq_cli_count(cli, BQ_CO_BY);

	memset(q, 0, sizeof(*q));
	if (bq_cost_set_granularity(q, (s = bq_cli_get(cli, BQ_CO_GRANULARITY)) ? s : "daily",
				    err) < 0 ||
	    bq_cost_set_metric(q, (s = bq_cli_get(cli, BQ_CO_METRIC)) ? s : "UnblendedCost",
			       err) < 0)
		return -1;
	if (n > BQ_COST_MAX_BY)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "Cost Explorer groups by two keys at most (%zu --by given)", n);
	for (i = 0; i < n; i++)
		if (bq_cost_by_parse(bq_cli_nth(cli, BQ_CO_BY, i), &q->by[q->nby++], err) < 0)
			return -1;
	return bq_cost_window(q, cli->since_ms, cli->until_ms, err);
}

int bq_cost_report_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	struct bq_cost_query q;
	struct rctx c;
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	bq_aws *aws = NULL;
	json_t *req = NULL;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.cli = cli;
	c.out = out;
	if (report_query(cli, &q, err) < 0)
		return -1;
	bq_aws_config_from_cli(&cfg, cli);
	if (bq_aws_open(&aws, &cfg, err) < 0)
		return -1;
	rc = choose_services(&c, aws, &q, err);
	if (rc == 0)
		rc = bq_cost_report_new(&c.report, &q, emit_record, &c, err);
	if (rc == 0 && !(req = bq_cost_request(&q)))
		rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (rc == 0)
		rc = bq_aws_paginate(aws, BQ_SVC_CE, "GetCostAndUsage", req, "NextPageToken",
				     "NextPageToken", on_cost_page, &c, err);
	if (rc == 0 && !c.closed) {
		rc = bq_cost_report_finish(c.report, err);
		if (rc > 0)
			rc = 0;
	}
	if (!cli->quiet && !c.closed && (rc == 0 || c.requests))
		bq_msg("%u Cost Explorer request%s made (each is billed)", c.requests,
		       c.requests == 1 ? "" : "s");
	if (rc == 0 && !c.closed)
		rc = budget_gate(cli, bq_cost_report_total(c.report),
				 bq_cost_report_unit(c.report), err);
	json_decref(req);
	bq_cost_report_free(c.report);
	for (i = 0; i < c.nservices; i++)
		free(c.services[i]);
	free(c.services);
	bq_aws_close(aws);
	return rc < 0 ? -1 : 0;
}

/* ---- estimate ---- */

static int load_prices(struct bq_cli *cli, struct bq_prices **p, bq_err *err)
{
	const char *f = bq_cli_get(cli, BQ_CO_PRICES);

	return f ? bq_prices_load(f, p, err) : bq_prices_builtin(p, err);
}

int bq_cost_estimate_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	const char *by[BQ_ESTIMATE_MAX_BY];
	struct bq_estimate_opts o;
	struct bq_estimate *e = NULL;
	struct bq_prices *prices = NULL;
	struct bq_reader rd;
	size_t i, n = bq_cli_count(cli, BQ_CO_BY);
	char money[BQ_DEC_BUFSZ];
	json_t *rec;
	int rc;

	if (n > BQ_ESTIMATE_MAX_BY)
		return bq_fail(err, BQ_EXIT_USAGE, "too many --by keys (%zu): %d at most", n,
			       BQ_ESTIMATE_MAX_BY);
	for (i = 0; i < n; i++)
		by[i] = bq_cli_nth(cli, BQ_CO_BY, i);
	if (load_prices(cli, &prices, err) < 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.prices = prices;
	o.by = by;
	o.nby = n;
	if (bq_estimate_new(&e, &o, err) < 0) {
		bq_prices_free(prices);
		return -1;
	}
	bq_reader_init(&rd, stdin, "stdin", cli);
	while ((rc = bq_reader_next(&rd, &rec, err)) > 0) {
		bq_err rerr;

		bq_err_clear(&rerr);
		rc = bq_estimate_add(e, rec, &rerr);
		json_decref(rec);
		if (rc < 0 && rerr.exit_status == BQ_EXIT_INPUT) {
			if ((rc = bq_reader_reject(&rd, rerr.message, err)) < 0)
				break;
			continue;
		}
		if (rc < 0) {
			*err = rerr;
			break;
		}
	}
	bq_reader_release(&rd);
	if (rc == 0) {
		bq_estimate_finish(e);
		for (i = 0; i < bq_estimate_ngroups(e) && rc == 0; i++)
			rc = bq_out_emit_new(out, bq_estimate_record(e, i), err);
		if (rc == BQ_OUT_CLOSED)
			rc = 0;
		else if (rc == 0) {
			if (!cli->quiet)
				bq_msg("%llu requests in %zu groups: %s USD estimated, %llu unpriced",
				       (unsigned long long)bq_estimate_requests(e),
				       bq_estimate_ngroups(e),
				       bq_money_format(bq_estimate_total_usd(e), money, sizeof(money)),
				       (unsigned long long)bq_estimate_unpriced(e));
			rc = budget_gate(cli, bq_estimate_total_usd(e), "USD", err);
		}
	}
	bq_estimate_free(e);
	bq_prices_free(prices);
	return rc < 0 ? -1 : 0;
}

/* ---- prices ---- */

int bq_cost_prices_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	static const char *const KEYS[BQ_TOK_KINDS] = {
		"input", "output", "cache_read", "cache_write"
	};
	struct bq_prices *p;
	size_t i;
	int rc = 0, k;

	if (load_prices(cli, &p, err) < 0)
		return -1;
	for (i = 0; i < bq_prices_count(p) && rc == 0; i++) {
		const struct bq_price *r = bq_prices_row(p, i);
		json_t *o = json_pack("{s:s, s:s, s:s}", "kind", "price", "model", r->model,
				      "routing", bq_routing_name(r->routing));
		char t[BQ_DEC_BUFSZ];

		for (k = 0; k < BQ_TOK_KINDS; k++)
			if (r->known[k])
				json_object_set_new(o, KEYS[k], json_string(bq_money_format(
					r->per_mtok[k], t, sizeof(t))));
		json_object_set_new(o, "unit", json_string("USD per 1M tokens"));
		json_object_set_new(o, "date", json_string(r->date));
		json_object_set_new(o, "source", json_string(r->source));
		rc = bq_out_emit_new(out, o, err);
	}
	bq_prices_free(p);
	return rc < 0 ? -1 : 0;
}

int bq_cost_main_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	switch (cli->verb) {
	case BQ_CV_ESTIMATE:
		return bq_cost_estimate_run(cli, out, err);
	case BQ_CV_PRICES:
		return bq_cost_prices_run(cli, out, err);
	default:
		return bq_cost_report_run(cli, out, err);
	}
}
