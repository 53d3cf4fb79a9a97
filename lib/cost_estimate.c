/*
 * cost_estimate: groups invocation records and prices their tokens with
 * exact decimals (see cost_estimate.h).
 */
#include "cost_estimate.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "group.h"
#include "invocation.h"
#include "ndjson.h"

struct gstat {
	json_t *group;            /* the "group" object */
	uint64_t requests, unpriced;
	int64_t tokens[BQ_TOK_KINDS];
	bq_dec usd;
	const char *key;          /* the table's key string (borrowed) */
};

struct bq_estimate {
	const struct bq_prices *prices;
	char *by[BQ_ESTIMATE_MAX_BY];
	size_t nby;
	bq_estimate_warn_fn warn;
	void *warn_ud;
	struct bq_groups *groups;
	struct bq_groups *unpriced_models; /* names warned about */
	struct gstat **order;              /* after finish */
	bq_dec total;
	uint64_t requests, unpriced;
	bq_buf key;                        /* scratch */
};

static const char *const TOKEN_FIELDS[BQ_TOK_KINDS] = {
	"input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"
};

static void gstat_release(void *p)
{
	struct gstat *g = p;

	json_decref(g->group);
}

void bq_estimate_free(struct bq_estimate *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nby; i++)
		free(e->by[i]);
	bq_groups_free(e->groups, gstat_release);
	bq_groups_free(e->unpriced_models, NULL);
	free(e->order);
	bq_buf_release(&e->key);
	free(e);
}

static int valid_path(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 256 && s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..");
}

int bq_estimate_new(struct bq_estimate **out,
		    const struct bq_estimate_opts *o, bq_err *err)
{
	struct bq_estimate *e;
	size_t i;

	if (o->nby > BQ_ESTIMATE_MAX_BY)
		return bq_fail(err, BQ_EXIT_USAGE, "too many --by keys (%zu): %d at most",
			       o->nby, BQ_ESTIMATE_MAX_BY);
	for (i = 0; i < o->nby; i++)
		if (!valid_path(o->by[i]))
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad --by key '%s' (want model, identity or a field path such as request_metadata.team)",
				       o->by[i]);
	e = calloc(1, sizeof(*e));
	if (!e)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	e->prices = o->prices;
	e->warn = o->warn;
	e->warn_ud = o->warn_ud;
	e->groups = bq_groups_new(sizeof(struct gstat));
	e->unpriced_models = bq_groups_new(1);
	if (!e->groups || !e->unpriced_models)
		goto oom;
	for (i = 0; i < o->nby; i++) {
		if (!(e->by[i] = strdup(o->by[i])))
			goto oom;
		e->nby++;
	}
	*out = e;
	return 0;
oom:
	bq_estimate_free(e);
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

/* The value at a dotted path, borrowed, or NULL. */
static const json_t *at_path(const json_t *rec, const char *path)
{
	const json_t *v = rec;
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!json_is_object(v))
			return NULL;
		v = json_object_getn(v, p, n);
		p += n + (dot ? 1 : 0);
	}
	return json_is_null(v) ? NULL : v;
}

static int64_t count_of(const json_t *rec, const char *field)
{
	const json_t *v = json_object_get(rec, field);

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (int64_t)json_integer_value(v);
	return 0;
}

/* Says once per model why its requests stay unpriced. */
static void warn_once(struct bq_estimate *e, const char *model,
		      const char *kind)
{
	bool created = false;
	bq_buf msg = BQ_BUF_INIT;

	if (!bq_groups_get(e->unpriced_models, model, strlen(model), &created) ||
	    !created)
		return;
	if (!kind)
		bq_buf_printf(&msg, "cannot tell the foundation model behind '%s' (no base_model_id): its requests are counted as unpriced",
			      model);
	else if (!*kind)
		bq_buf_printf(&msg, "no price for model '%s': its requests are counted as unpriced",
			      model);
	else
		bq_buf_printf(&msg, "no %s price for model '%s': its requests with such tokens are counted as unpriced",
			      kind, model);
	if (e->warn)
		e->warn(e->warn_ud, bq_buf_cstr(&msg));
	else
		bq_warn("%s", bq_buf_cstr(&msg));
	bq_buf_release(&msg);
}

/* Raw log records carry their counts inside input/output: normalise them. */
static bool is_raw_log(const json_t *rec)
{
	return !json_object_get(rec, "kind") &&
	       (json_object_get(rec, "schemaType") ||
		(json_object_get(rec, "modelId") && json_object_get(rec, "requestId")));
}

static int add_normal(struct bq_estimate *e, const json_t *rec, bq_err *err)
{
	const char *model_id = json_string_value(json_object_get(rec, "model_id"));
	const char *base = json_string_value(json_object_get(rec, "base_model_id"));
	char pkey[256];
	enum bq_routing routing = BQ_ROUTE_ANY;
	bool resolved = bq_model_price_key(model_id, base, pkey, sizeof(pkey), &routing) == 0;
	const struct bq_price *price = resolved ?
		bq_prices_lookup(e->prices, pkey, routing) : NULL;
	int64_t tok[BQ_TOK_KINDS];
	json_t *vals, *group;
	struct gstat *g;
	bool created;
	size_t i;
	int k;

	if (!model_id && !base)
		return bq_fail(err, BQ_EXIT_INPUT, "no model_id: not an invocation record");
	for (k = 0; k < BQ_TOK_KINDS; k++)
		tok[k] = count_of(rec, TOKEN_FIELDS[k]);

	/* The group: its values as a JSON array is the key. */
	vals = json_array();
	group = json_object();
	if (!vals || !group)
		goto oom;
	for (i = 0; i < e->nby; i++) {
		const json_t *v;

		if (strcmp(e->by[i], "model") == 0) {
			const char *m = resolved ? pkey : model_id ? model_id : base;
			json_t *s = json_string(m);

			json_array_append(vals, s);
			json_object_set_new(group, e->by[i], s);
			continue;
		}
		v = at_path(rec, e->by[i]);
		json_array_append(vals, v ? (json_t *)v : json_null());
		if (v)
			json_object_set(group, e->by[i], (json_t *)v);
	}
	bq_buf_reset(&e->key);
	if (bq_json_dump_compact(vals, &e->key) < 0)
		goto oom;
	json_decref(vals);
	vals = NULL;
	g = bq_groups_get(e->groups, e->key.data, e->key.len, &created);
	if (!g)
		goto oom;
	if (created) {
		g->group = group;
		group = NULL;
	}
	json_decref(group);

	g->requests++;
	e->requests++;
	for (k = 0; k < BQ_TOK_KINDS; k++)
		g->tokens[k] += tok[k];
	if (!price) {
		const char *name = resolved ? pkey : model_id ? model_id : base;

		warn_once(e, name, resolved ? "" : NULL);
		g->unpriced++;
		e->unpriced++;
		return 0;
	} else {
		enum bq_token_kind miss = BQ_TOK_INPUT;
		bq_dec one = BQ_DEC_ZERO;
		int rc = bq_price_cost(price, tok, &one, &miss);

		if (rc == 1) {
			warn_once(e, pkey, bq_token_kind_name(miss));
			g->unpriced++;
			e->unpriced++;
			return 0;
		}
		if (rc < 0 || bq_dec_add(&g->usd, one) < 0 || bq_dec_add(&e->total, one) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "cost overflow");
	}
	return 0;
oom:
	json_decref(vals);
	json_decref(group);
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

int bq_estimate_add(struct bq_estimate *e, const json_t *rec, bq_err *err)
{
	json_t *norm;
	int rc;

	if (!is_raw_log(rec))
		return add_normal(e, rec, err);
	{
		bq_inv_opts o = { .no_bodies = true };

		norm = bq_invocation_normalize(rec, &o, err);
	}
	if (!norm)
		return -1;
	rc = add_normal(e, norm, err);
	json_decref(norm);
	return rc;
}

static int gstat_cmp(const void *a, const void *b)
{
	const struct gstat *x = *(struct gstat *const *)a, *y = *(struct gstat *const *)b;
	int c = bq_dec_cmp(y->usd, x->usd);

	if (c)
		return c;
	if (x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	return strcmp(x->key, y->key);
}

void bq_estimate_finish(struct bq_estimate *e)
{
	size_t n = bq_groups_count(e->groups), i;

	free(e->order);
	e->order = n ? calloc(n, sizeof(e->order[0])) : NULL;
	if (!e->order)
		return;
	for (i = 0; i < n; i++) {
		e->order[i] = bq_groups_at(e->groups, i);
		e->order[i]->key = bq_groups_key(e->groups, i);
	}
	qsort(e->order, n, sizeof(e->order[0]), gstat_cmp);
}

size_t bq_estimate_ngroups(const struct bq_estimate *e)
{
	return bq_groups_count(e->groups);
}

json_t *bq_estimate_record(const struct bq_estimate *e, size_t i)
{
	const struct gstat *g;
	char money[BQ_DEC_BUFSZ];
	json_t *o;
	int k;

	if (i >= bq_groups_count(e->groups))
		return NULL;
	g = e->order ? e->order[i] : bq_groups_at(e->groups, i);
	o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "kind", json_string("cost_estimate"));
	json_object_set(o, "group", g->group);
	json_object_set_new(o, "requests", json_integer((json_int_t)g->requests));
	for (k = 0; k < BQ_TOK_KINDS; k++)
		json_object_set_new(o, TOKEN_FIELDS[k], json_integer(g->tokens[k]));
	json_object_set_new(o, "usd", json_string(bq_money_format(g->usd, money, sizeof(money))));
	json_object_set_new(o, "unpriced_requests", json_integer((json_int_t)g->unpriced));
	return o;
}

bq_dec bq_estimate_total_usd(const struct bq_estimate *e)
{
	return e->total;
}

uint64_t bq_estimate_requests(const struct bq_estimate *e)
{
	return e->requests;
}

uint64_t bq_estimate_unpriced(const struct bq_estimate *e)
{
	return e->unpriced;
}

size_t bq_estimate_unpriced_models(const struct bq_estimate *e)
{
	return bq_groups_count(e->unpriced_models);
}
